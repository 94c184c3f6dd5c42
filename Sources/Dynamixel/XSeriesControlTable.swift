import RobotModel

/// One field of a servo's control table.
public struct ControlTableField: Sendable, Equatable, CustomStringConvertible {
    /// EEPROM fields keep their value without power and may be written only with torque off.
    public enum Area: Sendable, Equatable { case eeprom, ram }

    public let name: String
    public let address: UInt16
    /// Bytes, little-endian.
    public let size: Int
    public let area: Area
    public let writable: Bool
    /// Whether the bytes are a two's-complement number.
    public let signed: Bool

    init(_ name: String, _ address: UInt16, _ size: Int, _ area: Area, writable: Bool, signed: Bool = false) {
        self.name = name
        self.address = address
        self.size = size
        self.area = area
        self.writable = writable
        self.signed = signed
    }

    public var description: String { "\(name)(\(address))" }

    /// The field's value from its little-endian bytes at `bytes[offset...]`.
    public func decode(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int = 0) -> Int {
        var raw: UInt32 = 0
        for i in 0..<size { raw |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        guard signed else { return Int(raw) }
        switch size {
        case 1: return Int(Int8(truncatingIfNeeded: raw))
        case 2: return Int(Int16(truncatingIfNeeded: raw))
        default: return Int(Int32(bitPattern: raw))
        }
    }

    /// Appends `value` as the field's little-endian bytes (truncated to its size).
    public func encode(_ value: Int, into bytes: inout [UInt8]) {
        let raw = UInt32(truncatingIfNeeded: value)
        for i in 0..<size { bytes.append(UInt8(truncatingIfNeeded: raw >> (8 * UInt32(i)))) }
    }
}

/// The part of the X-series control table (Protocol 2.0, firmware ≥ v38) that Armature uses, as
/// ROBOTIS's e-Manual gives it for the XM430-W350, XL330-M288 and XL430-W250. Addresses are the
/// same on all three; the XL430-W250 has no current sensing, so Current Limit, Goal Current and the
/// current-based modes do not exist on it (its address 126 is Present Load).
public enum XSeriesControlTable {
    // EEPROM (written only with Torque Enable 0)
    public static let modelNumber = ControlTableField("Model Number", 0, 2, .eeprom, writable: false)
    public static let firmwareVersion = ControlTableField("Firmware Version", 6, 1, .eeprom, writable: false)
    public static let id = ControlTableField("ID", 7, 1, .eeprom, writable: true)
    public static let baudRate = ControlTableField("Baud Rate", 8, 1, .eeprom, writable: true)
    /// Units of 2 µs between an instruction and the status packet; factory 250 (500 µs).
    public static let returnDelayTime = ControlTableField("Return Delay Time", 9, 1, .eeprom, writable: true)
    public static let driveMode = ControlTableField("Drive Mode", 10, 1, .eeprom, writable: true)
    /// `OperatingMode`.
    public static let operatingMode = ControlTableField("Operating Mode", 11, 1, .eeprom, writable: true)
    /// Ticks added to the encoder's reading to make Present Position.
    public static let homingOffset = ControlTableField("Homing Offset", 20, 4, .eeprom, writable: true, signed: true)
    /// Bound on Goal Current, in the model's current unit.
    public static let currentLimit = ControlTableField("Current Limit", 38, 2, .eeprom, writable: true)
    public static let shutdown = ControlTableField("Shutdown", 63, 1, .eeprom, writable: true)

    // RAM
    public static let torqueEnable = ControlTableField("Torque Enable", 64, 1, .ram, writable: true)
    public static let led = ControlTableField("LED", 65, 1, .ram, writable: true)
    public static let statusReturnLevel = ControlTableField("Status Return Level", 68, 1, .ram, writable: true)
    /// `HardwareError` bits; non-zero sets the Alert bit of every status packet.
    public static let hardwareErrorStatus = ControlTableField("Hardware Error Status", 70, 1, .ram, writable: false)
    /// Units of 20 ms (1–127), 0 off, −1 after it has tripped.
    public static let busWatchdog = ControlTableField("Bus Watchdog", 98, 1, .ram, writable: true, signed: true)
    /// In the model's current unit, within ±Current Limit.
    public static let goalCurrent = ControlTableField("Goal Current", 102, 2, .ram, writable: true, signed: true)
    public static let goalVelocity = ControlTableField("Goal Velocity", 104, 4, .ram, writable: true, signed: true)
    public static let profileAcceleration = ControlTableField("Profile Acceleration", 108, 4, .ram, writable: true)
    /// Units of 0.229 rpm; 0 is "as fast as possible".
    public static let profileVelocity = ControlTableField("Profile Velocity", 112, 4, .ram, writable: true)
    /// Ticks.
    public static let goalPosition = ControlTableField("Goal Position", 116, 4, .ram, writable: true, signed: true)
    public static let realtimeTick = ControlTableField("Realtime Tick", 120, 2, .ram, writable: false)
    public static let moving = ControlTableField("Moving", 122, 1, .ram, writable: false)
    /// In the model's current unit.
    public static let presentCurrent = ControlTableField("Present Current", 126, 2, .ram, writable: false, signed: true)
    /// Units of 0.229 rpm.
    public static let presentVelocity = ControlTableField("Present Velocity", 128, 4, .ram, writable: false, signed: true)
    /// Ticks (multi-turn outside the position-control mode).
    public static let presentPosition = ControlTableField("Present Position", 132, 4, .ram, writable: false, signed: true)
    public static let presentInputVoltage = ControlTableField("Present Input Voltage", 144, 2, .ram, writable: false)
    public static let presentTemperature = ControlTableField("Present Temperature", 146, 1, .ram, writable: false)

