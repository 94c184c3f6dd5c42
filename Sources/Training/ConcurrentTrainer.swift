import DeterministicRandom
import Foundation
import MonotonicTime
import NeuralNetwork
import Policy
import Synchronization
import Tasks

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A learner (DDPG, TD3 or SAC) against an arm that runs in real time: the calling thread steps the environment once per
/// control period on absolute deadlines while a learner thread updates the networks beside it.
///
/// The synchronous `Trainer.train` does one environment step then one update; on a real arm the
/// update (milliseconds for 256×256 networks) would sit inside the control period and the arm
/// would coast on the last torque while it runs. Here the two are decoupled:
///
/// - the control thread acts with a frozen copy of the actor (the behaviour policy), hands each
///   transition to the learner through a lock-free ring, and between steps swaps in actor
///   weights the learner has published, if any (a try-lock: it never waits for them);
/// - the learner moves transitions from the ring into the replay buffer, samples, updates, and
///   every `publishInterval` updates copies the actor into a mutex-protected staging copy;
/// - CleanRL's update-to-data ratio is kept as an upper bound: after step s (0-based) the learner
///   may have done at most s − learningStarts updates, and waits for data when it is ahead. A
///   slower learner (a busy machine, a large network) does fewer; the loop's period comes first.
///
/// Everything else is the wrapped `Trainer`'s: networks, optimizers, replay buffer, noise, random
/// streams and counters, so `Checkpoint` saves and restores a real-time run as it does a
/// synchronous one. A run is not reproducible (the learner's pace decides which weights act).
public final class ConcurrentTrainer {
    /// The trainer whose state this run advances (checkpoint it, take its `actorPolicy`).
    public let trainer: Trainer
    /// Control period, s.
    public let period: Double
    /// The learner publishes actor weights to the control loop every this many updates.
    public let publishInterval: Int

    private let seed: UInt64
    private let behaviour: BehaviourPolicy
    private var observation: [Float]
    private var nextObservation: [Float]
    private var action: [Double]

    /// A fresh run; `period` is the arm's control period (`ArmBackend.controlPeriod`).
    public init(
        environment: any Environment, configuration: LearnerConfiguration, seed: UInt64, metadata: PolicyMetadata, period: Double,
        publishInterval: Int = 10
    ) {
        precondition(period > 0 && publishInterval > 0, "the control period and the publish interval must be positive")
        trainer = Trainer(environment: environment, configuration: configuration, seed: seed, metadata: metadata)
        self.seed = seed
        self.period = period
        self.publishInterval = publishInterval
        let actor = trainer.learner.actor
        behaviour = BehaviourPolicy(
            network: MLP(sizes: [actor.inputSize] + actor.layers.map(\.outputs), activations: actor.activations),
            algorithm: configuration.algorithm, actionSize: environment.actionSize)
        observation = Array(repeating: 0, count: environment.observationSize)
        nextObservation = Array(repeating: 0, count: environment.observationSize)
        action = Array(repeating: 0, count: environment.actionSize)
    }

