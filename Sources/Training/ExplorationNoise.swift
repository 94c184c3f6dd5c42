import DeterministicRandom

/// Noise added to the actor's action during training, in normalized action units.
public struct ExplorationNoise: Sendable, Equatable {
    public let kind: LearnerConfiguration.NoiseKind
    /// Ornstein–Uhlenbeck state per action component (unused for Gaussian noise).
    public private(set) var state: [Double]
    public var random: Xoshiro256

    /// Time step of the Ornstein–Uhlenbeck process, as Stable-Baselines3's default.
    public static let ornsteinUhlenbeckStep = 0.01

    public init(kind: LearnerConfiguration.NoiseKind, actionSize: Int, seed: UInt64) {
        self.kind = kind
        state = Array(repeating: 0, count: actionSize)
        random = Xoshiro256(seed: seed)
    }

    /// Restores a saved process.
    public init(kind: LearnerConfiguration.NoiseKind, state: [Double], random: Xoshiro256) {
        self.kind = kind
        self.state = state
        self.random = random
    }

    /// Adds one noise sample to each component of `action`, in place.
    public mutating func perturb(_ action: inout [Double]) {
        switch kind {
        case .gaussian(let sigma):
            for i in action.indices { action[i] += sigma * random.normal() }
        case .ornsteinUhlenbeck(let theta, let sigma):
            let dt = Self.ornsteinUhlenbeckStep
            for i in action.indices {
                state[i] += theta * (0 - state[i]) * dt + sigma * dt.squareRoot() * random.normal()
                action[i] += state[i]
            }
        }
    }

    /// Restarts a correlated process at the start of an episode.
    public mutating func reset() {
        for i in state.indices { state[i] = 0 }
    }
}
