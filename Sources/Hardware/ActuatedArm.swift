import RobotModel

/// The arm's own safety stage, whatever drives it — deployment, evaluation, training or a script:
/// normalized actions in [-1, 1] → `ActuatorMap` (scale, midpoint; a non-finite action zeroes
/// every torque and throws) → `SafetyGuard` (effort, position and velocity cuts) → any
/// `ArmBackend`. Tasks never hold a backend, so the guard can never be skipped.
public final class ActuatedArm {
    public let robot: RobotDescription
    public let backend: any ArmBackend
    /// The arm's state after the last activation, placement or command.
    public private(set) var state: JointState
    /// What the guard changed in the last command (clamped efforts, cut torques, zeroed values).
    public private(set) var lastCommandReport = SafetyGuard.Interventions()
    /// The torques sent with the last command, after the map and the guard, N·m.
    public private(set) var torques: [Double]

    private let actuators: ActuatorMap
    private var safetyGuard: SafetyGuard

    public init(robot: RobotDescription, backend: any ArmBackend) {
        self.robot = robot
        self.backend = backend
        actuators = ActuatorMap(robot: robot)
        safetyGuard = SafetyGuard(robot: robot)
        state = JointState(jointCount: robot.jointCount)
        torques = Array(repeating: 0, count: robot.jointCount)
    }

    public var jointCount: Int { robot.jointCount }
    public var controlPeriod: Double { backend.controlPeriod }
    public var isActive: Bool { backend.isActive }
    /// Everything the guard changed since the arm was made.
    public var interventions: SafetyGuard.Interventions { safetyGuard.interventions }

    /// Powers the motors with zero torque, if they are not powered, and reads the state.
    public func activate() throws {
        if !backend.isActive { try backend.activate(state: &state) }
    }

    /// Brings the arm to (position, velocity) with zero torque (see `ArmBackend.reset`), activating it first.
    public func place(position: [Double], velocity: [Double]) throws {
        try activate()
        try backend.reset(position: position, velocity: velocity, state: &state)
    }

    /// Sends one normalized action for one control period and reads the state back.
    public func command(_ actions: [Double]) throws {
        let before = safetyGuard.interventions
        try actuators.torques(actions: actions, into: &torques)
        safetyGuard.apply(torques: &torques, state: state)
        lastCommandReport = safetyGuard.interventions - before
        try backend.step(torques: torques, state: &state)
    }

    /// Torque off and motors disabled; safe at any time.
    public func deactivate() { backend.deactivate() }
}