    /// Trains until `totalSteps` or until `stop` is requested: it is checked every period and wakes
    /// the wait for the next deadline, so the run stops at once however long the period; over an arm
    /// it also ends a move to an episode's start (`ActuatedArm.stop`).
    ///
    /// At the first episode boundary at or after every `checkpointEvery` steps (0: never):
    /// `beforeCheckpoint` runs, then the learner is paused (its update in flight finishes), the
    /// trainer's counters and random streams are brought up to date and `checkpoint` runs. The arm
    /// holds its last torque until the next reset, so deactivate it in `beforeCheckpoint` when
    /// waiting and writing files may outlast the device's watchdog (the reset activates it again).
    /// Logging and `progress` run at episode boundaries too, where the next reset restarts the
    /// schedule. Errors from the environment or `checkpoint` stop the learner before they propagate.
    @discardableResult
    public func train(
        totalSteps: Int, log: ScalarSink?, checkpointEvery: Int = 0, beforeCheckpoint: () -> Void = {},
        checkpoint: (Trainer) throws -> Void = { _ in }, stop: StopRequest = StopRequest(),
        progress: (TrainingProgress) -> Void = { _ in }
    ) throws -> RealTimeTrainingReport {
        let environment = trainer.environment
        let agent = trainer.learner
        let learningStarts = agent.configuration.learningStarts
        var step = trainer.step
        var book = trainer.book
        let startStep = step
        let priorElapsed = trainer.priorElapsed
        let learner = LearnerThread(
            agent: agent, replay: trainer.replay, step: step, random: trainer.random, publishInterval: publishInterval)
        agent.actor.copyParameters(into: behaviour.network)
        let capacity = min(max(totalSteps - step, 1), 1_000_000)
        var schedule = PeriodicSchedule(period: period, realTime: true, expectedCycles: capacity)
        var report = RealTimeTrainingReport(timing: schedule.timing)
        let started = MonotonicClock.seconds()
        func elapsed() -> Double { priorElapsed + MonotonicClock.seconds() - started }
        var nextCheckpoint = checkpointEvery > 0 ? (step / checkpointEvery + 1) * checkpointEvery : Int.max
        var lastProgress = -Double.infinity
        var loggedUpdates = learner.updatesBefore
        /// Hands the loop's counters and the learner's random stream back to the trainer (learner paused or stopped).
        func synchronize() {
            trainer.random = learner.random
            trainer.restore(
                Trainer.Counters(
                    step: step, episodes: book.episodes, updates: agent.updates, recentReturns: book.recentReturns, elapsed: elapsed()))
        }

        let arm = (environment as? any ArmEnvironment)?.arm
        arm?.stop = stop
        learner.start()
        /// Joins the learner and completes the report; every way out of the loop goes through here.
        func finish() {
            report.updatesWhileStepping = learner.completedUpdates.load(ordering: .relaxed)
            learner.stop()
            report.steps = step - startStep
            report.updates = agent.updates - learner.updatesBefore
            report.firstUpdateStep = learner.firstUpdateStep
            report.meanUpdateSeconds = learner.updateSeconds / Double(max(report.updates, 1))
            report.maxUpdateSeconds = learner.maxUpdateSeconds
            report.publishes = learner.publishes
            report.timing = schedule.timing
            synchronize()
        }

        var needsReset = true
        var behaviourVersion = 0
        do {
            while step < totalSteps {
                if stop.isRequested {
                    report.stopRequested = true
                    break
                }
                if needsReset {
                    do {
                        try environment.reset(seed: step == 0 ? seed : nil, observation: &observation)
                    } catch where stop.isRequested {
                        // The move to the start pose ended early, torque off: a stop, not a fault.
                        report.stopRequested = true
                        break
                    }
                    trainer.noise.reset()
                    book.beginEpisode()
                    needsReset = false
                    // Resetting (homing a real arm) takes as long as it takes; the schedule starts after it.
                    schedule.restart()
                }

                guard schedule.waitForNextCycle(unless: stop) == .tick else {
                    report.stopRequested = true
                    break
                }

                if let failure = learner.failure() { throw failure }
                if learner.takePublished(into: behaviour.network, ifNewerThan: &behaviourVersion) { report.weightSwaps += 1 }
                if step < learningStarts {
                    learner.drawUniform(into: &action)
                } else {
                    try behaviour.explore(observation: observation, noise: &trainer.noise, into: &action, step: step)
                }
                let outcome = try environment.step(action: action, observation: &nextObservation)
                // As in `Trainer`: the real final observation is stored on truncation; only termination masks it.
                guard
                    learner.add(
                        observation: observation, action: action, reward: outcome.reward, terminated: outcome.terminated,
                        nextObservation: nextObservation)
                else { throw ConcurrentTrainerError.learnerStalled(steps: learner.capacity, period: period) }
                swap(&observation, &nextObservation)
                step += 1
                book.record(reward: outcome.reward)

                schedule.finishCycle(idle: arm?.backend.lastStepWait ?? 0)

                let episodeEnded = outcome.terminated || outcome.truncated
                // Between episodes, or at the very end (a resumed run may end mid-episode), nothing is timed.
                guard episodeEnded || step == totalSteps else { continue }
                if episodeEnded {
                    try book.finishEpisode(step: step, log: log, plant: (environment as? PlantDrawing)?.drawnPlant)
                    needsReset = true
                    if let log {
                        if let latest = learner.latestStatistics(), latest.updates != loggedUpdates {
                            loggedUpdates = latest.updates
                            try latest.statistics.record(to: log, step: step)
                        }
                        let run = MonotonicClock.seconds() - started
                        try log.record((Double(step - startStep) / max(run, 1e-9)).rounded(), tag: "charts/SPS", step: step)
                    }
                    if step >= nextCheckpoint {
                        nextCheckpoint += checkpointEvery
                        beforeCheckpoint()
                        learner.pause()
                        synchronize()
                        try checkpoint(trainer)
                        learner.resume()
                    }
                }
                let now = MonotonicClock.seconds()
                if now - lastProgress >= 1 || step == totalSteps {
                    lastProgress = now
                    progress(
                        TrainingProgress(
                            step: step, totalSteps: totalSteps, stepsPerSecond: Double(step - startStep) / max(now - started, 1e-9),
                            recentReturn: book.meanRecentReturn, episodes: book.episodes, elapsed: elapsed()))
                }
            }
        } catch {
            finish()
            throw error
        }
        finish()
        try log?.flush()
        return report
    }
}

