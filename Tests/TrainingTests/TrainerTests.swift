import Training
import DeterministicRandom
import Foundation
import Hardware
import NeuralNetwork
import Policy
import RobotModel
import Tasks
import TestSupport
import XCTest

/// A ScalarSink that keeps everything in memory.
final class RecordedScalars: ScalarSink {
    var values: [String: [(Int, Double)]] = [:]
    func record(_ value: Double, tag: String, step: Int) throws { values[tag, default: []].append((step, value)) }
    func flush() throws {}
}

final class TrainerTests: XCTestCase {
    // Small products gain nothing from a second OpenBLAS thread, which only spins.
    override func setUp() { setMatrixThreads(1) }

    func reacherTask() throws -> ReachEnvironment {
        let robot = try RepositoryFiles.robot("reacher")
        return ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
    }

    let metadata = TrainingFixtures.reacherMetadata


    func actorBytes(_ trainer: Trainer) throws -> [UInt8] { try SafeTensors.encode(trainer.actorPolicy.file) }

    /// A fresh directory under the system's temporary one, removed when the test ends.
    func temporaryDirectory(_ prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory
    }

    func testTargetsStartAsExactCopies() throws {
        let trainer = Trainer(environment: try reacherTask(), configuration: TrainingFixtures.smallConfiguration(), seed: 1, metadata: metadata)
        for (online, target) in [(trainer.ddpg.actor, trainer.ddpg.targetActor), (trainer.ddpg.critic, trainer.ddpg.targetCritic)] {
            for (a, b) in zip(online.layers, target.layers) {
                XCTAssertEqual(a.weight.array, b.weight.array)
                XCTAssertEqual(a.bias.array, b.bias.array)
            }
        }
    }

    /// Exact, not approximate: the same products on the same kernels in one process sum in the
    /// same order, whatever kernel family this CPU runs.
    func testAFixedSeedGivesTheSameActorFile() throws {
        func run(seed: UInt64) throws -> [UInt8] {
            let trainer = Trainer(environment: try reacherTask(), configuration: TrainingFixtures.smallConfiguration(), seed: seed, metadata: metadata)
            try trainer.train(totalSteps: 600, log: nil)
            return try actorBytes(trainer)
        }
        XCTAssertEqual(try run(seed: 7), try run(seed: 7))
        XCTAssertNotEqual(try run(seed: 7), try run(seed: 8))
    }

    /// One seed, one actor file, whatever the thread count: two threads cut rows only where this
    /// BLAS sums as for the whole batch (`RowSplit`), so every update is bit-identical.
    func testOneAndTwoThreadsWriteTheSameActorFile() throws {
        var configuration = TrainingFixtures.smallConfiguration()
        configuration.hiddenSizes = [64, 64]
        configuration.batchSize = 64
        let helper = HelperThread()
        defer { helper.stop() }
        var files: [[UInt8]] = []
        for parallelism in [Parallelism.serial, .twoThreads(helper)] {
            let trainer = Trainer(environment: try reacherTask(), configuration: configuration, seed: 3, metadata: metadata)
            trainer.ddpg.parallelism = parallelism
            try trainer.train(totalSteps: 500, log: nil)
            XCTAssertEqual(trainer.ddpg.updates, 299)
            files.append(try actorBytes(trainer))
        }
        XCTAssertTrue(files[0] == files[1], "the two-thread actor file differs from the one-thread actor file")
    }

    /// Exact, not approximate: both runs make the same products on the same kernels in one
    /// process, and a checkpoint stores every float bit for bit.
    func testResumingFromACheckpointContinuesBitForBit() throws {
        let directory = try temporaryDirectory("armature-resume")
        let path = directory.appendingPathComponent("checkpoint.safetensors").path
        var configuration = TrainingFixtures.smallConfiguration()
        configuration.noise = .ornsteinUhlenbeck(theta: 0.15, sigma: 0.2)

        let straight = Trainer(environment: try reacherTask(), configuration: configuration, seed: 5, metadata: metadata)
        try straight.train(totalSteps: 700, log: nil)

        // Interrupted at step 400 (an episode boundary), restored into a fresh process-like trainer.
        let first = Trainer(environment: try reacherTask(), configuration: configuration, seed: 5, metadata: metadata)
        try first.train(totalSteps: 400, log: nil)
        try Checkpoint.save(first, to: path)
        let resumed = Trainer(environment: try reacherTask(), configuration: configuration, seed: 5, metadata: metadata)
        try Checkpoint.restore(resumed, from: path)
        XCTAssertEqual(resumed.step, 400)
        try resumed.train(totalSteps: 700, log: nil)

        XCTAssertEqual(try actorBytes(resumed), try actorBytes(straight))
        XCTAssertEqual(resumed.ddpg.criticOptimizer.stepCount, straight.ddpg.criticOptimizer.stepCount)
        XCTAssertEqual(resumed.ddpg.targetCritic.layers[2].weight.array, straight.ddpg.targetCritic.layers[2].weight.array)
    }

