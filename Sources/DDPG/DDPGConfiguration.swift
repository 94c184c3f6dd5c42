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

extension DDPGConfiguration {
    /// Widest hidden layer and most hidden layers: a 16 384-wide layer is 268 M weights, 1 GiB.
    public static let maximumWidth = 16_384
    public static let maximumHiddenLayers = 8
    /// Largest replay buffer, in transitions (about 10 GB at the reacher's 96 bytes each).
    public static let maximumBufferSize = 100_000_000

    /// Everything wrong with these hyperparameters, each naming the `train` option, the range and
    /// the value; empty when they can be trained with. Every value must be finite and in range
    /// before anything runs: a NaN γ or a negative τ trains an actor of NaN. The command line and
    /// checkpoints (whose fields are as untrusted as user input) both check here.
    public var problems: [String] {
        var found: [String] = []
        func check(_ option: String, _ value: Double, _ range: ClosedRange<Double>, open lower: Bool = false) {
            let inside = value.isFinite && range.contains(value) && !(lower && value == range.lowerBound)
            if !inside { found.append("\(option) must be \(lower ? "greater than" : "at least") \(range.lowerBound) and at most \(range.upperBound) (got \(value))") }
        }
        func check(_ option: String, _ value: Int, _ range: ClosedRange<Int>) {
            if !range.contains(value) { found.append("\(option) must be from \(range.lowerBound) to \(range.upperBound) (got \(value))") }
        }
        check("--gamma", Double(gamma), 0...1)
        check("--tau", Double(tau), 0...1, open: true)
        check("--actor-learning-rate", Double(actorLearningRate), 0...1, open: true)
        check("--critic-learning-rate", Double(criticLearningRate), 0...1, open: true)
        check("--buffer-size", bufferSize, 1...Self.maximumBufferSize)
        check("--batch-size", batchSize, 1...65_536)
        check("--learning-starts", learningStarts, 0...Int(Int32.max))
        check("--policy-frequency", policyFrequency, 1...1_000_000)
        check("--updates-per-step", updatesPerStep, 1...16)
        if hiddenSizes.isEmpty || hiddenSizes.count > Self.maximumHiddenLayers
            || hiddenSizes.contains(where: { !(1...Self.maximumWidth).contains($0) })
        {
            found.append("--hidden must be 1 to \(Self.maximumHiddenLayers) widths from 1 to \(Self.maximumWidth) (got \(hiddenSizes))")
        }
        switch noise {
        case .gaussian(let sigma):
            check("--noise-sigma", sigma, 0...10)
        case .ornsteinUhlenbeck(let theta, let sigma):
            check("--noise-sigma", sigma, 0...10)
            check("--noise-theta", theta, 0...100)
        }
        return found
    }
}