/// What a real-time training run did: how the control loop kept time while the learner worked beside it.
public struct RealTimeTrainingReport: Sendable {
    public var timing: LoopTiming
    /// Environment steps taken in this call.
    public var steps = 0
    /// Learning updates done in this call.
    public var updates = 0
    /// Updates finished before the control loop ended (the rest were the one in flight, if any).
    public var updatesWhileStepping = 0
    /// The step count when the first update of this call finished, if any did.
    public var firstUpdateStep: Int?
    /// Wall time of one `DDPGAgent.update` on the learner thread, s.
    public var meanUpdateSeconds = 0.0
    public var maxUpdateSeconds = 0.0
    /// Actor weights the learner staged, and how many of those the control loop picked up.
    public var publishes = 0
    public var weightSwaps = 0
    /// The run ended because a stop was requested, not because it reached its steps.
    public var stopRequested = false

    init(timing: LoopTiming) { self.timing = timing }
}


/// Why real-time training stopped on its own.
public enum ConcurrentTrainerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The learner thread took no transitions for this many control periods.
    case learnerStalled(steps: Int, period: Double)

    public var description: String {
        switch self {
        case .learnerStalled(let steps, let period):
            return String(
                format: "the learner thread took no transitions for %d control periods (%.0f s); the machine is too busy for "
                    + "real-time training: close other programs, use a smaller network (--hidden) or train in simulation", steps,
                Double(steps) * period)
        }
    }
}

/// The learner thread and what it shares with the control thread, arranged so that the control
/// thread never waits for the learner while the arm runs:
///
/// - transitions go through a single-producer single-consumer ring (`produced` and `consumed`
///   counters with release/acquire ordering); only the learner touches the replay buffer, so
///   sampling needs no lock the control thread could be kept waiting on;
/// - a semaphore wakes the learner when it waits for data (signalling never blocks);
/// - published weights and the latest statistics sit behind locks the control thread only tries;
/// - the random stream draws warm-up actions on the control thread, then minibatches on the
///   learner, which samples only after consuming the transitions that followed the last warm-up
///   draw (so `produced` orders the hand-over).
///
/// The agent and the learner's counters are read by the control thread only after `pause` or
/// `stop` returned (the semaphores order those reads after the learner's writes).
private final class LearnerThread: @unchecked Sendable {
    let agent: any Learner
    let replay: ReplayBuffer
    let batch: ReplayBatch
    let learningStarts: Int
    let updatesPerStep: Int
    let publishInterval: Int
    let startStep: Int
    let updatesBefore: Int
    /// Transitions the ring holds: about 80 s at 50 Hz, far more than any update takes.
    let capacity = 4096
    /// Unix niceness of the learner thread (0 normal, 19 lowest).
    static let niceness: Int32 = 10