    /// A 300-step run keeps a 300-transition replay; resumed to 600 steps with a 600-transition
    /// replay, it ends exactly where one 600-step run ends.
    func testResumingWithMoreStepsGrowsTheReplayAndMatchesAStraightRun() throws {
        let directory = try temporaryDirectory("armature-grow")
        let path = directory.appendingPathComponent("checkpoint.safetensors").path
        var short = TrainingFixtures.smallConfiguration()
        short.bufferSize = 300
        var long = short
        long.bufferSize = 600

        let straight = Trainer(environment: try reacherTask(), configuration: long, seed: 4, metadata: metadata)
        try straight.train(totalSteps: 600, log: nil)
        let first = Trainer(environment: try reacherTask(), configuration: short, seed: 4, metadata: metadata)
        try first.train(totalSteps: 300, log: nil)
        try Checkpoint.save(first, to: path)
        let resumed = Trainer(environment: try reacherTask(), configuration: long, seed: 4, metadata: metadata)
        try Checkpoint.restore(resumed, from: path)
        XCTAssertEqual(resumed.replay.count, 300)
        try resumed.train(totalSteps: 600, log: nil)
        XCTAssertTrue(try actorBytes(resumed) == actorBytes(straight), "the grown run differs from the straight run")

        // A replay cannot shrink below what the checkpoint holds.
        var smaller = short
        smaller.bufferSize = 200
        let shrunk = Trainer(environment: try reacherTask(), configuration: smaller, seed: 4, metadata: metadata)
        XCTAssertThrowsError(try Checkpoint.restore(shrunk, from: path))
    }

    func testACheckpointFromOtherHyperparametersIsRefused() throws {
        let directory = try temporaryDirectory("armature-ckpt")
        let path = directory.appendingPathComponent("checkpoint.safetensors").path
        let trainer = Trainer(environment: try reacherTask(), configuration: TrainingFixtures.smallConfiguration(), seed: 1, metadata: metadata)
        try Checkpoint.save(trainer, to: path)
        var other = TrainingFixtures.smallConfiguration()
        other.gamma = 0.9
        let mismatched = Trainer(environment: try reacherTask(), configuration: other, seed: 1, metadata: metadata)
        XCTAssertThrowsError(try Checkpoint.restore(mismatched, from: path)) { error in
            XCTAssertTrue(String(describing: error).contains("different hyperparameters"), "\(error)")
        }
    }

    func testLogsCleanRLTags() throws {
        let trainer = Trainer(environment: try reacherTask(), configuration: TrainingFixtures.smallConfiguration(), seed: 2, metadata: metadata)
        let scalars = RecordedScalars()
        try trainer.train(totalSteps: 500, log: scalars)
        XCTAssertEqual(
            Set(scalars.values.keys),
            ["charts/episodic_return", "charts/episodic_length", "charts/SPS", "losses/qf1_loss", "losses/actor_loss", "losses/qf1_values"])
        XCTAssertEqual(scalars.values["charts/episodic_length"]!.map(\.1), Array(repeating: 50, count: 10))
    }

    /// The CI learning check: a short run lifts the return well above the random policy's.
    func testAShortRunLearnsToReachFarBetterThanRandom() throws {
        var configuration = LearnerConfiguration()
        configuration.learningStarts = 1_000
        configuration.bufferSize = 6_000
        let task = try reacherTask()
        let trainer = Trainer(environment: task, configuration: configuration, seed: 1, metadata: metadata)
        var random = Xoshiro256(seed: 99)
        let randomReturn = try task.evaluate(episodes: 20, seed: 123, act: { _, action in
            for i in action.indices { action[i] = random.uniform(-1, 1) }
        }).meanReturn
        let untrained = trainer.actorPolicy
        let before = try task.evaluate(episodes: 20, seed: 123, act: { untrained.act(observation: $0, into: &$1) })
        try trainer.train(totalSteps: 6_000, log: nil)
        let trained = trainer.actorPolicy
        let after = try task.evaluate(episodes: 20, seed: 123, act: { trained.act(observation: $0, into: &$1) })
        let summary = "random \(randomReturn), untrained \(before.meanReturn), trained \(after.meanReturn) (distance \(after.meanFinalDistance) m)"
        XCTAssertGreaterThan(after.meanReturn, randomReturn + 20, summary)
        XCTAssertGreaterThan(after.meanReturn, before.meanReturn, summary)
        print("learning check: \(summary)")
    }
}

