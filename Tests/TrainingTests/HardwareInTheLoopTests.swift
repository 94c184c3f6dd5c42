import Training
import DeterministicRandom
import Foundation
import Hardware
import MonotonicTime
import NeuralNetwork
import Policy
import RobotModel
import Tasks
import TestSupport
import XCTest

/// Training through the serial backend: step for step against the lockstep emulator, and with the
/// learner beside the control loop against an arm that runs in real time.
final class HardwareInTheLoopTests: XCTestCase {
    private var emulators: [DeviceEmulator] = []

    override func setUp() { setMatrixThreads(1) }

    override func tearDown() {
        for emulator in emulators { emulator.stop() }
        emulators.removeAll()
        super.tearDown()
    }

    private func emulator(_ robot: RobotDescription, timing: DeviceEmulator.Timing) throws -> DeviceEmulator {
        // A watchdog well above the real arm's 0.1 s: a test machine busy with other work may hold
        // any thread back that long, which is not what these tests are about.
        let emulator = try DeviceEmulator(robot: robot, options: .init(timing: timing, watchdogPeriod: 0.5))
        emulators.append(emulator)
        return emulator
    }

    private let metadata = TrainingFixtures.reacherMetadata


    private func largestDifference(_ a: MLP, _ b: MLP) -> Float {
        var largest: Float = 0
        for (x, y) in zip(a.layers, b.layers) {
            for (u, v) in zip(x.weight.array + x.bias.array, y.weight.array + y.bias.array) { largest = max(largest, abs(u - v)) }
        }
        return largest
    }

