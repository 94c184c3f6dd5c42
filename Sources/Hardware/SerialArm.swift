import FirmwareLink
import Logging
import MonotonicTime
import RobotModel

/// A real arm (or the device emulator) behind the wire protocol as an `ArmBackend`: one TORQUE out
/// and one STATE in per control period, the STATE's joint values read straight into the caller's
/// `JointState`, nothing allocated per step. A real-time device answers the TORQUE with the state
/// the arm was in when the torque began to act, so the step then waits for the period to end and
/// reads the arm with a HEARTBEAT (`PeriodEndReading`); a lockstep device's STATE already is the
/// period's end.
///
/// Episodes start by `move` (protocol 1.3 MOVE: the device's position controller drives the arm to
/// the start pose, the host repeating MOVE once a control period until the device reports it
/// settled) or from where the arm is (`read`). A real arm cannot be placed (`canPlace` is false),
/// and nothing here re-zeroes its encoders but `rezero`, which a person asks for by name.
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
    public var canPlace: Bool { false }
    /// What the last STATE said besides the joint values: status flags, result, latched fault, device time.
    public private(set) var report = DeviceReport()
    /// What the device said about itself at the last handshake.
    public var device: FirmwareLink.DeviceInfo? { link.device }
    /// Frames, damage, lost and late replies, requests by type and round-trip times seen on the link.
    public var linkStatistics: LinkStatistics { link.statistics }

    public private(set) var lastStepWait = 0.0
    private var periodEnd: PeriodEndReading
    /// The period whose end a real-time step waits for: the robot's control period, or the loop's
    /// when it runs at another rate (`run --rate-hz`).
    public var readingPeriod: Double {
        get { periodEnd.period }
        set { periodEnd = PeriodEndReading(period: newValue) }
    }
    private let logger: Logger

    /// The arm at `port` (default: the robot's `serial.port`), with the description's baud,
    /// timeout, lost-reply limit and connect timeout unless given. Nothing is opened until `activate`.
    public convenience init(
        robot: RobotDescription, port: String? = nil, baud: Int? = nil, timeout: Double? = nil, lostReplies: Int? = nil,
        connectTimeout: Double? = nil, logger: Logger = Logger(label: "armature.serial-arm")
    ) throws {
        guard let path = port ?? robot.serial?.port else { throw SerialArmError.noPort(robot: robot.name) }
        let configuration = FirmwareLink.Configuration(
            path: path, baud: baud ?? robot.serial?.baud ?? SerialPorts.defaultBaud,
            timeout: timeout ?? robot.serial?.timeout ?? 0.02,
            connectTimeout: connectTimeout ?? robot.serial?.connectTimeout ?? FirmwareLink.Configuration.defaultConnectTimeout,
            lostReplyLimit: lostReplies ?? robot.serial?.lostReplies ?? FirmwareLink.Configuration.defaultLostReplyLimit)
        self.init(robot: robot, link: FirmwareLink(configuration: configuration, logger: logger), logger: logger)
    }

    /// The arm behind an existing link (opened or not).
    public init(robot: RobotDescription, link: FirmwareLink, logger: Logger = Logger(label: "armature.serial-arm")) {
        self.robot = robot
        self.link = link
        self.logger = logger
        periodEnd = PeriodEndReading(period: robot.control.period)
    }

    /// Opens the port if needed, shakes hands (a new session: the device starts disabled), checks
    /// the device against the description, enables the motors and reads the first state.
    public func activate(state: inout JointState) throws {
        try state.requireJointCount(jointCount)
        isActive = false
        try startSession()
        try link.enable()
        try link.heartbeat(joints: &state, report: &report)
        periodEnd.restart()
        isActive = true
    }

    public func step(torques: [Double], state: inout JointState) throws {
        guard isActive else { throw BackendError.inactive }
        try BackendError.require(torques, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        lastStepWait = 0
        let commanded = MonotonicClock.seconds()
        do {
            try link.torque(torques, joints: &state, report: &report)
        } catch {
            isActive = false
            throw error
        }
        if let lost = report.lostTorque, report.appliedSequence != lost, !report.status.contains(.enabled) {
            // The STATE was lost and the HEARTBEAT after it finds the motors off: the torque was not
            // applied, and no later one will be until the arm is activated again.
            isActive = false
            throw SerialArmError.refused(port: link.path, request: .torque, result: .notEnabled, fault: report.fault, status: report.status)
        }
        try checkAccepted(.torque)
        guard !(link.device?.capabilities.contains(.lockstep) ?? false) else { return }
        // The STATE above is the arm as the torque began to act; the step's state is the period's end.
        lastStepWait = periodEnd.waitForReading(commandedAt: commanded)
        do {
            try link.heartbeat(joints: &state, report: &report)
        } catch {
            isActive = false
            throw error
        }
    }

    /// Whether the device holds an actor of its own (protocol 1.4, capability ACTOR).
    public var canRunActor: Bool { link.device?.canRunActor ?? false }

    /// GOAL (protocol 1.4): the device's own actor drives the arm towards `goal` (x, y for the reach
    /// task) with no host in the loop; the state is the STATE's. Against a lockstep device each call
    /// is one control period; against a real-time one the device steps at the actor's period and a
    /// call changes the goal, feeds the watchdog and reads the state (`read` keeps it alive too).
    /// The next `step` (TORQUE) takes the arm back.
    public func actOnDevice(goal: [Double], state: inout JointState) throws {
        guard isActive else { throw BackendError.inactive }
        try state.requireJointCount(jointCount)
        do {
            try link.goal(goal, joints: &state, report: &report)
        } catch {
            isActive = false
            throw error
        }
        try checkAccepted(.goal)
    }

    /// HEARTBEAT: the arm as it is, nothing commanded (it feeds the watchdog only while the
    /// device's own actor runs).
    public func read(state: inout JointState) throws {
        try state.requireJointCount(jointCount)
        if !link.isConnected { try startSession() }
        try link.heartbeat(joints: &state, report: &report)
        periodEnd.restart()
    }

    public func place(position: [Double], velocity: [Double], state: inout JointState) throws {
        throw BackendError.cannotPlace
    }

    /// MOVE once a control period — on the wall clock, or back to back against a lockstep device,
    /// whose clock advances one period per MOVE — until the device reports SETTLED; the arm is then
    /// held by the device until the next TORQUE. The timeout runs on the device clock, so a move
    /// through the lockstep emulator ends exactly where the same move of `SimulatedArm` ends. A stop
    /// requested meanwhile wakes the wait between MOVEs and sends DISABLE at once.
    @discardableResult
    public func move(to position: [Double], profile: MoveProfile, state: inout JointState, unless stop: StopRequest) throws -> MoveOutcome {
        guard isActive else { throw BackendError.inactive }
        try BackendError.require(position, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        periodEnd.restart()
        let command = profile.command(to: position)
        let lockstep = link.device?.capabilities.contains(.lockstep) ?? false
        var schedule = PeriodicSchedule(period: controlPeriod, realTime: !lockstep, expectedCycles: 0)
        schedule.restart()
        var periods = 0
        var started = 0.0
        while true {
            do {
                try link.move(command, joints: &state, report: &report)
            } catch {
                isActive = false
                throw error
            }
            try checkAccepted(.move)
            periods += 1
            if periods == 1 { started = state.time }
            do {
                if let outcome = try finishMove(
                    to: position, profile: profile, state: state, settled: report.status.contains(.settled), periods: periods,
                    started: started)
                {
                    return outcome
                }
            } catch {
                // The device holds the arm only while MOVEs come; the caller stops it.
                isActive = false
                throw error
            }
            guard schedule.waitForNextCycle(unless: stop) == .tick else {
                deactivate()
                throw BackendError.moveStopped
            }
        }
    }

    /// HOME: the device re-zeroes its position sensors so that the arm reads `position` now
    /// (PROTOCOL.md 6.4). Only for a person who has put the arm at that pose (against its stops, at
    /// its marks): sent at any other pose it shifts the calibration by the difference, and every
    /// limit the device and the guard enforce with it. The motors are disabled first and stay so.
    public func rezero(position: [Double], state: inout JointState) throws {
        try BackendError.require(position, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        if !link.isConnected { try startSession() }
        deactivate()
        try link.home(position: position)
        try link.heartbeat(joints: &state, report: &report)
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

    /// Throws unless the last STATE says the request was carried out. A disabled device (watchdog,
    /// e-stop, fault) needs activate() again; a stale command does not.
    private func checkAccepted(_ request: MessageType) throws {
        guard report.result == .ok else {
            if !report.status.contains(.enabled) { isActive = false }
            throw SerialArmError.refused(
                port: link.path, request: request, result: report.result, fault: report.fault, status: report.status)
        }
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
}

/// Why the serial arm refused or failed, beyond the link's own errors (`FirmwareLinkError`).
public enum SerialArmError: Error, Sendable, Equatable, CustomStringConvertible {
    case noPort(robot: String)
    case jointCountMismatch(port: String, robot: String, robotJoints: Int, deviceJoints: Int)
    case refused(port: String, request: MessageType, result: ResultCode, fault: FaultCode, status: DeviceStatus)

    public var description: String {
        switch self {
        case .noPort(let robot):
            return "robot \(robot) has no serial port; add `serial: {port: /dev/ttyACM0}` to its description "
                + "(robots/README.md) or name the port explicitly"
        case .jointCountMismatch(let port, let robot, let robotJoints, let deviceJoints):
            return "the device on \(port) has \(deviceJoints) joints but robot \(robot) describes \(robotJoints); "
                + "connect the arm the description is for, or fix the description's joints"
        case .refused(let port, let request, let result, let fault, let status):
            let faultText = fault == .none ? "" : ", fault \(fault)"
            let what = request == .torque ? "apply the torque" : "carry out \(request)"
            return "the device on \(port) did not \(what): \(result)\(faultText) (status \(status)); \(result.advice), "
                + "then activate the arm again"
        }
    }
}