final class UpdateRatioTests: XCTestCase {
    func testUpdatesPerStepMultipliesCriticUpdatesAfterWarmUp() throws {
        let robot = try RepositoryFiles.robot("reacher")
        var configuration = LearnerConfiguration()
        configuration.hiddenSizes = [16, 16]
        configuration.batchSize = 16
        configuration.learningStarts = 100
        configuration.bufferSize = 1_000
        configuration.updatesPerStep = 3
        let task = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
        let trainer = Trainer(
            environment: task, configuration: configuration, seed: 1,
            metadata: TrainingFixtures.reacherMetadata)
        try trainer.train(totalSteps: 300, log: nil)
        // Steps 101…299 update (CleanRL's `global_step > learning_starts`), three times each.
        XCTAssertEqual(trainer.ddpg.criticOptimizer.stepCount, 199 * 3)
        XCTAssertEqual(trainer.ddpg.actorOptimizer.stepCount, 199 * 3 / 2)
    }
}

/// Domain randomization: plants drawn per episode from the environment's stream, logged, and
/// continued exactly across a checkpoint.
final class RandomizedTrainingTests: XCTestCase {
    override func setUp() { setMatrixThreads(1) }

    /// Every field drawn, the noises among them, so that the resume covers the noise stream too.
    static let everyField: PlantRandomization = {
        var r = PlantRandomization.standard
        r.latencyPeriods = .init(0, 1.25)
        r.positionNoise = .init(0, 0.025)
        r.velocityNoise = .init(0, 0.1)
        return r
    }()

    func randomizedTask() throws -> ReachEnvironment {
        let robot = try RepositoryFiles.robot("reacher")
        return ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot), randomization: Self.everyField)
    }

    func testAResumedRandomizedRunDrawsTheSamePlantsAndEndsBitForBit() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-randomized-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("checkpoint.safetensors").path
        let configuration = TrainingFixtures.smallConfiguration()
        let metadata = TrainingFixtures.reacherMetadata

        let straightLog = RecordedScalars()
        let straight = Trainer(environment: try randomizedTask(), configuration: configuration, seed: 8, metadata: metadata)
        try straight.train(totalSteps: 600, log: straightLog)

        let first = Trainer(environment: try randomizedTask(), configuration: configuration, seed: 8, metadata: metadata)
        try first.train(totalSteps: 300, log: nil)
        try Checkpoint.save(first, to: path)
        XCTAssertEqual(try Checkpoint.randomization(at: path), Self.everyField.summary)
        let resumedLog = RecordedScalars()
        let resumed = Trainer(environment: try randomizedTask(), configuration: configuration, seed: 8, metadata: metadata)
        try Checkpoint.restore(resumed, from: path)
        try resumed.train(totalSteps: 600, log: resumedLog)

        let tag = "randomization/rotor_inertia_scale"
        let straightDraws = straightLog.values[tag, default: []].filter { $0.0 > 300 }.map { $0.1 }
        XCTAssertEqual(straightDraws.count, 6, "one plant per 50-step episode")
        XCTAssertEqual(resumedLog.values[tag, default: []].map { $0.1 }, straightDraws, "the same plants after the resume")
        XCTAssertEqual(Set(straightDraws).count, straightDraws.count, "a new plant every episode")
        let straightWeights = straight.ddpg.actor.layers.flatMap { $0.weight.array + $0.bias.array }
        let resumedWeights = resumed.ddpg.actor.layers.flatMap { $0.weight.array + $0.bias.array }
        XCTAssertEqual(resumedWeights, straightWeights)
    }

    func testPlantsAreDrawnWithinTheRangesAndReachTheSimulator() throws {
        let task = try randomizedTask()
        var observation = [Float](repeating: 0, count: task.observationSize)
        let nominal = task.robot
        for episode in 0..<20 {
            try task.reset(seed: episode == 0 ? 3 : nil, observation: &observation)
            let plant = try XCTUnwrap(task.drawnPlant)
            for field in PlantRandomization.fields {
                let range = try XCTUnwrap(Self.everyField[keyPath: field.range])
                XCTAssertTrue((range.low...range.high).contains(plant[keyPath: field.value]), field.name)
            }
            let simulated = try XCTUnwrap(task.backend as? SimulatedArm)
            XCTAssertEqual(simulated.robot.joints[0].armature, nominal.joints[0].armature * plant.rotorInertiaScale, accuracy: 1e-12)
            XCTAssertEqual(
                simulated.gap.latency, plant.latencyPeriods * nominal.control.period, accuracy: 1e-12)
        }
        XCTAssertEqual(task.arm.robot, nominal, "the controller's view of the arm stays the description's")
    }
}
