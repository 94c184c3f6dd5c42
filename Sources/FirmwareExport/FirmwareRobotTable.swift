import ArmDynamics
import Hardware
import RobotModel

/// What the firmware needs from a robot description, in the firmware's units: the numbers of
/// `armature_robot.h`, checked so that the C side can trust them.
public struct FirmwareRobotTable: Equatable, Sendable {
    /// One joint's row.
    public struct Joint: Equatable, Sendable {
        public var name: String
        /// The device's limit, N·m: the larger of |low| and |high| of the description's torque
        /// range (the device clamps symmetrically; the host's map keeps commands inside the range).
        public var torqueLimit: Float
        /// The range HOME and MOVE targets must lie in, rad; ±infinity for a continuous joint.
        public var positionLow: Float
        public var positionHigh: Float
        /// The emulated rotor's inertia, kg·m²: the mass matrix's diagonal at the straight pose,
        /// the joint's armature included (the inertia the joint sees with the others held still).
        public var inertia: Double
        /// Viscous damping, N·m·s/rad.
        public var damping: Double
    }

    public var robotName: String
    public var fingerprint: String
    public var joints: [Joint]
    /// The host's control period, µs.
    public var controlPeriodMicros: UInt32
    /// The device's torque watchdog, µs.
    public var watchdogMicros: UInt32
    /// The serial line rate: the description's `serial.baud`, else the protocol's usual 1 Mbit/s.
    public var baud: Int

    /// The watchdog the firmware gets when none is asked for, s: `armature emulate`'s too.
    public static let defaultWatchdog = 0.1

    /// The table for `robot`, with the device watchdog `watchdog` (s).
    public init(robot: RobotDescription, watchdog: Double = FirmwareRobotTable.defaultWatchdog) throws(FirmwareExportError) {
        let n = robot.jointCount
        guard (1...16).contains(n) else { throw .jointCount(n) }
        let period = robot.control.period
        guard watchdog.isFinite, watchdog > 3 * period else { throw .watchdogTooShort(watchdog: watchdog, controlPeriod: period) }
        guard watchdog * 1e6 < Double(UInt32.max) else { throw .watchdogTooLong(watchdog) }
        if let serial = robot.serial {
            let ride = serial.timeout * Double(serial.lostReplies)
            guard watchdog > ride else { throw .watchdogBelowLostReplies(watchdog: watchdog, rideThrough: ride) }
        }
        let mass = PlanarArm(robot).massMatrix(q: Array(repeating: 0, count: n))
        let limits = deviceTorqueLimits(robot)
        var rows: [Joint] = []
        for (j, joint) in robot.joints.enumerated() {
            let inertia = mass[j * n + j]
            guard inertia.isFinite, inertia > 0 else { throw .inertia(joint: joint.name, value: inertia) }
            let row = Joint(
                name: joint.name, torqueLimit: Float(limits[j]),
                positionLow: joint.position.map { Float($0.low) } ?? -.infinity,
                positionHigh: joint.position.map { Float($0.high) } ?? .infinity,
                inertia: inertia, damping: joint.damping)
            guard row.torqueLimit.isFinite, row.torqueLimit > 0 else {
                throw .notRepresentable(joint: joint.name, field: "torque limit", value: limits[j])
            }
            if let position = joint.position {
                for (field, value) in [("position low", position.low), ("position high", position.high)]
                where !Float(value).isFinite {
                    throw .notRepresentable(joint: joint.name, field: field, value: value)
                }
            }
            rows.append(row)
        }
        robotName = robot.name
        fingerprint = robot.fingerprint
        joints = rows
        controlPeriodMicros = UInt32((period * 1e6).rounded())
        watchdogMicros = UInt32((watchdog * 1e6).rounded())
        baud = robot.serial?.baud ?? 1_000_000
    }
}
