import RobotModel

/// Why training stopped before its last step. The action was not sent, the arm is off, and no
/// checkpoint or actor file was written from the bad state: the last good checkpoint is kept.
public enum TrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The actor with its exploration noise produced a non-finite action at `step`.
    case nonFiniteAction(step: Int, joint: Int, value: Double)
    /// Update number `update` produced a non-finite loss or Q value: the networks diverged.
    case nonFiniteUpdate(update: Int, step: Int, quantity: String, value: Float)

    public var description: String {
        switch self {
        case .nonFiniteAction(let step, let joint, let value):
            return "the actor's action for joint \(joint) was \(value) at step \(step); it was not sent (the networks diverged: "
                + "lower the learning rates or check the rewards and observations)"
        case .nonFiniteUpdate(let update, let step, let quantity, let value):
            return "the \(quantity) became \(value) at update \(update) (step \(step)): the networks diverged; "
                + "lower the learning rates, or check the rewards and observations"
        }
    }

    /// The first non-finite quantity of an update's statistics, for `nonFiniteUpdate`.
    static func check(_ statistics: UpdateStatistics, update: Int, step: Int) throws(TrainingError) {
        let quantities: [(String, Float?)] = [
            ("critic loss", statistics.criticLoss), ("mean Q value", statistics.meanQ), ("actor loss", statistics.actorLoss),
        ]
        for case (let name, let value?) in quantities where !value.isFinite {
            throw .nonFiniteUpdate(update: update, step: step, quantity: name, value: value)
        }
    }

    /// Clamps an exploring action to [-1, 1]; a non-finite component stops training instead of
    /// becoming full torque.
    static func clamp(_ action: inout [Double], step: Int) throws(TrainingError) {
        do {
            try ActuatorMap.clamp(actions: &action)
        } catch {
            guard case .nonFinite(let joint, let value) = error else { return }
            throw .nonFiniteAction(step: step, joint: joint, value: value)
        }
    }
}