    /// The lockstep emulator steps the simulator's own physics once per TORQUE and runs the device's
    /// MOVE controller at every physics step, as `SimulatedArm.move` does, so with episodes started
    /// by MOVE on both sides the only difference from training on `SimulatedArm` is the wire's
    /// float32: each torque command and each q, q̇ read back are rounded to float32 (≈ 6e-8
    /// relative), which moves the observations and rewards by ~1e-8 and the trained weights by far
    /// less than the tolerance.
    func testLockstepSerialTrainingMatchesSimulatedTraining() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot, timing: .lockstep)
        // A lost MOVE reply is sent again, which in lockstep moves the arm one period more: a
        // generous timeout keeps a busy machine from losing one (the wire is a pty).
        let serial = try SerialArm(robot: robot, port: emulator.path, timeout: 0.5)
        defer { serial.deactivate() }
        let viaWire = Trainer(
            environment: ReachEnvironment(robot: robot, backend: serial), configuration: TrainingFixtures.smallConfiguration(), seed: 7, metadata: metadata)
        let simulated = Trainer(
            environment: ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot), episodeStart: .move),
            configuration: TrainingFixtures.smallConfiguration(), seed: 7, metadata: metadata)
        let untrained = Trainer(
            environment: ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot)), configuration: TrainingFixtures.smallConfiguration(), seed: 7,
            metadata: metadata)

        try viaWire.train(totalSteps: 600, log: nil)
        try simulated.train(totalSteps: 600, log: nil)

        XCTAssertEqual(viaWire.step, 600)
        XCTAssertEqual(viaWire.ddpg.updates, simulated.ddpg.updates)
        XCTAssertEqual(viaWire.ddpg.updates, 600 - 200 - 1, "one update per step after warm-up")
        XCTAssertEqual(viaWire.recentReturns.count, simulated.recentReturns.count)
        // Each episode starts where the last one ended (moved, not placed), so the float32 rounding
        // of the wire carries over from episode to episode: 1e-6 relative, not 1e-7.
        for (a, b) in zip(viaWire.recentReturns, simulated.recentReturns) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b))) }
        let actorDifference = largestDifference(viaWire.ddpg.actor, simulated.ddpg.actor)
        let criticDifference = largestDifference(viaWire.ddpg.critic, simulated.ddpg.critic)
        let learned = largestDifference(simulated.ddpg.actor, untrained.ddpg.actor)
        XCTAssertLessThan(actorDifference, 1e-4)
        XCTAssertLessThan(criticDifference, 1e-4)
        XCTAssertGreaterThan(learned, 1e-3, "the actor must have moved for the comparison to mean anything")
        XCTAssertEqual(serial.linkStatistics.lostReplies, 0)
        XCTAssertNil(serial.linkStatistics.requests[.home], "hardware episodes start by MOVE, never by re-zeroing")
        print("lockstep HIL vs sim: actor max |Δ| \(actorDifference), critic max |Δ| \(criticDifference), training moved the actor by \(learned)")
    }

    /// A full-size network learning beside a 50 Hz loop against an emulator whose physics follows
    /// the wall clock: the loop keeps its period and the updates happen while it steps. Bounds are
    /// loose on purpose (a busy two-core machine), the measured numbers are printed.
    func testRealTimeTrainingKeepsTheControlPeriodWhileLearning() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot, timing: .realTime)
        let serial = try SerialArm(robot: robot, port: emulator.path)
        defer { serial.deactivate() }
        var configuration = LearnerConfiguration()
        configuration.learningStarts = 25
        configuration.bufferSize = 1_000
        let concurrent = ConcurrentTrainer(
            environment: ReachEnvironment(robot: robot, backend: serial), configuration: configuration, seed: 3, metadata: metadata,
            period: serial.controlPeriod)
        let scalars = RecordedScalars()

        let report = try concurrent.train(totalSteps: 100, log: scalars)
        serial.deactivate()

        let timing = report.timing
        let trainer = concurrent.trainer
        XCTAssertEqual(serial.controlPeriod, 0.02, accuracy: 1e-12)
        XCTAssertEqual(report.steps, 100)
        XCTAssertEqual(trainer.step, 100)
        XCTAssertEqual(trainer.episodes, 2)
        XCTAssertEqual(timing.cycles, 100)
        XCTAssertLessThan(timing.overrunFraction, 0.1, "the loop must keep its period while the learner works")
        XCTAssertLessThan(timing.actualPeriod.mean, 0.025, "mean wake-to-wake period \(timing.actualPeriod.mean) s for a 20 ms period")
        XCTAssertGreaterThan(report.updatesWhileStepping, 0, "updates must run while the loop steps")
        XCTAssertLessThan(report.firstUpdateStep ?? .max, 100)
        XCTAssertLessThanOrEqual(trainer.ddpg.updates, 100 - 25 - 1, "at most one update per step after warm-up")
        XCTAssertEqual(trainer.ddpg.updates, report.updates)
        XCTAssertEqual(scalars.values["charts/episodic_length"]?.map(\.1), [50, 50])
        XCTAssertNotNil(scalars.values["losses/qf1_loss"])
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled), "torque off at the end")
        print(
            String(
                format: "real-time HIL: %d cycles, period mean %.3f ms, jitter p99 %.3f ms, max %.3f ms, work mean %.3f ms, max %.3f ms, overruns %d (%.1f%%); %d updates (%d while stepping, first at step %d), update mean %.2f ms, max %.2f ms; %d publications, %d swaps; link p99 %.3f ms, %d lost replies",
                timing.cycles, timing.actualPeriod.mean * 1e3, timing.jitter.percentile(0.99) * 1e3, timing.jitter.maximum * 1e3,
                timing.work.mean * 1e3, timing.work.maximum * 1e3, timing.overruns, timing.overrunFraction * 100, report.updates,
                report.updatesWhileStepping, report.firstUpdateStep ?? -1, report.meanUpdateSeconds * 1e3, report.maxUpdateSeconds * 1e3,
                report.publishes, report.weightSwaps, (serial.linkStatistics.roundTripP99 ?? 0) * 1e3, serial.linkStatistics.lostReplies))
    }

    /// Checkpoints happen with the learner paused and the counters current; a stop request ends
    /// the run at once with the learner joined; the checkpoint restores into a fresh trainer.
    func testRealTimeCheckpointsAndStopRequestLeaveAConsistentTrainer() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-hil-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("checkpoint.safetensors").path
        let stop = StopRequest()
        let arm = StopAfterSteps(SimulatedArm(robot: robot), steps: 420, stop: stop)
        defer { arm.deactivate() }
        // The simulator paced at 2 ms so that a few hundred steps take under a second.
        let concurrent = ConcurrentTrainer(
            environment: ReachEnvironment(robot: robot, backend: arm), configuration: TrainingFixtures.smallConfiguration(), seed: 5, metadata: metadata,
            period: 0.002, publishInterval: 4)
        var events: [String] = []
        let report = try concurrent.train(
            totalSteps: 1_000, log: nil, checkpointEvery: 250,
            beforeCheckpoint: {
                events.append("arm off")
                arm.deactivate()
            },
            checkpoint: { trainer in
                events.append("checkpoint at \(trainer.step)")
                XCTAssertLessThanOrEqual(trainer.ddpg.updates, trainer.step - 200 - 1)
                try Checkpoint.save(trainer, to: path)
            },
            stop: stop)

        XCTAssertTrue(report.stopRequested)
        XCTAssertEqual(report.steps, 420)
        XCTAssertEqual(concurrent.trainer.step, 420)
        XCTAssertEqual(events, ["arm off", "checkpoint at 250"])
        XCTAssertTrue(arm.isActive, "the next reset activated the arm again")
        XCTAssertGreaterThan(report.updates, 0)
        XCTAssertLessThanOrEqual(concurrent.trainer.ddpg.updates, 420 - 200 - 1)
        XCTAssertGreaterThan(report.weightSwaps, 0, "the loop picked up published weights")

        let resumed = Trainer(
            environment: ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot)), configuration: TrainingFixtures.smallConfiguration(), seed: 5,
            metadata: metadata)
        try Checkpoint.restore(resumed, from: path)
        XCTAssertEqual(resumed.step, 250)
        XCTAssertEqual(resumed.episodes, 5)
        XCTAssertEqual(resumed.replay.count, 250)
        XCTAssertEqual(resumed.ddpg.updates, resumed.ddpg.criticOptimizer.stepCount)
        try resumed.train(totalSteps: 300, log: nil)
        XCTAssertEqual(resumed.step, 300)
    }

    /// An environment error ends the run with the learner joined and the error unchanged.
    func testAnEnvironmentErrorStopsTheLearnerAndPropagates() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let environment = FailingEnvironment(
            wrapping: ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot)), failingAtStep: 260)
        let concurrent = ConcurrentTrainer(
            environment: environment, configuration: TrainingFixtures.smallConfiguration(), seed: 1, metadata: metadata, period: 0.001)
        XCTAssertThrowsError(try concurrent.train(totalSteps: 1_000, log: nil)) { error in
            XCTAssertEqual(error as? FailingEnvironment.Failure, FailingEnvironment.Failure(step: 260))
        }
        XCTAssertEqual(concurrent.trainer.step, 259, "the failed step is not counted")
        XCTAssertLessThanOrEqual(concurrent.trainer.ddpg.updates, 259 - 200 - 1)
    }
}

