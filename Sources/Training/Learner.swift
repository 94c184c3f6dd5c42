import DeterministicRandom
import NeuralNetwork

/// Losses and values from one update, for logging under CleanRL's tags.
public struct UpdateStatistics: Sendable, Equatable {
    /// The (first) critic's loss and mean Q(s, a) over the batch before its step.
    public var criticLoss: Float
    public var meanQ: Float
    /// The second critic's, for TD3 and SAC.
    public var secondCriticLoss: Float?
    public var secondMeanQ: Float?
    /// The actor's loss; nil on updates where the actor did not update.
    public var actorLoss: Float?
    /// SAC: the temperature after this update, and its loss when it was tuned.
    public var alpha: Float?
    public var alphaLoss: Float?

    public init(
        criticLoss: Float, meanQ: Float, secondCriticLoss: Float? = nil, secondMeanQ: Float? = nil, actorLoss: Float? = nil,
        alpha: Float? = nil, alphaLoss: Float? = nil
    ) {
        self.criticLoss = criticLoss
        self.meanQ = meanQ
        self.secondCriticLoss = secondCriticLoss
        self.secondMeanQ = secondMeanQ
        self.actorLoss = actorLoss
        self.alpha = alpha
        self.alphaLoss = alphaLoss
    }

    /// The latest values, keeping the actor's and the temperature's from `earlier` when this update had none.
    func merged(after earlier: UpdateStatistics) -> UpdateStatistics {
        var merged = self
        if actorLoss == nil { merged.actorLoss = earlier.actorLoss }
        if alphaLoss == nil { merged.alphaLoss = earlier.alphaLoss }
        return merged
    }
}

/// What the trainers, checkpoints and benchmarks need of a learner, whatever its algorithm: the
/// replay, the synchronous and real-time trainers, checkpoints, divergence checks and logging are
/// written once against this, and each algorithm is its update function.
public protocol Learner: AnyObject, Sendable {
    var configuration: LearnerConfiguration { get }
    var observationSize: Int { get }
    var actionSize: Int { get }
    /// Critic updates done.
    var updates: Int { get set }
    /// One thread or two for `update`; results are bit-identical either way.
    var parallelism: Parallelism { get set }
    /// The network the trainers act with (`BehaviourPolicy`): μ(s) for DDPG and TD3, the mean and
    /// raw log-std head for SAC.
    var actor: MLP { get }
    /// One update on a sampled batch.
    func update(batch: ReplayBatch) -> UpdateStatistics
    /// Every tensor that decides the learner's future, named as checkpoints store them.
    var state: LearnerState { get }
}

extension Learner {
    /// The deterministic actor the deploy path runs (ReLU hidden layers, tanh output), as its own
    /// network: μ for DDPG and TD3, tanh of the mean for SAC (its log-std rows left out).
    public func deployableActor() -> MLP {
        let network = configuration.actorNetwork(observationSize: observationSize, outputs: actionSize, output: .tanh)
        for (source, destination) in zip(actor.layers, network.layers) {
            destination.weight.pointer.update(from: source.weight.pointer, count: destination.weight.count)
            destination.bias.pointer.update(from: source.bias.pointer, count: destination.bias.count)
        }
        return network
    }
}

/// A learner's checkpointed state: networks and optimizers by name, other tensors (SAC's log α),
/// and the stream of normal draws its updates sample (TD3's target smoothing, SAC's actions).
public struct LearnerState {
    public var networks: [(name: String, network: MLP)]
    public var optimizers: [(name: String, optimizer: Adam)]
    public var tensors: [(name: String, buffer: FloatBuffer)] = []
    public var draws: NormalDraws?
}

/// Standard normal draws for an update's own sampling, from a seeded generator that checkpoints
/// save. Tests that compare an update with PyTorch's feed both sides the same recorded draws.
public final class NormalDraws: @unchecked Sendable {
    public var random: Xoshiro256
    /// Draws handed out before the generator's (a recorded tape, consumed in order).
    private var tape: [Float]
    private var position = 0

    public init(random: Xoshiro256) {
        self.random = random
        tape = []
    }

    /// Hands out `tape` first, in order, then the generator's draws.
    public init(tape: [Float], then random: Xoshiro256 = Xoshiro256(seed: 1)) {
        self.random = random
        self.tape = tape
    }

    /// Fills `count` floats at `pointer` with N(0, 1) draws.
    public func fill(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            if position < tape.count {
                pointer[i] = tape[position]
                position += 1
            } else {
                pointer[i] = Float(random.normal())
            }
        }
    }
}

/// A learner of `configuration.algorithm`, its networks initialized like PyTorch's from `random`.
public func makeLearner(observationSize: Int, actionSize: Int, configuration: LearnerConfiguration, random: inout Xoshiro256) -> any Learner {
    switch configuration.algorithm {
    case .ddpg: DDPGAgent(observationSize: observationSize, actionSize: actionSize, configuration: configuration, random: &random)
    case .td3: TD3Agent(observationSize: observationSize, actionSize: actionSize, configuration: configuration, random: &random)
    case .sac: SACAgent(observationSize: observationSize, actionSize: actionSize, configuration: configuration, random: &random)
    }
}

extension UpdateStatistics {
    /// The update's values under CleanRL's tags (`qf_loss` is the mean of the two critics' losses, as CleanRL logs it).
    func record(to log: ScalarSink, step: Int) throws {
        try log.record(Double(criticLoss), tag: "losses/qf1_loss", step: step)
        try log.record(Double(meanQ), tag: "losses/qf1_values", step: step)
        if let secondCriticLoss, let secondMeanQ {
            try log.record(Double(secondCriticLoss), tag: "losses/qf2_loss", step: step)
            try log.record(Double(secondMeanQ), tag: "losses/qf2_values", step: step)
            try log.record(Double((criticLoss + secondCriticLoss) / 2), tag: "losses/qf_loss", step: step)
        }
        if let actorLoss { try log.record(Double(actorLoss), tag: "losses/actor_loss", step: step) }
        if let alpha { try log.record(Double(alpha), tag: "losses/alpha", step: step) }
        if let alphaLoss { try log.record(Double(alphaLoss), tag: "losses/alpha_loss", step: step) }
    }
}
