/// The error byte of a status packet: bit 7 is the Alert flag (the servo's Hardware Error Status is
/// not zero), bits 0–6 a number saying why the instruction was not carried out (0: it was).
public struct StatusError: Sendable, Equatable, CustomStringConvertible {
    /// Why an instruction failed (bits 0–6).
    public enum Kind: UInt8, Sendable, Equatable {
        case none = 0x00
        case resultFail = 0x01
        case instruction = 0x02
        case crc = 0x03
        case dataRange = 0x04
        case dataLength = 0x05
        case dataLimit = 0x06
        case access = 0x07

        var text: String {
            switch self {
            case .none: return "no error"
            case .resultFail: return "result fail (the servo could not process the instruction)"
            case .instruction: return "instruction error (undefined instruction, or ACTION without REG WRITE)"
            case .crc: return "CRC error (the packet was damaged on the line)"
            case .dataRange: return "data range error (value out of range, or a goal written while the bus watchdog has tripped)"
            case .dataLength: return "data length error (shorter than the field)"
            case .dataLimit: return "data limit error (too long for the table)"
            case .access: return "access error (read-only or undefined address, or EEPROM written with torque on)"
            }
        }
    }

    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public init(_ kind: Kind, alert: Bool = false) { rawValue = kind.rawValue | (alert ? 0x80 : 0) }

    public static let none = StatusError(rawValue: 0)

    /// The servo reports a hardware error (read Hardware Error Status to learn which).
    public var alert: Bool { rawValue & 0x80 != 0 }
    /// Why the instruction failed; nil for a number the protocol does not define.
    public var kind: Kind? { Kind(rawValue: rawValue & 0x7F) }
    /// Whether the instruction was carried out.
    public var succeeded: Bool { rawValue & 0x7F == 0 }

    public var description: String {
        let reason = kind?.text ?? "undefined error number \(rawValue & 0x7F)"
        return alert ? "\(reason), hardware alert" : reason
    }
}
