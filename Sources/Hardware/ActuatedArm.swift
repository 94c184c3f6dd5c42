import MonotonicTime
import RobotModel

/// The arm's own safety stage, whatever drives it — deployment, evaluation, training or a script:
/// normalized actions in [-1, 1] → the action low-pass → `ActuatorMap` (scale, midpoint; a
/// non-finite action zeroes every torque and throws) → the torque-rate limit → `SafetyGuard`
/// (effort, position and velocity cuts) → any `ArmBackend`. The low-pass and the rate limit are
/// the description's `actuation` section (`ActuationFilter`). Tasks never hold a backend, so the
/// guard can never be skipped, and a policy trains with the filters it will be deployed with.
public final class ActuatedArm {
    public let robot: RobotDescription
    public let backend: any ArmBackend
    /// The arm's state after the last activation, placement or command.
    public private(set) var state: JointState
    /// What the guard and the filters changed in the last command (clamped efforts, cut torques,
    /// zeroed values, a smoothed action, rate-limited torques).
    public private(set) var lastCommandReport = SafetyGuard.Interventions()
    /// How moves to a pose are driven (the description's `move` section).
    public var moveProfile: MoveProfile
    /// How the last move went; nil before the first.
    public private(set) var lastMove: MoveOutcome?
    /// The run's stop request (Ctrl-C, a live page's e-stop): a move to an episode's start (`begin`)
    /// ends as soon as it is requested, torque off, rather than when the arm settles seconds later.
    /// The loops that are handed a stop set it (`ControlLoop.run`, `ConcurrentTrainer.train`).
    public var stop = StopRequest()
    /// The torques sent with the last command, after the map, the filters and the guard, N·m.
    public private(set) var torques: [Double]
    /// The torques the guard was given with the last command (after the map and the filters), N·m:
    /// beside `torques`, what the guard itself changed, which a flight recorder shows step by step.
    public private(set) var requestedTorques: [Double]

    private var moveTarget: [Double]
    private let actuators: ActuatorMap
    private var safetyGuard: SafetyGuard
    /// The action low-pass and the torque-rate limit, with their state.
    public private(set) var filter: ActuationFilter

    public init(robot: RobotDescription, backend: any ArmBackend) {
        self.robot = robot
        self.backend = backend
        actuators = ActuatorMap(robot: robot)
        safetyGuard = SafetyGuard(robot: robot)
        filter = ActuationFilter(robot: robot, period: backend.controlPeriod)
        state = JointState(jointCount: robot.jointCount)
        torques = Array(repeating: 0, count: robot.jointCount)
        requestedTorques = torques
        moveProfile = MoveProfile(robot: robot)
        moveTarget = Array(repeating: 0, count: robot.jointCount)
    }

    public var jointCount: Int { robot.jointCount }
    public var controlPeriod: Double { backend.controlPeriod }
    public var isActive: Bool { backend.isActive }
    /// Everything the guard and the filters changed since the arm was made.
    public var interventions: SafetyGuard.Interventions {
        var all = safetyGuard.interventions
        all.smoothedCommands = filter.smoothedCommands
        all.rateLimitedTorques = filter.rateLimitedTorques
        return all
    }

    /// Powers the motors with zero torque, if they are not powered, and reads the state. The
    /// filters start again from rest then; an arm already powered keeps them as they are.
    public func activate() throws {
        guard !backend.isActive else { return }
        filter.restart(from: nil)
        try backend.activate(state: &state)
    }

    /// Starts an episode at (position, velocity) as `start` says, activating the arm first: placed
    /// exactly (a simulator), moved there by the position controller (velocity is not something a
    /// controller can set; the arm arrives near rest), or left where it is and read.
    public func begin(_ start: EpisodeStart, position: [Double], velocity: [Double]) throws {
        try activate()
        switch start {
        case .place: try backend.place(position: position, velocity: velocity, state: &state)
        case .move:
            // The nearest turn from where the arm is now: something else may have driven it since
            // this stage last saw it (the device's own actor, `run --on-device`), possibly whole turns.
            try backend.read(state: &state)
            for i in 0..<jointCount { moveTarget[i] = nearestTurn(of: position[i], joint: i) }
            lastMove = try backend.move(to: moveTarget, profile: moveProfile, state: &state, unless: stop)
        case .measured: try backend.read(state: &state)
        }
        // The low-pass starts from a zero action; the rate limit from the torque that holds the arm
        // now (a device holds a moved arm with its position controller's torque until the first command).
        filter.restart(from: state.torque)
    }

    /// Sends one normalized action for one control period and reads the state back.
    public func command(_ actions: [Double]) throws {
        let before = interventions
        // The map refuses a non-finite or wrong-sized action before the low-pass sees it, so NaN
        // never enters the filter's state; without a low-pass this is the whole map.
        try actuators.torques(actions: actions, into: &torques)
        if filter.smoothsActions {
            filter.smooth(actions)
            try actuators.torques(actions: filter.action, into: &torques)
        }
        filter.limitRate(&torques)
        // After the rate limit: the guard's cuts act at once, never slowed.
        for i in torques.indices { requestedTorques[i] = torques[i] }
        safetyGuard.apply(torques: &torques, state: state)
        filter.sent(torques)
        lastCommandReport = interventions - before
        try backend.step(torques: torques, state: &state)
    }

    /// A continuous joint (no position limits) at `angle` is at `angle + 2πk` too: the move goes to
    /// the one nearest where the joint is, never winding it back through whole turns it made.
    private func nearestTurn(of angle: Double, joint: Int) -> Double {
        guard robot.joints[joint].position == nil else { return angle }
        let turns = ((state.position[joint] - angle) / (2 * Double.pi)).rounded()
        return angle + turns * 2 * Double.pi
    }

    /// Torque off and motors disabled; safe at any time.
    public func deactivate() {
        backend.deactivate()
        filter.restart(from: nil)
    }
}

/// How an episode's first state comes about.
public enum EpisodeStart: String, Sendable, Equatable, CaseIterable {
    /// The arm is put exactly at the sampled state: a simulator, as MuJoCo's reset does.
    case place
    /// The position controller drives the arm to the sampled pose (PROTOCOL.md 8.6); it arrives near rest.
    case move
    /// The episode starts wherever the arm is.
    case measured

    /// What a backend does unless told otherwise: place where it can, else move.
    public static func `default`(for backend: any ArmBackend) -> EpisodeStart { backend.canPlace ? .place : .move }
}
