import DeterministicRandom
import Foundation
import MonotonicTime
import NeuralNetwork
import Policy
import Tasks

/// Where training statistics go (TensorBoard and CSV in practice; an array in tests).
public protocol ScalarSink: AnyObject {
    func record(_ value: Double, tag: String, step: Int) throws
    func flush() throws
}

/// A snapshot of training for the progress display.
public struct TrainingProgress: Sendable {
    public var step: Int
    public var totalSteps: Int
    public var stepsPerSecond: Double
    /// Mean return of the last ten finished episodes, if any.
    public var recentReturn: Double?
    public var episodes: Int
    public var elapsed: Double
}

/// Runs a learner (DDPG, TD3 or SAC) against an environment with CleanRL's loop: uniform random
/// actions while warming up, then the behaviour policy's (μ(s) plus exploration noise, or a sample
/// of SAC's policy) clipped to [-1, 1]; `updatesPerStep` updates per step after warm-up.
/// Truncation bootstraps, termination does not.
///
/// Everything that decides the future of the run (networks, optimizer moments, replay buffer,
/// every random stream, counters) is held here and written by `Checkpoint.save`, so a checkpoint
/// that `Checkpoint.restore` reads back resumes bit for bit.
public final class Trainer {
    public let environment: any Environment
    public let learner: any Learner
    public let replay: ReplayBuffer
    public var noise: ExplorationNoise
    /// Draws warm-up actions and replay minibatches.
    public var random: Xoshiro256
    public private(set) var step = 0
    /// Finished episodes, the last ten returns and the running episode.
    public private(set) var book = EpisodeBook()
    public var episodes: Int { book.episodes }
    public var recentReturns: [Double] { book.recentReturns }
    /// Seconds trained before this call to `train` (across resumes).
    public private(set) var priorElapsed: Double = 0
    /// Seconds trained up to the last episode boundary; what a checkpoint records.
    public private(set) var elapsedAtBoundary: Double = 0

    private let batch: ReplayBatch
    private let behaviour: BehaviourPolicy
    private var observation: [Float]
    private var nextObservation: [Float]
    private var action: [Double]
    private let metadata: PolicyMetadata
    private var needsReset = true
    /// The seed the run started from; checkpoints record it.
    public let seed: UInt64

    public init(environment: any Environment, configuration: LearnerConfiguration, seed: UInt64, metadata: PolicyMetadata) {
        self.environment = environment
        self.seed = seed
        var initRandom = Xoshiro256(seed: seed)
        learner = makeLearner(
            observationSize: environment.observationSize, actionSize: environment.actionSize, configuration: configuration,
            random: &initRandom)
        behaviour = BehaviourPolicy(network: learner.actor, algorithm: configuration.algorithm, actionSize: environment.actionSize)
        replay = ReplayBuffer(
            capacity: configuration.bufferSize, observationSize: environment.observationSize, actionSize: environment.actionSize)
        noise = ExplorationNoise(kind: configuration.noise, actionSize: environment.actionSize, seed: seed &+ 1)
        random = Xoshiro256(seed: seed &+ 2)
        batch = ReplayBatch(size: configuration.batchSize, observationSize: environment.observationSize, actionSize: environment.actionSize)
        observation = Array(repeating: 0, count: environment.observationSize)
        nextObservation = Array(repeating: 0, count: environment.observationSize)
        action = Array(repeating: 0, count: environment.actionSize)
        self.metadata = metadata
    }

    /// A deployable snapshot of the current actor.
    public var actorPolicy: ActorPolicy { ActorPolicy(network: learner.deployableActor(), metadata: metadata) }

    /// Trains until `totalSteps`. `atEpisodeBoundary` runs between episodes (checkpoints go there,
    /// where no half-finished episode needs saving); `progress` is called about once a second.
    public func train(
        totalSteps: Int, log: ScalarSink?, atEpisodeBoundary: (Trainer) throws -> Void = { _ in },
        progress: (TrainingProgress) -> Void = { _ in }
    ) throws {
        let configuration = learner.configuration
        let started = MonotonicClock.seconds()
        let startStep = step
        var lastReport = started
        func elapsed() -> Double { priorElapsed + MonotonicClock.seconds() - started }

        while step < totalSteps {
            if needsReset {
                try environment.reset(seed: step == 0 ? seed : nil, observation: &observation)
                noise.reset()
                book.beginEpisode()
                needsReset = false
            }
            if step < configuration.learningStarts {
                for i in action.indices { action[i] = random.uniform(-1, 1) }
            } else {
                try behaviour.explore(observation: observation, noise: &noise, into: &action, step: step)
            }
            let outcome = try environment.step(action: action, observation: &nextObservation)
            book.record(reward: outcome.reward)
            // The stored next observation is the real final one, also on truncation; only a
            // termination stops the bootstrap.
            replay.add(
                observation: observation, action: action, reward: outcome.reward, terminated: outcome.terminated,
                nextObservation: nextObservation)
            swap(&observation, &nextObservation)

            if step > configuration.learningStarts {
                var statistics = UpdateStatistics(criticLoss: 0, meanQ: 0)
                for _ in 0..<configuration.updatesPerStep {
                    replay.sample(into: batch, using: &random)
                    let latest = learner.update(batch: batch)
                    try TrainingError.check(latest, update: learner.updates, step: step)
                    statistics = latest.merged(after: statistics)
                }
                if step % 100 == 0, let log {
                    try statistics.record(to: log, step: step)
                    try log.record((Double(step - startStep) / max(1e-9, MonotonicClock.seconds() - started)).rounded(), tag: "charts/SPS", step: step)
                }
            }
            step += 1

            if outcome.terminated || outcome.truncated {
                try book.finishEpisode(step: step, log: log, plant: (environment as? PlantDrawing)?.drawnPlant)
                needsReset = true
                elapsedAtBoundary = elapsed()
                try atEpisodeBoundary(self)
            }
            let now = MonotonicClock.seconds()
            if now - lastReport >= 1 || step == totalSteps {
                lastReport = now
                let run = now - started
                progress(
                    TrainingProgress(
                        step: step, totalSteps: totalSteps, stepsPerSecond: Double(step - startStep) / max(run, 1e-9),
                        recentReturn: book.meanRecentReturn,
                        episodes: episodes, elapsed: elapsed()))
            }
        }
        priorElapsed = elapsed()
        try log?.flush()
    }

    /// Counters a checkpoint restores besides networks, optimizers, buffer and random streams.
    struct Counters: Codable {
        var step: Int
        var episodes: Int
        var updates: Int
        var recentReturns: [Double]
        var elapsed: Double
    }

    var counters: Counters {
        Counters(step: step, episodes: episodes, updates: learner.updates, recentReturns: recentReturns, elapsed: elapsedAtBoundary)
    }

    func restore(_ counters: Counters) {
        step = counters.step
        book = EpisodeBook(episodes: counters.episodes, recentReturns: counters.recentReturns)
        learner.updates = counters.updates
        priorElapsed = counters.elapsed
        elapsedAtBoundary = counters.elapsed
        needsReset = true
    }
}