/// A task that fails on a given step, as a link fault would.
private final class FailingEnvironment: Environment {
    struct Failure: Error, Equatable { var step: Int }

    let inner: any Environment
    let failingAtStep: Int
    private var steps = 0

    init(wrapping inner: any Environment, failingAtStep: Int) {
        self.inner = inner
        self.failingAtStep = failingAtStep
    }

    var observationSize: Int { inner.observationSize }
    var actionSize: Int { inner.actionSize }
    var maxEpisodeSteps: Int { inner.maxEpisodeSteps }
    var random: Xoshiro256 {
        get { inner.random }
        set { inner.random = newValue }
    }

    func reset(seed: UInt64?, observation: inout [Float]) throws { try inner.reset(seed: seed, observation: &observation) }

    func step(action: [Double], observation: inout [Float]) throws -> StepOutcome {
        steps += 1
        if steps == failingAtStep { throw Failure(step: steps) }
        return try inner.step(action: action, observation: &observation)
    }
}

/// The simulator, requesting a stop when it has taken a given number of steps: Ctrl-C at a known step.
private final class StopAfterSteps: SimulatedArmWrapper {
    let steps: Int
    let stop: StopRequest
    private var taken = 0
    init(_ inner: SimulatedArm, steps: Int, stop: StopRequest) {
        self.steps = steps
        self.stop = stop
        super.init(inner)
    }
    override func step(torques: [Double], state: inout JointState) throws {
        try inner.step(torques: torques, state: &state)
        taken += 1
        if taken == steps { stop.request() }
    }
}