    private let ring: FloatBuffer
    private let produced = Atomic<Int>(0)
    private let consumed = Atomic<Int>(0)

    private let wake = DispatchSemaphore(value: 0)
    private let pausedSignal = DispatchSemaphore(value: 0)
    private let resumeSignal = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let pauseRequested = Atomic<Bool>(false)
    /// The learner is about to wait for data: the next transition must signal `wake`.
    private let waitingForData = Atomic<Bool>(false)
    private let stopRequested = Atomic<Bool>(false)
    /// Control-thread state: whether the learner is parked in `pause`, whether it was started.
    private var isPaused = false
    private var running = false

    var random: Xoshiro256
    /// Updates finished in this run, for the control thread's report while it runs.
    let completedUpdates = Atomic<Int>(0)
    private(set) var firstUpdateStep: Int?
    private(set) var updateSeconds = 0.0
    private(set) var maxUpdateSeconds = 0.0
    private(set) var publishes = 0

    private let statisticsLock = NSLock()
    private var latest: UpdateStatistics?
    private var latestUpdates = 0
    /// Set once an update diverged; the learner has stopped and the loop must stop too.
    private let diverged = Atomic<Bool>(false)
    private var divergence: TrainingError?

    private let stagingLock = NSLock()
    private let staging: MLP
    private var stagingVersion = 0

    init(agent: any Learner, replay: ReplayBuffer, step: Int, random: Xoshiro256, publishInterval: Int) {
        self.agent = agent
        self.replay = replay
        batch = ReplayBatch(size: agent.configuration.batchSize, observationSize: agent.observationSize, actionSize: agent.actionSize)
        learningStarts = agent.configuration.learningStarts
        updatesPerStep = agent.configuration.updatesPerStep
        self.publishInterval = publishInterval
        startStep = step
        updatesBefore = agent.updates
        self.random = random
        ring = FloatBuffer(count: capacity * replay.rowSize)
        let actor = agent.actor
        staging = MLP(sizes: [actor.inputSize] + actor.layers.map(\.outputs), activations: actor.activations)
    }

