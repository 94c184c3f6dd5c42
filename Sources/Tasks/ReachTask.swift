import ArmDynamics
import DeterministicRandom
import Foundation
import Hardware
import RobotModel

/// Reach a goal with the fingertip of a planar arm: Gymnasium Reacher-v5's task, for any number
/// of joints. Pure: observation, reward, truncation and start sampling are functions of the joint
/// state, the goal and a random stream; the arm belongs to whoever runs the task (`ReachEnvironment`).
///
/// Reward −‖fingertip − goal‖ − Σ aᵢ² (a as given, unclipped, as Gymnasium); never terminated;
/// truncated after `maxEpisodeSteps`. Starts draw q ~ U(±0.1) per joint, the goal uniformly in the
/// disk of radius `goalRadius` by rejection from its bounding square, then q̇ ~ U(±0.005), in that
/// order. The disk is Reacher-v5's 0.2 m on two joints and 95 % of the arm's reach on others.
public struct ReachTask: Sendable {
    public let robot: RobotDescription
    public let layout: ObservationLayout
    public let goalRadius: Double
    public let maxEpisodeSteps: Int
    private let kinematics: PlanarArm

    /// `previousAction`: observations end with the action sent one period before (`ObservationLayout`).
    public init(robot: RobotDescription, goalRadius: Double? = nil, maxEpisodeSteps: Int = 50, previousAction: Bool = false) {
        self.robot = robot
        layout = .forPlanarArm(joints: robot.jointCount, previousAction: previousAction)
        let reach = robot.links.reduce(0) { $0 + $1.length }
        self.goalRadius = goalRadius ?? (robot.jointCount == 2 ? 0.2 : 0.95 * reach)
        self.maxEpisodeSteps = maxEpisodeSteps
        kinematics = PlanarArm(robot)
    }

    public var jointCount: Int { robot.jointCount }
    public var observationSize: Int { layout.size(joints: jointCount) }

    /// Fingertip position for joint angles `q`, m.
    public func fingertip(_ q: [Double]) -> (x: Double, y: Double) { kinematics.fingertip(q: q) }

    /// Fingertip-to-goal distance, m.
    public func distance(_ state: JointState, goal: (x: Double, y: Double)) -> Double {
        let tip = fingertip(state.position)
        return ((tip.x - goal.x) * (tip.x - goal.x) + (tip.y - goal.y) * (tip.y - goal.y)).squareRoot()
    }

    /// The observation in `layout`'s order, written into `observation` (of `observationSize`).
    /// `previousAction` (normalized, clamped) is written only where the layout has it; nil writes zeros there.
    public func observe(
        _ state: JointState, goal: (x: Double, y: Double), previousAction: [Double]? = nil, into observation: inout [Float]
    ) {
        let n = jointCount
        if layout.includesPreviousAction {
            for i in 0..<n { observation[3 * n + 4 + i] = previousAction.map { Float(min(max($0[i], -1), 1)) } ?? 0 }
        }
        let tip = fingertip(state.position)
        for i in 0..<n {
            observation[i] = Float(cos(state.position[i]))
            observation[n + i] = Float(sin(state.position[i]))
            observation[2 * n + 2 + i] = Float(state.velocity[i])
        }
        observation[2 * n] = Float(goal.x)
        observation[2 * n + 1] = Float(goal.y)
        observation[3 * n + 2] = Float(tip.x - goal.x)
        observation[3 * n + 3] = Float(tip.y - goal.y)
    }

    /// Reward for having taken `action` and arrived in `state`.
    public func reward(_ state: JointState, goal: (x: Double, y: Double), action: [Double]) -> Double {
        var control = 0.0
        for a in action { control += a * a }
        return -distance(state, goal: goal) - control
    }

    /// Whether an episode of `steps` steps is cut off.
    public func isTruncated(steps: Int) -> Bool { steps >= maxEpisodeSteps }

    /// An episode's start: joint angles and speeds, and the goal, drawn in Reacher-v5's order.
    public func sampleStart(_ random: inout Xoshiro256, position: inout [Double], velocity: inout [Double]) -> (x: Double, y: Double) {
        for i in 0..<jointCount { position[i] = random.uniform(-0.1, 0.1) }
        var goal: (x: Double, y: Double)
        repeat {
            goal = (random.uniform(-goalRadius, goalRadius), random.uniform(-goalRadius, goalRadius))
        } while (goal.x * goal.x + goal.y * goal.y).squareRoot() >= goalRadius
        for i in 0..<jointCount { velocity[i] = random.uniform(-0.005, 0.005) }
        return goal
    }
}
