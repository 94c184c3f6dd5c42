import Training
import TestSupport
import Policy

/// What the trainer tests share: the reacher's policy metadata and a small configuration.
enum TrainingFixtures {
    static let reacherMetadata = PolicyMetadata(
        observationLayout: "reacher-v5", jointNames: ["shoulder", "elbow"], robotName: "reacher", robotFingerprint: "",
        activations: ["relu", "relu", "tanh"])

    /// Small and quick, but the same code path as the defaults.
    static func smallConfiguration() -> LearnerConfiguration {
        var c = LearnerConfiguration()
        c.hiddenSizes = [32, 32]
        c.batchSize = 32
        c.learningStarts = 200
        c.bufferSize = 5_000
        return c
    }
}

extension TrainingFixtures {
    /// The PyTorch references' batch (5 transitions, observation 3, action 2) from a case's
    /// `obs`, `actions`, `rewards`, `dones` and `next_obs`.
    static func referenceBatch(_ reference: [String: Any]) -> ReplayBatch {
        let batch = ReplayBatch(size: 5, observationSize: 3, actionSize: 2)
        let obs = PyTorchReference.floats(reference["obs"])
        let actions = PyTorchReference.floats(reference["actions"])
        let next = PyTorchReference.floats(reference["next_obs"])
        let rewards = PyTorchReference.floats(reference["rewards"])
        let dones = PyTorchReference.floats(reference["dones"])
        let layout = batch.layout
        for b in 0..<5 {
            let row = batch.row(b)
            for j in 0..<3 { row[layout.observation + j] = obs[b * 3 + j] }
            for j in 0..<2 { row[layout.action + j] = actions[b * 2 + j] }
            row[layout.reward] = rewards[b]
            row[layout.terminated] = dones[b]
            for j in 0..<3 { row[layout.nextObservation + j] = next[b * 3 + j] }
        }
        return batch
    }
}

extension Trainer {
    /// The learner of a DDPG run, with its one critic and target actor.
    var ddpg: DDPGAgent { learner as! DDPGAgent }
}