    /// Updates the synchronous trainer would have done after `step` transitions: `updatesPerStep`
    /// per step after step `learningStarts` (CleanRL: one).
    private func allowedUpdates(after step: Int) -> Int { max(0, step - learningStarts - 1) * updatesPerStep }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "armature-learner"
        running = true
        thread.start()
    }

    /// Lets the learner finish its current update, hands it the last transitions and waits for the thread to end.
    func stop() {
        guard running else { return }
        running = false
        stopRequested.store(true, ordering: .releasing)
        wake.signal()
        if isPaused { resumeSignal.signal() }
        finished.wait()
    }

    /// Returns once the learner has stored every transition so far and is idle until `resume`.
    func pause() {
        pauseRequested.store(true, ordering: .releasing)
        wake.signal()
        pausedSignal.wait()
        isPaused = true
    }

    func resume() {
        isPaused = false
        pauseRequested.store(false, ordering: .releasing)
        resumeSignal.signal()
    }

    /// Uniform warm-up actions in [-1, 1] from the trainer's stream (the learner does not sample yet).
    func drawUniform(into action: inout [Double]) {
        for i in action.indices { action[i] = random.uniform(-1, 1) }
    }

    /// Hands one transition to the learner without waiting; false if the ring is full (the learner stalled).
    func add(observation: [Float], action: [Double], reward: Double, terminated: Bool, nextObservation: [Float]) -> Bool {
        let index = produced.load(ordering: .relaxed)
        guard index - consumed.load(ordering: .acquiring) < capacity else { return false }
        replay.layout.write(
            into: ring.pointer + (index % capacity) * replay.rowSize, observation: observation, action: action, reward: reward,
            terminated: terminated, nextObservation: nextObservation)
        // Sequentially consistent with `waitForData`: either the learner sees this transition
        // before it sleeps, or this sees it waiting and wakes it.
        produced.store(index + 1, ordering: .sequentiallyConsistent)
        if waitingForData.load(ordering: .sequentiallyConsistent) { wake.signal() }
        return true
    }

    /// Copies the staged actor into `behaviour` if it is newer than `version`; never waits for the learner.
    func takePublished(into behaviour: MLP, ifNewerThan version: inout Int) -> Bool {
        guard stagingLock.try() else { return false }
        defer { stagingLock.unlock() }
        guard stagingVersion != version else { return false }
        staging.copyParameters(into: behaviour)
        version = stagingVersion
        return true
    }

    /// Why the learner stopped, if an update diverged; a single atomic load when it has not.
    func failure() -> TrainingError? {
        guard diverged.load(ordering: .acquiring) else { return nil }
        statisticsLock.lock()
        defer { statisticsLock.unlock() }
        return divergence
    }

    /// The last update's statistics and the update count they belong to; nil if none yet or the learner holds the lock.
    func latestStatistics() -> (updates: Int, statistics: UpdateStatistics)? {
        guard statisticsLock.try() else { return nil }
        defer { statisticsLock.unlock() }
        return latest.map { (latestUpdates, $0) }
    }

    private func run() {
        #if os(Linux)
        // Updates are background work: at a lower priority the waking control loop preempts an
        // update at once instead of queueing behind it on a busy machine. On Linux, `who` 0 is
        // the calling thread, not the whole process.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
        #endif
        while true {
            drain()
            if stopRequested.load(ordering: .acquiring) { break }
            if pauseRequested.load(ordering: .acquiring) {
                // The control thread produces nothing once it asked to pause: this drain takes the rest.
                drain()
                pausedSignal.signal()
                resumeSignal.wait()
                continue
            }
            // Counted over the whole run, resumes included, as `Trainer` counts them. After a
            // divergence the thread only drains and answers pause and stop until the loop stops.
            guard !diverged.load(ordering: .relaxed), agent.updates < allowedUpdates(after: startStep + consumed.load(ordering: .relaxed)) else {
                waitForData()
                continue
            }
            replay.sample(into: batch, using: &random)
            let started = MonotonicClock.seconds()
            let statistics = agent.update(batch: batch)
            let seconds = MonotonicClock.seconds() - started
            do {
                try TrainingError.check(statistics, update: agent.updates, step: startStep + consumed.load(ordering: .relaxed))
            } catch {
                // Diverged weights are never published to the loop; it stops at its next step.
                statisticsLock.lock()
                divergence = error
                statisticsLock.unlock()
                diverged.store(true, ordering: .releasing)
                continue
            }
            if agent.updates % publishInterval == 0 { publish() }
            updateSeconds += seconds
            maxUpdateSeconds = max(maxUpdateSeconds, seconds)
            if firstUpdateStep == nil { firstUpdateStep = startStep + consumed.load(ordering: .relaxed) }
            statisticsLock.lock()
            latest = latest.map { statistics.merged(after: $0) } ?? statistics
            latestUpdates = agent.updates
            statisticsLock.unlock()
            completedUpdates.add(1, ordering: .relaxed)
        }
        // Transitions produced just before the stop request may have arrived after the last drain.
        drain()
        finished.signal()
    }

    /// Sleeps until the control thread produces a transition (or asks to pause or stop).
    private func waitForData() {
        waitingForData.store(true, ordering: .sequentiallyConsistent)
        if produced.load(ordering: .sequentiallyConsistent) == consumed.load(ordering: .relaxed) { wake.wait() }
        waitingForData.store(false, ordering: .relaxed)
    }

    /// Moves every transition the control thread has produced into the replay buffer.
    private func drain() {
        let available = produced.load(ordering: .acquiring)
        var index = consumed.load(ordering: .relaxed)
        guard index < available else { return }
        while index < available {
            replay.add(row: ring.pointer + (index % capacity) * replay.rowSize)
            index += 1
        }
        consumed.store(index, ordering: .releasing)
    }

    private func publish() {
        stagingLock.lock()
        agent.actor.copyParameters(into: staging)
        stagingVersion += 1
        publishes += 1
        stagingLock.unlock()
    }
}
