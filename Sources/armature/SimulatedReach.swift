import Hardware
import Policy
import RobotModel
import Tasks

/// The reach task on the simulated arm, built the same way for every command that needs it.
struct SimulatedReach {
    let robot: RobotDescription
    let arm: SimulatedArm
    let task: ReachEnvironment

    /// The robot at `robotPath` through its own reality gap, or through `gap` when given;
    /// `previousAction`: observations end with the previous action (`ObservationLayout`).
    init(robotPath: String, gap: RealityGap? = nil, seed: UInt64 = 0, previousAction: Bool = false) throws {
        robot = try loadRobot(robotPath)
        arm = SimulatedArm(robot: robot, gap: gap, seed: seed)
        task = ReachEnvironment(robot: robot, backend: arm, previousAction: previousAction)
    }
}

/// Whether the policy at `path` observes its previous action (its layout says so): the
/// environment that runs it must build the same observation.
func policyObservesPreviousAction(_ path: String) throws -> Bool {
    do {
        let layout = try ActorPolicy.load(path: path, expecting: nil).policy.metadata.observationLayout
        return ObservationLayout(rawValue: layout)?.includesPreviousAction ?? false
    } catch {
        throw UserFacingError(error.description)
    }
}

extension ReachEnvironment {
    /// Loads a policy checked against this robot and task — the one way every command loads one;
    /// warnings go to stderr.
    func loadPolicy(_ path: String) throws -> ActorPolicy {
        do {
            let (policy, warnings) = try ActorPolicy.load(path: path, expecting: policyExpectation)
            for warning in warnings { printWarning(warning) }
            return policy
        } catch {
            throw UserFacingError(error.description)
        }
    }

    /// What a policy for this robot and task must match (checked when it is loaded).
    var policyExpectation: PolicyExpectation {
        PolicyExpectation(
            observationLayout: layout.rawValue, observationSize: observationSize, jointNames: robot.jointNames,
            robotName: robot.name, robotFingerprint: robot.fingerprint)
    }

    /// Metadata for a policy trained on this task (CleanRL's actor activations).
    func policyMetadata(layers: Int) -> PolicyMetadata {
        PolicyMetadata(
            observationLayout: layout.rawValue, jointNames: robot.jointNames, robotName: robot.name,
            robotFingerprint: robot.fingerprint, activations: Array(repeating: "relu", count: layers - 1) + ["tanh"])
    }
}
