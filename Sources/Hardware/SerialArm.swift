import FirmwareLink
import Logging
import RobotModel

/// A real arm (or the device emulator) behind the wire protocol as an `ArmBackend`: one TORQUE out
/// and one STATE in per control period, nothing allocated per step.
///
/// `reset` sends HOME. A physical arm re-zeroes its encoders there (PROTOCOL.md 6.4): it is not
/// moved, so drive it to a known pose first. A device that can set velocity (the emulator,
/// protocol ≥ 1.1) is placed exactly at (position, velocity), which is what makes a seeded episode
/// through the lockstep emulator match the simulator.
///
/// A lost reply is ridden through (`FirmwareLink`): the step completes with the state a HEARTBEAT
/// reads, whether or not its torque took effect. The link's limit of lost replies in a row (the
/// description's `serial.lost_replies`) or a lost line leaves the arm inactive and every call
/// throwing until `reconnect()`.
public final class SerialArm: ArmBackend {
    public let robot: RobotDescription
    /// The wire underneath, for statistics, e-stop and diagnostics.
    public let link: FirmwareLink
    public var jointCount: Int { robot.jointCount }
    public var controlPeriod: Double { robot.control.period }
    public private(set) var isActive = false
    /// The last STATE the device sent (status flags, result, latched fault, device time).
    public private(set) var deviceState: DeviceState
    /// What the device said about itself at the last handshake.
    public var device: FirmwareLink.DeviceInfo? { link.device }
    /// Frames, damage, lost and late replies and round-trip times seen on the link.
    public var linkStatistics: LinkStatistics { link.statistics }

    private let logger: Logger

    /// The arm at `port` (default: the robot's `serial.port`), with the description's baud,
    /// timeout and lost-reply limit unless given. Nothing is opened until `activate` or `reset`.
    public convenience init(
        robot: RobotDescription, port: String? = nil, baud: Int? = nil, timeout: Double? = nil, lostReplies: Int? = nil,
        logger: Logger = Logger(label: "armature.serial-arm")
    ) throws {
        guard let path = port ?? robot.serial?.port else { throw SerialArmError.noPort(robot: robot.name) }
        let configuration = FirmwareLink.Configuration(
            path: path, baud: baud ?? robot.serial?.baud ?? SerialPorts.defaultBaud,
            timeout: timeout ?? robot.serial?.timeout ?? 0.02,
            lostReplyLimit: lostReplies ?? robot.serial?.lostReplies ?? FirmwareLink.Configuration.defaultLostReplyLimit)
        self.init(robot: robot, link: FirmwareLink(configuration: configuration, logger: logger), logger: logger)
    }

    /// The arm behind an existing link (opened or not).
    public init(robot: RobotDescription, link: FirmwareLink, logger: Logger = Logger(label: "armature.serial-arm")) {
        self.robot = robot
        self.link = link
        self.logger = logger
        deviceState = DeviceState(jointCount: robot.jointCount)
    }

    /// Opens the port if needed, shakes hands (a new session: the device starts disabled), checks
    /// the device against the description, enables the motors and reads the first state.
    public func activate(state: inout JointState) throws {
        try state.requireJointCount(jointCount)
        isActive = false
        try startSession()
        try link.enable()
        try link.heartbeat(state: &deviceState)
        isActive = true
        copy(into: &state)
    }

