import Training
import DeterministicRandom
import Foundation
import NeuralNetwork
import Policy
import Tasks
import TestSupport
import XCTest

/// An environment that records every action it is sent and pays `reward(step)`.
private final class RecordingEnvironment: Environment {
    let observationSize = 3
    let actionSize = 2
    let maxEpisodeSteps = 10
    var random = Xoshiro256(seed: 1)
    var actions: [[Double]] = []
    let reward: (Int) -> Double

    init(reward: @escaping (Int) -> Double = { _ in -1 }) { self.reward = reward }

    func reset(seed: UInt64?, observation: inout [Float]) throws {
        for i in observation.indices { observation[i] = Float(random.uniform(-1, 1)) }
    }

    func step(action: [Double], observation: inout [Float]) throws -> StepOutcome {
        actions.append(action)
        for i in observation.indices { observation[i] = Float(random.uniform(-1, 1)) }
        return StepOutcome(reward: reward(actions.count), terminated: false, truncated: actions.count % maxEpisodeSteps == 0)
    }
}

/// Training that goes numerically wrong stops, says what and when, sends nothing non-finite to
/// the arm, and keeps the last good checkpoint and actor.
final class DivergenceTests: XCTestCase {
    override func setUp() { setMatrixThreads(1) }

    private func configuration() -> LearnerConfiguration {
        var c = LearnerConfiguration()
        c.hiddenSizes = [8, 8]
        c.batchSize = 4
        c.learningStarts = 20
        c.bufferSize = 200
        return c
    }

    private let metadata = PolicyMetadata(
        observationLayout: "test", jointNames: ["a", "b"], robotName: "test", robotFingerprint: "", activations: ["relu", "relu", "tanh"])

    /// min(1, max(−1, NaN)) is −1: full negative torque. A NaN from the actor must stop training
    /// with the step and joint named, and never reach the environment.
    func testANonFiniteActionStopsTrainingInsteadOfBecomingFullTorque() throws {
        let environment = RecordingEnvironment()
        let trainer = Trainer(environment: environment, configuration: configuration(), seed: 1, metadata: metadata)
        trainer.ddpg.actor.layers[2].bias[1] = .nan
        XCTAssertThrowsError(try trainer.train(totalSteps: 100, log: nil)) { error in
            guard case .nonFiniteAction(let step, let joint, let value)? = error as? TrainingError else { return XCTFail("\(error)") }
            XCTAssertEqual(step, 20)
            XCTAssertEqual(joint, 1)
            XCTAssertTrue(value.isNaN)
            XCTAssertTrue("\(error)".contains("joint 1"), "\(error)")
        }
        XCTAssertEqual(environment.actions.count, 20, "only the warm-up's actions were sent")
        XCTAssertTrue(environment.actions.joined().allSatisfy { $0.isFinite && abs($0) <= 1 })
    }

    /// A non-finite reward poisons the critic's targets: the first update that sees it reports a
    /// non-finite loss, and training stops there.
    func testANonFiniteLossStopsTrainingAtThatUpdate() throws {
        let environment = RecordingEnvironment(reward: { $0 == 5 ? .infinity : -1 })
        let trainer = Trainer(environment: environment, configuration: configuration(), seed: 1, metadata: metadata)
        XCTAssertThrowsError(try trainer.train(totalSteps: 200, log: nil)) { error in
            guard case .nonFiniteUpdate(let update, _, let quantity, _)? = error as? TrainingError else {
                return XCTFail("expected a non-finite update, got \(error)")
            }
            XCTAssertGreaterThanOrEqual(update, 1)
            XCTAssertTrue(["critic loss", "mean Q value"].contains(quantity), quantity)
        }
        XCTAssertLessThan(trainer.step, 200, "training stopped early")
    }

    /// A diverged trainer refuses to write its checkpoint or its actor, so the good files stay.
    func testDivergedWeightsNeverReplaceTheLastGoodCheckpointOrActor() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-diverged-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("checkpoint.safetensors").path
        let actor = directory.appendingPathComponent("actor.safetensors").path
        let trainer = Trainer(environment: RecordingEnvironment(), configuration: configuration(), seed: 1, metadata: metadata)
        try trainer.train(totalSteps: 30, log: nil)
        try Checkpoint.save(trainer, to: checkpoint)
        try trainer.actorPolicy.save(path: actor)
        let good = try [checkpoint, actor].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }

        trainer.ddpg.critic.layers[0].weight[3] = .nan
        trainer.ddpg.actor.layers[1].weight[7] = -.infinity
        XCTAssertThrowsError(try Checkpoint.save(trainer, to: checkpoint)) { XCTAssertTrue("\($0)".contains("previous checkpoint is kept"), "\($0)") }
        XCTAssertThrowsError(try trainer.actorPolicy.save(path: actor)) { XCTAssertTrue("\($0)".contains("fc2.weight"), "\($0)") }
        XCTAssertEqual(try [checkpoint, actor].map { try Data(contentsOf: URL(fileURLWithPath: $0)) }, good)
    }
}