    /// Every field above, by address.
    public static let fields: [ControlTableField] = [
        modelNumber, firmwareVersion, id, baudRate, returnDelayTime, driveMode, operatingMode, homingOffset, currentLimit,
        shutdown, torqueEnable, led, statusReturnLevel, hardwareErrorStatus, busWatchdog, goalCurrent, goalVelocity,
        profileAcceleration, profileVelocity, goalPosition, realtimeTick, moving, presentCurrent, presentVelocity,
        presentPosition, presentInputVoltage, presentTemperature,
    ]
    /// The first byte after the table (Present Temperature is the last field Armature maps).
    public static let size = 147

    /// One SYNC READ per step covers Present Current, Velocity and Position (126–135): they are adjacent.
    public static let presentBlock = (address: presentCurrent.address, size: 10)

    /// Operating Mode values.
    public enum OperatingMode: Int, Sendable, Equatable {
        case current = 0
        case velocity = 1
        case position = 3
        case extendedPosition = 4
        case currentBasedPosition = 5
        case pwm = 16
    }

    /// Hardware Error Status bits.
    public struct HardwareError: OptionSet, Sendable, Equatable, CustomStringConvertible {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let inputVoltage = HardwareError(rawValue: 1 << 0)
        public static let overheating = HardwareError(rawValue: 1 << 2)
        public static let motorEncoder = HardwareError(rawValue: 1 << 3)
        public static let electricalShock = HardwareError(rawValue: 1 << 4)
        public static let overload = HardwareError(rawValue: 1 << 5)

        public var description: String {
            let names: [(HardwareError, String)] = [
                (.inputVoltage, "input voltage"), (.overheating, "overheating"), (.motorEncoder, "motor encoder"),
                (.electricalShock, "electrical shock"), (.overload, "overload"),
            ]
            let present = names.filter { contains($0.0) }.map(\.1)
            return present.isEmpty ? "none (0x\(String(rawValue, radix: 16)))" : present.joined(separator: ", ")
        }
    }

    /// Present Velocity and Profile Velocity unit: 0.229 rpm, rad/s.
    public static let velocityUnit = 0.229 * 2 * Double.pi / 60
    /// Encoder ticks per output revolution (0.088° per tick).
    public static let ticksPerRevolution = 4096.0
    /// Radians per tick.
    public static let positionUnit = 2 * Double.pi / ticksPerRevolution
    /// Return Delay Time and Bus Watchdog units, s.
    public static let returnDelayUnit = 2e-6
    public static let busWatchdogUnit = 0.02
    /// Goal Position's range outside the one-turn position mode, ticks (±256 turns).
    public static let extendedPositionRange = -1_048_575...1_048_575
    public static let homingOffsetRange = -1_044_479...1_044_479
    public static let profileVelocityRange = 0...32767
}

/// What the control table's numbers mean on each model.
extension DynamixelModel {
    /// The Model Number(0) the servo reports.
    public var modelNumber: Int {
        switch self {
        case .xm430W350: return 1020
        case .xl330M288: return 1200
        case .xl430W250: return 1060
        }
    }

    /// The model with this Model Number, if it is one Armature knows.
    public init?(modelNumber: Int) {
        guard let model = Self.allCases.first(where: { $0.modelNumber == modelNumber }) else { return nil }
        self = model
    }

    /// Whether it has a current sensor and the current-control mode (Operating Mode 0).
    public var hasCurrentControl: Bool { self != .xl430W250 }

    /// Goal and Present Current unit, A (0 on a model without current sensing).
    public var currentUnit: Double {
        switch self {
        case .xm430W350: return 2.69e-3
        case .xl330M288: return 1e-3
        case .xl430W250: return 0
        }
    }

    /// The largest Current Limit(38), in `currentUnit` (the factory value).
    public var currentLimitMaximum: Int {
        switch self {
        case .xm430W350: return 1193
        case .xl330M288: return 1750
        case .xl430W250: return 0
        }
    }

    /// Operating Mode values the model accepts.
    public var operatingModes: Set<Int> { hasCurrentControl ? [0, 1, 3, 4, 5, 16] : [1, 3, 4, 16] }

    /// Rough torque per ampere at the output (stall torque over stall current in ROBOTIS's
    /// specification), N·m/A: a starting point for a description, to be measured on the arm.
    public var nominalTorqueConstant: Double {
        switch self {
        case .xm430W350: return 4.1 / 2.3
        case .xl330M288: return 0.52 / 1.47
        case .xl430W250: return 1.5 / 1.4
        }
    }
}
