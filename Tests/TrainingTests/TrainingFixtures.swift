import Training
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

extension Trainer {
    /// The learner of a DDPG run, with its one critic and target actor.
    var ddpg: DDPGAgent { learner as! DDPGAgent }
}
