import Foundation

/// Why a robot description cannot become firmware tables: what is wrong, where, and what to do.
public enum FirmwareExportError: Error, Equatable, CustomStringConvertible {
    case jointCount(Int)
    case watchdogTooShort(watchdog: Double, controlPeriod: Double)
    case watchdogTooLong(Double)
    case watchdogBelowLostReplies(watchdog: Double, rideThrough: Double)
    case inertia(joint: String, value: Double)
    case notRepresentable(joint: String, field: String, value: Double)

    public var description: String {
        switch self {
        case .jointCount(let n):
            return "the robot has \(n) joints; the firmware protocol carries 1 to 16"
        case .watchdogTooShort(let watchdog, let period):
            return "watchdog \(ms(watchdog)) ms is not above three control periods (\(ms(3 * period)) ms at "
                + "\(ms(period)) ms): one lost frame would trip it (PROTOCOL.md 8.2); give a longer --watchdog-ms"
        case .watchdogTooLong(let watchdog):
            return "watchdog \(ms(watchdog)) ms does not fit the protocol's 32-bit microseconds; give at most 4294967 ms"
        case .watchdogBelowLostReplies(let watchdog, let ride):
            return "watchdog \(ms(watchdog)) ms is not above serial.timeout × serial.lost_replies (\(ms(ride)) ms): the "
                + "device would switch the arm off while the host still rides through lost replies; give a longer "
                + "--watchdog-ms or lower serial.lost_replies"
        case .inertia(let joint, let value):
            return "joint \(joint): the plant's inertia (the mass matrix's diagonal at the straight pose, armature "
                + "included) is \(value) kg·m², which the firmware cannot integrate; give the joint an armature or its links mass"
        case .notRepresentable(let joint, let field, let value):
            return "joint \(joint): \(field) \(value) does not fit a float32; the firmware computes in float32"
        }
    }

    private func ms(_ seconds: Double) -> String {
        let value = seconds * 1000
        return value == value.rounded() ? String(Int64(value)) : String(format: "%.3f", value)
    }
}
