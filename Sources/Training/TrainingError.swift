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
    /// Called after every update, so it allocates nothing.
    static func check(_ statistics: UpdateStatistics, update: Int, step: Int) throws(TrainingError) {
        if !statistics.criticLoss.isFinite {
            throw .nonFiniteUpdate(update: update, step: step, quantity: "critic loss", value: statistics.criticLoss)
        }
        if !statistics.meanQ.isFinite {
            throw .nonFiniteUpdate(update: update, step: step, quantity: "mean Q value", value: statistics.meanQ)
        }
        if let loss = statistics.secondCriticLoss, !loss.isFinite {
            throw .nonFiniteUpdate(update: update, step: step, quantity: "second critic loss", value: loss)
        }
        if let q = statistics.secondMeanQ, !q.isFinite {
            throw .nonFiniteUpdate(update: update, step: step, quantity: "second critic's mean Q value", value: q)
        }
        if let actorLoss = statistics.actorLoss, !actorLoss.isFinite {
            throw .nonFiniteUpdate(update: update, step: step, quantity: "actor loss", value: actorLoss)
        }
        if let alpha = statistics.alpha, !alpha.isFinite {
            throw .nonFiniteUpdate(update: update, step: step, quantity: "entropy temperature α", value: alpha)
        }
        if let alphaLoss = statistics.alphaLoss, !alphaLoss.isFinite {
            throw .nonFiniteUpdate(update: update, step: step, quantity: "temperature loss", value: alphaLoss)
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
