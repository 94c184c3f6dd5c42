import NeuralNetwork

/// The off-policy learners `armature train` offers. Each is one update function over the shared
/// networks, optimizers, replay and trainers (`Learner`).
public enum Algorithm: String, Sendable, Equatable, Codable, CaseIterable {
    /// Deterministic actor, one critic (CleanRL's `ddpg_continuous_action.py`).
    case ddpg
    /// Twin critics with the smaller in the target, target policy smoothing, delayed actor updates
    /// (`td3_continuous_action.py`).
    case td3
    /// A tanh-squashed Gaussian actor, twin critics, the entropy temperature tuned automatically
    /// (`sac_continuous_action.py`).
    case sac
}

/// Hyperparameters of a learner. `defaults(for:)` gives CleanRL's defaults for each algorithm;
/// `init()` is DDPG's.
public struct LearnerConfiguration: Sendable, Equatable, Codable {
    public var algorithm: Algorithm = .ddpg
    /// Hidden layer widths of the actor and of each critic.
    public var hiddenSizes: [Int] = [256, 256]
    public var actorLearningRate: Float = 3e-4
    /// The critics' learning rate (SAC's temperature is tuned at this rate too, as in CleanRL).
    public var criticLearningRate: Float = 3e-4
    public var bufferSize: Int = 1_000_000
    /// Discount γ.
    public var gamma: Float = 0.99
    /// Polyak coefficient τ for the target networks.
    public var tau: Float = 0.005
    public var batchSize: Int = 256
    /// Exploration noise for DDPG and TD3, in normalized action units (SAC samples its own policy).
    public var noise: NoiseKind = .gaussian(sigma: 0.1)
    /// Uniform random actions before learning starts.
    public var learningStarts: Int = 25_000
    /// Actor (and, for DDPG and TD3, target) updates every this many critic updates.
    public var policyFrequency: Int = 2
    /// Critic updates per environment step after warm-up (the update-to-data ratio; CleanRL: 1).
    public var updatesPerStep: Int = 1
    /// TD3: σ of the Gaussian noise added to the target actor's action, and its clip.
    public var targetPolicyNoise: Float = 0.2
    public var targetNoiseClip: Float = 0.5
    /// SAC: the entropy temperature α when fixed; nil tunes it (CleanRL's autotune), from α = 1,
    /// towards an entropy of −(action size).
    public var fixedAlpha: Float?
    /// DroQ's regularized critics (Hiraoka et al. 2021): each critic hidden layer (targets too)
    /// becomes Linear → Dropout(criticDropout) → LayerNorm (when `criticLayerNorm`) → ReLU, and the
    /// critics run with dropout wherever they are evaluated. 0 and false: CleanRL's plain critics.
    public var criticDropout: Float = 0
    public var criticLayerNorm = false

    public init() {}

    /// CleanRL's defaults for `algorithm`.
    public static func defaults(for algorithm: Algorithm) -> LearnerConfiguration {
        var c = LearnerConfiguration()
        c.algorithm = algorithm
        if algorithm == .sac {
            c.criticLearningRate = 1e-3
            c.learningStarts = 5_000
        }
        return c
    }

    /// The exploration noise process.
    public enum NoiseKind: Sendable, Equatable, Codable {
        /// Independent N(0, σ²) per step and joint.
        case gaussian(sigma: Double)
        /// Ornstein–Uhlenbeck: temporally correlated, x += θ(μ − x)dt + σ√dt·N(0, 1), dt = 0.01.
        case ornsteinUhlenbeck(theta: Double, sigma: Double)
    }

    /// Twin critics (TD3, SAC) or one (DDPG).
    public var criticCount: Int { algorithm == .ddpg ? 1 : 2 }

    /// Each critic hidden layer's options (dropout, layer normalization).
    public var criticLayerOptions: [HiddenLayerOptions] {
        Array(repeating: HiddenLayerOptions(dropout: criticDropout, layerNorm: criticLayerNorm), count: hiddenSizes.count)
    }

    private enum CodingKeys: String, CodingKey {
        case algorithm, hiddenSizes, actorLearningRate, criticLearningRate, bufferSize, gamma, tau, batchSize, noise
        case learningStarts, policyFrequency, updatesPerStep, targetPolicyNoise, targetNoiseClip, fixedAlpha
        case criticDropout, criticLayerNorm
    }

    /// Checkpoints written before TD3 and SAC existed hold no algorithm: they are DDPG's.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        algorithm = try c.decodeIfPresent(Algorithm.self, forKey: .algorithm) ?? .ddpg
        hiddenSizes = try c.decode([Int].self, forKey: .hiddenSizes)
        actorLearningRate = try c.decode(Float.self, forKey: .actorLearningRate)
        criticLearningRate = try c.decode(Float.self, forKey: .criticLearningRate)
        bufferSize = try c.decode(Int.self, forKey: .bufferSize)
        gamma = try c.decode(Float.self, forKey: .gamma)
        tau = try c.decode(Float.self, forKey: .tau)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        noise = try c.decode(NoiseKind.self, forKey: .noise)
        learningStarts = try c.decode(Int.self, forKey: .learningStarts)
        policyFrequency = try c.decode(Int.self, forKey: .policyFrequency)
        updatesPerStep = try c.decode(Int.self, forKey: .updatesPerStep)
        targetPolicyNoise = try c.decodeIfPresent(Float.self, forKey: .targetPolicyNoise) ?? 0.2
        targetNoiseClip = try c.decodeIfPresent(Float.self, forKey: .targetNoiseClip) ?? 0.5
        fixedAlpha = try c.decodeIfPresent(Float.self, forKey: .fixedAlpha)
        // Checkpoints written before regularized critics existed trained plain ones.
        criticDropout = try c.decodeIfPresent(Float.self, forKey: .criticDropout) ?? 0
        criticLayerNorm = try c.decodeIfPresent(Bool.self, forKey: .criticLayerNorm) ?? false
    }
}

extension LearnerConfiguration {
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
        check("--updates-per-step", updatesPerStep, 1...64)
        check("--policy-noise", Double(targetPolicyNoise), 0...10)
        check("--noise-clip", Double(targetNoiseClip), 0...10)
        if let fixedAlpha { check("--alpha", Double(fixedAlpha), 0...100) }
        // Past 0.9 a kept unit is scaled by more than ten and a layer of 256 keeps a handful.
        check("--critic-dropout", Double(criticDropout), 0...0.9)
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

extension LearnerConfiguration {
    /// An actor: observation → ReLU hidden layers → `outputs` under `output` (tanh for μ(s) and
    /// the deployed actor; identity for SAC's mean and log-std head).
    func actorNetwork(observationSize: Int, outputs: Int, output: Activation) -> MLP {
        MLP(sizes: [observationSize] + hiddenSizes + [outputs], activations: Array(repeating: .relu, count: hiddenSizes.count) + [output])
    }

    /// A critic: [observation, action] → ReLU hidden layers → Q; each hidden layer Linear →
    /// Dropout → LayerNorm → ReLU when the critics are regularized (`criticLayerOptions`), the
    /// targets too. Its dropout stream, if it has one, is set by the learner.
    func criticNetwork(observationSize: Int, actionSize: Int) -> MLP {
        MLP(
            sizes: [observationSize + actionSize] + hiddenSizes + [1], activations: Array(repeating: .relu, count: hiddenSizes.count) + [.identity],
            hidden: criticLayerOptions)
    }
}
