import ArmDynamics
import DeterministicRandom
import FirmwareLink
import MonotonicTime
import RobotModel

/// The simulated arm as an `ArmBackend`: rigid-body dynamics stepped with the description's
/// integrator, through the description's reality gap (`RealityGapModel`: latency, deadband,
/// torque gain, actuator lag, friction, sensor quantization and noise), exact where it is zero.
public final class SimulatedArm: ArmBackend {
    /// The plant simulated: the description given, or the variation of it `reconfigure` set.
    public private(set) var robot: RobotDescription
    public private(set) var simulator: ArmSimulator
    /// The gap this arm applies: the description's unless one was given.
    public var gap: RealityGap { model.gap }
    public var jointCount: Int { robot.jointCount }
    public var controlPeriod: Double { robot.control.period }
    /// Physics steps per control period.
    public let substeps: Int

    private var model: RealityGapModel
    /// The move in force, as a device holds it: from a `move` until the next `step`, placement or
    /// deactivation; a second `move` meanwhile goes on with it.
    private var holding: MoveController?
    private var command: [Double]
    private var sensed: JointState
    public private(set) var isActive = false
    public var canPlace: Bool { true }

    /// The arm of `robot` through `gap` (default: the description's own); `seed` seeds the sensor noise.
    public init(robot: RobotDescription, gap: RealityGap? = nil, seed: UInt64 = 0) {
        self.robot = robot
        simulator = ArmSimulator(robot: robot)
        substeps = max(1, Int((robot.control.period / robot.physics.timestep).rounded()))
        model = RealityGapModel(robot: robot, gap: gap ?? robot.realityGap, seed: seed)
        command = Array(repeating: 0, count: robot.jointCount)
        sensed = JointState(jointCount: robot.jointCount)
        model.reset(at: simulator)
    }

    public func activate(state: inout JointState) throws {
        try state.requireJointCount(jointCount)
        isActive = true
        motorsOff()
        model.measure(simulator, into: &state)
    }

