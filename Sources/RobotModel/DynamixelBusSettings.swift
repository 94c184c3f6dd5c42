/// The servo models a `bus: {type: dynamixel}` section may name. Their control tables, units and
/// limits live with the protocol (Sources/Dynamixel/XSeriesControlTable.swift); a description only
/// needs the names to be checked when it is read.
public enum DynamixelModel: String, Sendable, Equatable, CaseIterable {
    case xm430W350 = "XM430-W350"
    case xl330M288 = "XL330-M288"
    case xl430W250 = "XL430-W250"
}

/// An arm of Dynamixel servos on one Protocol 2.0 bus, driven in current-control mode: where the
/// bus is, how fast, and for each joint (in joint order) which servo drives it and how its units
/// map to the joint's.
public struct DynamixelBusSettings: Sendable, Equatable {
    /// One joint's servo.
    public struct Servo: Sendable, Equatable {
        /// Bus id, 0–252.
        public var id: Int
        public var model: DynamixelModel
        /// Joint torque per motor current, N·m/A (output side, gearbox included).
        public var torqueConstant: Double
        /// +1 when the servo's positive direction is the joint's, −1 when it is reversed.
        public var direction: Int
        /// Present Position, ticks, at the joint's zero (what `armature calibrate` records).
        public var offset: Int

        public init(id: Int, model: DynamixelModel, torqueConstant: Double, direction: Int = 1, offset: Int = 0) {
            self.id = id
            self.model = model
            self.torqueConstant = torqueConstant
            self.direction = direction
            self.offset = offset
        }
    }

    /// Device path of the USB adapter (`/dev/ttyUSB0`), or the emulator's pseudo-terminal.
    public var port: String
    /// Bits per second; the servos' Baud Rate must be set to the same.
    public var baud: Int
    /// How long to wait for a status packet before it counts as lost, s.
    public var timeout: Double
    /// Lost status packets in a row that stop the run with torque off (as `serial.lost_replies`).
    public var lostReplies: Int
    /// The servos' Bus Watchdog, s (a multiple of 20 ms, 20 ms to 2.54 s): a servo that hears
    /// nothing for this long stops.
    public var watchdog: Double
    /// The servos' Return Delay Time, s (multiples of 2 µs, up to 508 µs).
    public var returnDelay: Double
    /// One per joint, in joint order.
    public var servos: [Servo]

    /// What `watchdog` may be: the register holds 1–127 units of 20 ms.
    public static let watchdogRange = 0.02...2.54
    /// What `returnDelay` may be: the register holds 0–254 units of 2 µs.
    public static let returnDelayRange = 0.0...508e-6

    public init(
        port: String, baud: Int = 1_000_000, timeout: Double = 0.02, lostReplies: Int = SerialSettings.defaultLostReplies,
        watchdog: Double = 0.1, returnDelay: Double = 0, servos: [Servo]
    ) {
        self.port = port
        self.baud = baud
        self.timeout = timeout
        self.lostReplies = lostReplies
        self.watchdog = watchdog
        self.returnDelay = returnDelay
        self.servos = servos
    }
}
