import ArmDynamics
import Foundation
import DeterministicRandom
import Hardware
import RobotModel

/// Reach a target with the fingertip: Gymnasium Reacher-v5's task on any two-joint arm backend.
///
/// Reward −‖fingertip − target‖ − Σ aᵢ² (a as given, unclipped, as Gymnasium), computed after
/// the step; never terminated; truncated after `maxEpisodeSteps`. Resets draw q ~ U(±0.1),
/// the target uniformly in the disk of radius `targetRadius` by rejection from its bounding
/// square, then q̇ ~ U(±0.005), in that order. A reset activates the backend if it is not
/// active; deactivating it stays with whoever owns the backend.
public final class ReachTask: Environment {
    public let robot: RobotDescription
    public let backend: any ArmBackend
    public let layout: ObservationLayout = .reacherV5
    public let targetRadius: Double
    public let maxEpisodeSteps: Int
    public var observationSize: Int { layout.size }
    public var actionSize: Int { robot.jointCount }

    /// Target of the current episode in the base frame, m.
    public private(set) var target: (x: Double, y: Double) = (0, 0)
    /// Steps taken in the current episode.
    public private(set) var episodeStep = 0
    /// The arm's state after the last reset or step.
    public private(set) var state: JointState
    public var random = Xoshiro256(seed: 0)
    /// Torque commands the guard altered since the task was made.
    public var interventions: SafetyGuard.Interventions { safetyGuard.interventions }

    private let kinematics: PlanarArm
    private let actuators: ActuatorMap
    private var safetyGuard: SafetyGuard
    private var torques: [Double]
    private var startPosition: [Double]
    private var startVelocity: [Double]

    public init(robot: RobotDescription, backend: any ArmBackend, targetRadius: Double = 0.2, maxEpisodeSteps: Int = 50)
        throws(TaskError)
    {
        guard robot.jointCount == ObservationLayout.reacherV5.jointCount else {
            throw .unsupportedJointCount(robot: robot.name, joints: robot.jointCount, layout: .reacherV5)
        }
        self.robot = robot
        self.backend = backend
        self.targetRadius = targetRadius
        self.maxEpisodeSteps = maxEpisodeSteps
        kinematics = PlanarArm(robot)
        actuators = ActuatorMap(robot: robot)
        safetyGuard = SafetyGuard(robot: robot)
        state = JointState(jointCount: robot.jointCount)
        torques = Array(repeating: 0, count: robot.jointCount)
        startPosition = Array(repeating: 0, count: robot.jointCount)
        startVelocity = Array(repeating: 0, count: robot.jointCount)
    }

    /// Current fingertip position, m.
    public var fingertip: (x: Double, y: Double) { kinematics.fingertip(q: state.position) }

    /// Current fingertip-to-target distance, m.
    public var distance: Double {
        let tip = fingertip
        return ((tip.x - target.x) * (tip.x - target.x) + (tip.y - target.y) * (tip.y - target.y)).squareRoot()
    }

    public func reset(seed: UInt64?, observation: inout [Float]) throws {
        if let seed { random = Xoshiro256(seed: seed) }
        for i in 0..<robot.jointCount { startPosition[i] = random.uniform(-0.1, 0.1) }
        repeat {
            target = (random.uniform(-targetRadius, targetRadius), random.uniform(-targetRadius, targetRadius))
        } while (target.x * target.x + target.y * target.y).squareRoot() >= targetRadius
        for i in 0..<robot.jointCount { startVelocity[i] = random.uniform(-0.005, 0.005) }
        if !backend.isActive { try backend.activate(state: &state) }
        try backend.reset(position: startPosition, velocity: startVelocity, state: &state)
        episodeStep = 0
        observe(into: &observation)
    }

    /// Starts an episode from a given arm state and target instead of random ones (deployment
    /// to a chosen goal, comparisons with a reference).
    public func start(position: [Double], velocity: [Double], target: (x: Double, y: Double), observation: inout [Float])
        throws
    {
        if !backend.isActive { try backend.activate(state: &state) }
        try backend.reset(position: position, velocity: velocity, state: &state)
        self.target = target
        episodeStep = 0
        observe(into: &observation)
    }

    public func step(action: [Double], observation: inout [Float]) throws -> StepOutcome {
        try actuators.torques(actions: action, into: &torques)
        safetyGuard.apply(torques: &torques, state: state)
        try backend.step(torques: torques, state: &state)
        episodeStep += 1
        observe(into: &observation)
        var control = 0.0
        for a in action { control += a * a }
        return StepOutcome(reward: -distance - control, terminated: false, truncated: episodeStep >= maxEpisodeSteps)
    }

    private func observe(into observation: inout [Float]) {
        let q = state.position
        let tip = fingertip
        observation[0] = Float(cos(q[0]))
        observation[1] = Float(cos(q[1]))
        observation[2] = Float(sin(q[0]))
        observation[3] = Float(sin(q[1]))
        observation[4] = Float(target.x)
        observation[5] = Float(target.y)
        observation[6] = Float(state.velocity[0])
        observation[7] = Float(state.velocity[1])
        observation[8] = Float(tip.x - target.x)
        observation[9] = Float(tip.y - target.y)
    }
}

/// Why a task could not be set up.
public enum TaskError: Error, Sendable, Equatable, CustomStringConvertible {
    case unsupportedJointCount(robot: String, joints: Int, layout: ObservationLayout)

    public var description: String {
        switch self {
        case .unsupportedJointCount(let robot, let joints, let layout):
            return "robot '\(robot)' has \(joints) joints but the \(layout.rawValue) observation layout is defined for \(layout.jointCount); use a \(layout.jointCount)-joint description"
        }
    }
}

