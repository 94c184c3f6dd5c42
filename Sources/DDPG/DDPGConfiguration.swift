/// DDPG hyperparameters; the defaults are CleanRL's `ddpg_continuous_action.py`.
public struct DDPGConfiguration: Sendable, Equatable, Codable {
    /// Hidden layer widths of the actor and of the critic.
    public var hiddenSizes: [Int] = [256, 256]
    public var actorLearningRate: Float = 3e-4
    public var criticLearningRate: Float = 3e-4
    public var bufferSize: Int = 1_000_000
    /// Discount γ.
    public var gamma: Float = 0.99
    /// Polyak coefficient τ for the target networks.
    public var tau: Float = 0.005
    public var batchSize: Int = 256
    /// Exploration noise, in normalized action units.
    public var noise: NoiseKind = .gaussian(sigma: 0.1)
    /// Uniform random actions before learning starts.
    public var learningStarts: Int = 25_000
    /// Actor and target updates every this many critic updates.
    public var policyFrequency: Int = 2
    /// Critic updates per environment step after warm-up (the update-to-data ratio; CleanRL: 1).
    public var updatesPerStep: Int = 1

    public init() {}

    /// The exploration noise process.
    public enum NoiseKind: Sendable, Equatable, Codable {
        /// Independent N(0, σ²) per step and joint.
        case gaussian(sigma: Double)
        /// Ornstein–Uhlenbeck: temporally correlated, x += θ(μ − x)dt + σ√dt·N(0, 1), dt = 0.01.
        case ornsteinUhlenbeck(theta: Double, sigma: Double)
    }
}