    public func step(torques: [Double], state: inout JointState) throws {
        guard isActive else { throw BackendError.inactive }
        try BackendError.require(torques, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        holding = nil  // a torque command ends a move, as a TORQUE does on a device
        issue(torques)
        for _ in 0..<substeps { physicsStep() }
        try checkFinite()
        model.measure(simulator, into: &state)
    }

    // MARK: The plant, for the device emulator

    /// A torque command (N·m) from now on, through the gap's latency: what a device's motor driver
    /// is told. The emulator's board calls it for every torque its device commands.
    public func issue(_ torques: [Double]) { model.issue(torques, at: simulator.time) }

    /// One physics step under the commands issued so far, through the gap.
    public func physicsStep() { model.step(simulator) }

    /// What the sensors read now, through the gap.
    public func measure(into state: inout JointState) { model.measure(simulator, into: &state) }

    /// Continues with another plant — `robot`'s masses, rotor inertias, damping and reality gap —
    /// from the same joint state and time, the motors off: domain randomization's new episode.
    /// The joint count, control rate and physics timestep must be the arm's own.
    public func reconfigure(to varied: RobotDescription) {
        precondition(
            varied.jointCount == jointCount && varied.control.period == robot.control.period
                && varied.physics.timestep == robot.physics.timestep,
            "a reconfigured plant keeps the arm's joints, control rate and timestep")
        let next = ArmSimulator(robot: varied)
        next.reset(q: simulator.q, qd: simulator.qd, time: simulator.time)
        robot = varied
        simulator = next
        model = RealityGapModel(robot: varied, gap: varied.realityGap, continuing: model)
        motorsOff()
    }

    /// Restarts the sensor noise from `seed`: an environment seeds each episode's noise from its own
    /// stream, so that a run resumed from a checkpoint reads the same noise as one that never stopped.
    public func reseedNoise(_ seed: UInt64) { model.reseed(seed) }

    /// A description at the edge of its bounds (a nearly massless link under a large torque) can
    /// still integrate to infinity; nothing downstream may see that as a state.
    public func checkFinite() throws {
        for i in 0..<jointCount where !simulator.q[i].isFinite || !simulator.qd[i].isFinite {
            isActive = false
            throw BackendError.diverged(joint: i, time: simulator.time)
        }
    }

    /// The joint range a device refuses move targets outside: the description's position limits,
    /// none for a continuous joint.
    private var positionLows: [Double] { robot.joints.map { $0.position?.low ?? -.infinity } }
    private var positionHighs: [Double] { robot.joints.map { $0.position?.high ?? .infinity } }

    public func read(state: inout JointState) throws {
        try state.requireJointCount(jointCount)
        model.measure(simulator, into: &state)
    }

    public func place(position: [Double], velocity: [Double], state: inout JointState) throws {
        try BackendError.require(position, velocity, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        if let joint = (0..<jointCount).first(where: { !position[$0].isFinite || !velocity[$0].isFinite }) {
            throw BackendError.nonFiniteStart(joint: joint)
        }
        simulator.reset(q: position, qd: velocity, time: simulator.time)
        motorsOff()
        model.measure(simulator, into: &state)
    }

    /// The device's move, simulated as the lockstep emulator runs it (`DeviceEmulator`): per
    /// control period, one controller update at the period's start, then after every physics step
    /// one more, whose torque is issued for the next step; settled or not is the last update's
    /// verdict. The controller reads the sensors and drives the motors through the gap, as a
    /// device's would.
    @discardableResult
    /// The move takes no wall time (the plant is simulated), so `stop` never has to end it early.
    public func move(to position: [Double], profile: MoveProfile, state: inout JointState, unless stop: StopRequest) throws -> MoveOutcome {
        guard isActive else { throw BackendError.inactive }
        try BackendError.require(position, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        let moveCommand = profile.command(to: position)
        if let refusal = MoveController.refusal(of: moveCommand, low: positionLows, high: positionHighs) {
            throw BackendError.moveRefused(refusal.description)
        }
        var controller: MoveController
        if let holding {
            controller = holding
            controller.retarget(moveCommand)
        } else {
            controller = MoveController(command: moveCommand, torqueLimits: deviceTorqueLimits(robot))
            model.measure(simulator, into: &sensed)
            controller.start(position: sensed.position, timeMicros: deviceMicros(simulator.time))
        }
        defer { holding = isActive ? controller : nil }
        var periods = 0
        var started = 0.0
        while true {
            var verdict = controlUpdate(&controller)
            for _ in 0..<substeps {
                physicsStep()
                verdict = controlUpdate(&controller)
            }
            try checkFinite()
            periods += 1
            model.measure(simulator, into: &state)
            if periods == 1 { started = state.time }
            if let outcome = try finishMove(
                to: position, profile: profile, state: state, settled: verdict.settled, periods: periods, started: started)
            {
                return outcome
            }
        }
    }

    /// One controller update from the sensors, its torque issued to the motors.
    private func controlUpdate(_ controller: inout MoveController) -> (settled: Bool, clamped: Bool) {
        model.measure(simulator, into: &sensed)
        let verdict = controller.update(
            position: sensed.position, velocity: sensed.velocity, timeMicros: deviceMicros(simulator.time), torques: &command)
        issue(command)
        return verdict
    }

    public func deactivate() {
        isActive = false
        motorsOff()
    }

    /// No torque in flight or on the motors, no move held.
    private func motorsOff() {
        holding = nil
        model.reset(at: simulator)
    }
}

/// Why a backend refused a call.
public enum BackendError: Error, Sendable, Equatable, CustomStringConvertible {
    case inactive
    case wrongSize(expected: Int, got: Int)
    /// The simulated arm's state stopped being finite; it is switched off.
    case diverged(joint: Int, time: Double)
    case nonFiniteStart(joint: Int)
    /// A real arm cannot be put at a state; it is moved there (`move`) or starts where it is.
    case cannotPlace
    /// A move did not settle within its timeout.
    case moveNotSettled(seconds: Double, joint: Int, error: Double, speed: Double)
    /// The move's target or profile is one the device refuses (outside the joint range, a negative gain, ...).
    case moveRefused(String)
    /// A stop was requested (Ctrl-C, an e-stop) during a move; the arm is deactivated.
    case moveStopped

    public var description: String {
        switch self {
        case .inactive: return "the arm is not active; call activate() before commanding torque"
        case .wrongSize(let expected, let got): return "expected \(expected) joint values, got \(got)"
        case .diverged(let joint, let time):
            return String(
                format: "the simulation diverged at t = %.4f s: joint %d's angle or speed is no longer finite; "
                    + "check the robot description's masses, inertias and torque ranges (a near-massless link under a large torque)",
                time, joint)
        case .nonFiniteStart(let joint): return "the start state of joint \(joint) is not a finite number"
        case .cannotPlace:
            return "a real arm cannot be placed at a state; start episodes by moving it there (--episode-start move) "
                + "or from where it is (--episode-start measured)"
        case .moveNotSettled(let seconds, let joint, let error, let speed):
            return String(
                format: "the arm did not settle at the start pose within %.3g s: joint %d is %.4f rad from its target, "
                    + "moving at %.4f rad/s; the torque is off. Check that nothing blocks the arm and that the torque "
                    + "limits can hold it, or loosen the robot description's move.tolerance, move.timeout or gains",
                seconds, joint, error, speed)
        case .moveStopped: return "the move to the start pose was stopped on request; the torque is off"
        case .moveRefused(let reason):
            return "the move was refused (\(reason)): its target must lie within the joint's position limits and its gains, "
                + "speed and tolerances must be usable; check the robot description's move section"
        }
    }
}
