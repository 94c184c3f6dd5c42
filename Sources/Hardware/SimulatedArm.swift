import ArmDynamics
import DeterministicRandom
import FirmwareLink
import RobotModel

/// The simulated arm as an `ArmBackend`: rigid-body dynamics stepped with the description's
/// integrator, with optional sensor noise and actuation latency to make policies robust to both.
public final class SimulatedArm: ArmBackend {
    /// Imperfections a real arm has and a perfect simulator lacks.
    public struct Imperfections: Sendable, Equatable {
        /// Standard deviation of Gaussian noise on reported positions, rad.
        public var positionNoise: Double
        /// Standard deviation of Gaussian noise on reported velocities, rad/s.
        public var velocityNoise: Double
        /// Whole control periods between a command and its effect on the motors.
        public var latencySteps: Int

        public init(positionNoise: Double = 0, velocityNoise: Double = 0, latencySteps: Int = 0) {
            self.positionNoise = positionNoise
            self.velocityNoise = velocityNoise
            self.latencySteps = latencySteps
        }

        public static let none = Imperfections()
    }

    public let robot: RobotDescription
    public let simulator: ArmSimulator
    public let imperfections: Imperfections
    public var jointCount: Int { robot.jointCount }
    public var controlPeriod: Double { robot.control.period }
    /// Physics steps per control period.
    public let substeps: Int

    private var random: Xoshiro256
    /// Ring of commands not yet applied, `latencySteps` deep.
    private var pending: [[Double]]
    private var pendingIndex = 0
    private var applied: [Double]
    /// The move in force, as a device holds it: from a `move` until the next `step`, placement or
    /// deactivation; a second `move` meanwhile goes on with it.
    private var holding: MoveController?
    public private(set) var isActive = false
    public var canPlace: Bool { true }

    public init(robot: RobotDescription, imperfections: Imperfections = .none, seed: UInt64 = 0) {
        self.robot = robot
        self.imperfections = imperfections
        simulator = ArmSimulator(robot: robot)
        substeps = max(1, Int((robot.control.period / robot.physics.timestep).rounded()))
        random = Xoshiro256(seed: seed)
        let zeros = [Double](repeating: 0, count: robot.jointCount)
        pending = Array(repeating: zeros, count: max(0, imperfections.latencySteps))
        applied = zeros
    }

    public func activate(state: inout JointState) throws {
        try state.requireJointCount(jointCount)
        isActive = true
        clearPending()
        read(into: &state)
    }

    public func step(torques: [Double], state: inout JointState) throws {
        guard isActive else { throw BackendError.inactive }
        try BackendError.require(torques, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        holding = nil  // a torque command ends a move, as a TORQUE does on a device
        if pending.isEmpty {
            for i in 0..<jointCount { applied[i] = torques[i] }
        } else {
            for i in 0..<jointCount {
                applied[i] = pending[pendingIndex][i]
                pending[pendingIndex][i] = torques[i]
            }
            pendingIndex = (pendingIndex + 1) % pending.count
        }
        simulator.advance(torques: applied, steps: substeps)
        try checkFinite()
        read(into: &state)
    }

    /// A description at the edge of its bounds (a nearly massless link under a large torque) can
    /// still integrate to infinity; nothing downstream may see that as a state.
    private func checkFinite() throws {
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
        read(into: &state)
    }

    public func place(position: [Double], velocity: [Double], state: inout JointState) throws {
        try BackendError.require(position, velocity, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        if let joint = (0..<jointCount).first(where: { !position[$0].isFinite || !velocity[$0].isFinite }) {
            throw BackendError.nonFiniteStart(joint: joint)
        }
        simulator.reset(q: position, qd: velocity, time: simulator.time)
        clearPending()
        read(into: &state)
    }

    /// The device's move, simulated as the lockstep emulator runs it (`DeviceEmulator`): per
    /// control period, one controller update at the period's start, then after every physics step
    /// one more, whose torque holds for the next step; settled or not is the last update's verdict.
    /// Commands bypass the latency ring (the controller acts on the motors directly) and leave it
    /// empty; reported states carry the sensor noise as every read does.
    @discardableResult
    public func move(to position: [Double], profile: MoveProfile, state: inout JointState) throws -> MoveOutcome {
        guard isActive else { throw BackendError.inactive }
        try BackendError.require(position, jointCount: jointCount)
        try state.requireJointCount(jointCount)
        let command = profile.command(to: position)
        if let refusal = MoveController.refusal(of: command, low: positionLows, high: positionHighs) {
            throw BackendError.moveRefused(refusal.description)
        }
        var controller: MoveController
        if let holding {
            controller = holding
            controller.retarget(command)
        } else {
            clearPending()
            controller = MoveController(command: command, torqueLimits: deviceTorqueLimits(robot))
            controller.start(position: simulator.q, timeMicros: deviceMicros(simulator.time))
        }
        defer { holding = isActive ? controller : nil }
        var periods = 0
        var started = 0.0
        while true {
            var verdict = controller.update(
                position: simulator.q, velocity: simulator.qd, timeMicros: deviceMicros(simulator.time), torques: &applied)
            for _ in 0..<substeps {
                simulator.advance(torques: applied, steps: 1)
                verdict = controller.update(
                    position: simulator.q, velocity: simulator.qd, timeMicros: deviceMicros(simulator.time), torques: &applied)
            }
            try checkFinite()
            periods += 1
            read(into: &state)
            if periods == 1 { started = state.time }
            if let outcome = try finishMove(
                to: position, profile: profile, state: state, settled: verdict.settled, periods: periods, started: started)
            {
                return outcome
            }
        }
    }

    public func deactivate() {
        isActive = false
        clearPending()
    }

    private func clearPending() {
        holding = nil
        for i in 0..<jointCount { applied[i] = 0 }
        for slot in pending.indices {
            for i in 0..<jointCount { pending[slot][i] = 0 }
        }
    }

    private func read(into state: inout JointState) {
        for i in 0..<jointCount {
            state.position[i] = simulator.q[i] + noise(imperfections.positionNoise)
            state.velocity[i] = simulator.qd[i] + noise(imperfections.velocityNoise)
            state.torque[i] = applied[i]
        }
        state.time = simulator.time
    }

    private func noise(_ sigma: Double) -> Double { sigma > 0 ? sigma * random.normal() : 0 }
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
        case .moveRefused(let reason):
            return "the move was refused (\(reason)): its target must lie within the joint's position limits and its gains, "
                + "speed and tolerances must be usable; check the robot description's move section"
        }
    }
}