    public func step(torques: [Double], state: inout JointState) throws {
        guard isActive else { throw BackendError.inactive }
        try BackendError.require(torques, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        do {
            try link.torque(torques, state: &deviceState)
        } catch {
            isActive = false
            throw error
        }
        copy(into: &state)
        if let lost = deviceState.lostTorque, deviceState.appliedSequence != lost, !deviceState.status.contains(.enabled) {
            // The STATE was lost and the HEARTBEAT after it finds the motors off: the torque was not
            // applied, and no later one will be until the arm is activated again.
            isActive = false
            throw SerialArmError.torqueRefused(
                port: link.path, result: .notEnabled, fault: deviceState.fault, status: deviceState.status)
        }
        guard deviceState.result == .ok else {
            // A disabled device (watchdog, e-stop, fault) needs activate() again; a stale command does not.
            if !deviceState.status.contains(.enabled) { isActive = false }
            throw SerialArmError.torqueRefused(
                port: link.path, result: deviceState.result, fault: deviceState.fault, status: deviceState.status)
        }
    }

    /// HOME at (position, velocity) with the motors disabled, then back to the previous activity,
    /// then a fresh state. Velocities go only to devices that understand them (protocol ≥ 1.1).
    public func reset(position: [Double], velocity: [Double], state: inout JointState) throws {
        try BackendError.require(position, velocity, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        let wasActive = isActive
        isActive = false
        if !link.isConnected { try startSession() }
        if wasActive { try link.disable() }
        let acceptsVelocity = link.device?.acceptsHomeVelocity ?? false
        if !acceptsVelocity && velocity.contains(where: { $0 != 0 }) {
            logger.notice("device on \(link.path) speaks protocol \(link.device?.version ?? "?"); HOME velocities are ignored")
        }
        try link.home(position: position, velocity: acceptsVelocity ? velocity : nil)
        if wasActive { try link.enable() }
        try link.heartbeat(state: &deviceState)
        isActive = wasActive
        copy(into: &state)
    }

    /// Best-effort DISABLE; the port stays open. Never throws.
    public func deactivate() {
        let wasActive = isActive
        isActive = false
        if wasActive && link.isConnected {
            do { try link.disable() } catch { logger.warning("disabling the arm on \(link.path) failed: \(error)") }
        }
    }

    /// Clears a link fault: reopens the port and shakes hands again. The arm stays inactive; activate it.
    public func reconnect() throws {
        isActive = false
        let info = try link.reconnect()
        try check(info)
    }

    private func startSession() throws {
        try link.open()
        let info = try link.handshake()
        try check(info)
    }

    private func check(_ info: FirmwareLink.DeviceInfo) throws {
        guard info.jointCount == jointCount else {
            throw SerialArmError.jointCountMismatch(
                port: link.path, robot: robot.name, robotJoints: jointCount, deviceJoints: info.jointCount)
        }
        if info.watchdogPeriod < 3 * controlPeriod {
            // PROTOCOL.md 8.2: one lost frame should not trip the watchdog.
            logger.warning(
                "device on \(link.path) has a \(info.watchdogPeriod) s watchdog, under three control periods of \(controlPeriod) s")
        }
    }

    private func copy(into state: inout JointState) {
        for i in 0..<jointCount {
            state.position[i] = deviceState.position[i]
            state.velocity[i] = deviceState.velocity[i]
            state.torque[i] = deviceState.torque[i]
        }
        state.time = Double(deviceState.timeMicros) * 1e-6
    }
}

/// Why the serial arm refused or failed, beyond the link's own errors (`FirmwareLinkError`).
public enum SerialArmError: Error, Sendable, Equatable, CustomStringConvertible {
    case noPort(robot: String)
    case jointCountMismatch(port: String, robot: String, robotJoints: Int, deviceJoints: Int)
    case torqueRefused(port: String, result: ResultCode, fault: FaultCode, status: DeviceStatus)

    public var description: String {
        switch self {
        case .noPort(let robot):
            return "robot \(robot) has no serial port; add `serial: {port: /dev/ttyACM0}` to its description "
                + "(robots/README.md) or name the port explicitly"
        case .jointCountMismatch(let port, let robot, let robotJoints, let deviceJoints):
            return "the device on \(port) has \(deviceJoints) joints but robot \(robot) describes \(robotJoints); "
                + "connect the arm the description is for, or fix the description's joints"
        case .torqueRefused(let port, let result, let fault, let status):
            let faultText = fault == .none ? "" : ", fault \(fault)"
            return "the device on \(port) did not apply the torque: \(result)\(faultText) (status \(status)); \(result.advice), "
                + "then activate the arm again"
        }
    }
}
