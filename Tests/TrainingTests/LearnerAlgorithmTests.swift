import DeterministicRandom
import Foundation
import Hardware
import NeuralNetwork
import Policy
import Tasks
import TestSupport
import Training
import XCTest

/// TD3 and SAC through the shared trainers and checkpoints: reproducible, bit-identical on one or
/// two threads, resumable bit for bit, and deployed as the same actor-only file as DDPG's.
final class LearnerAlgorithmTests: XCTestCase {
    override func setUp() { setMatrixThreads(1) }

    private func reacherTask() throws -> ReachEnvironment {
        let robot = try RepositoryFiles.robot("reacher")
        return ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
    }

    private func configuration(_ algorithm: Algorithm) -> LearnerConfiguration {
        var c = LearnerConfiguration.defaults(for: algorithm)
        c.hiddenSizes = [32, 32]
        c.batchSize = 32
        c.learningStarts = 200
        c.bufferSize = 5_000
        return c
    }

    private func trainer(_ configuration: LearnerConfiguration, seed: UInt64) throws -> Trainer {
        Trainer(environment: try reacherTask(), configuration: configuration, seed: seed, metadata: TrainingFixtures.reacherMetadata)
    }

    /// Every tensor of the learner's state, by name, and its update stream.
    private func everything(_ trainer: Trainer) -> [String: [Float]] {
        let state = trainer.learner.state
        var all: [String: [Float]] = [:]
        for (name, network) in state.networks {
            for (i, layer) in network.layers.enumerated() { all["\(name).\(i)"] = layer.weight.array + layer.bias.array }
        }
        for (name, optimizer) in state.optimizers {
            all[name] = optimizer.firstMoments.flatMap(\.array) + optimizer.secondMoments.flatMap(\.array) + [Float(optimizer.stepCount)]
        }
        for (name, buffer) in state.tensors { all[name] = buffer.array }
        if let draws = state.draws { all["draws"] = [draws.random.normal()].map(Float.init) }
        return all
    }

    private func temporaryFile(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-learners-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.appendingPathComponent(name).path
    }

    func testTD3AndSACResumeFromACheckpointBitForBit() throws {
        for algorithm in [Algorithm.td3, .sac] {
            let path = temporaryFile("checkpoint.safetensors")
            let straight = try trainer(configuration(algorithm), seed: 5)
            try straight.train(totalSteps: 700, log: nil)
            let first = try trainer(configuration(algorithm), seed: 5)
            try first.train(totalSteps: 400, log: nil)
            try Checkpoint.save(first, to: path)
            let resumed = try trainer(configuration(algorithm), seed: 5)
            try Checkpoint.restore(resumed, from: path)
            try resumed.train(totalSteps: 700, log: nil)
            XCTAssertEqual(resumed.learner.updates, 499, "\(algorithm)")
            XCTAssertTrue(everything(resumed) == everything(straight), "\(algorithm): the resumed run differs from the straight one")
            let other = try trainer(configuration(algorithm), seed: 6)
            try other.train(totalSteps: 700, log: nil)
            XCTAssertFalse(everything(other) == everything(straight), "\(algorithm): another seed trains the same networks")
        }
    }

    /// The twin critics run one per thread, whole networks: no sum is split, so two threads give
    /// the one-thread result exactly on every CPU.
    func testOneAndTwoThreadsTrainTheSameTD3AndSACNetworks() throws {
        let helper = HelperThread()
        defer { helper.stop() }
        for algorithm in [Algorithm.td3, .sac] {
            var results: [[String: [Float]]] = []
            for parallelism in [Parallelism.serial, .twoThreads(helper)] {
                let trainer = try trainer(configuration(algorithm), seed: 3)
                trainer.learner.parallelism = parallelism
                try trainer.train(totalSteps: 500, log: nil)
                results.append(everything(trainer))
            }
            XCTAssertTrue(results[0] == results[1], "\(algorithm): two threads differ from one")
        }
    }

    /// A checkpoint holds its algorithm: a run cannot be resumed by another learner.
    func testACheckpointRefusesAnotherAlgorithm() throws {
        let path = temporaryFile("checkpoint.safetensors")
        let td3 = try trainer(configuration(.td3), seed: 1)
        try td3.train(totalSteps: 250, log: nil)
        try Checkpoint.save(td3, to: path)
        XCTAssertEqual(try Checkpoint.configuration(at: path).algorithm, .td3)
        var sac = configuration(.sac)
        sac.learningStarts = 200
        XCTAssertThrowsError(try Checkpoint.restore(try trainer(sac, seed: 1), from: path)) { error in
            XCTAssertTrue("\(error)".contains("different hyperparameters"), "\(error)")
        }
    }

    /// Checkpoints written before TD3 and SAC carry no algorithm in their configuration: DDPG's.
    func testAConfigurationWithoutAnAlgorithmIsDDPG() throws {
        var json = String(decoding: try JSONEncoder().encode(LearnerConfiguration()), as: UTF8.self)
        for key in ["algorithm", "targetPolicyNoise", "targetNoiseClip"] {
            json = json.replacingOccurrences(of: #""\#(key)":"?[a-z0-9.]*"?,?"#, with: "", options: .regularExpression)
        }
        XCTAssertFalse(json.contains("algorithm"), json)
        let decoded = try JSONDecoder().decode(LearnerConfiguration.self, from: Data(json.utf8))
        XCTAssertEqual(decoded, LearnerConfiguration())
    }

    /// SAC's actor file is the deterministic actor, tanh of the mean head: what run and eval deploy.
    func testSACSavesTheDeterministicActorAsAPlainPolicyFile() throws {
        let trainer = try trainer(configuration(.sac), seed: 2)
        try trainer.train(totalSteps: 300, log: nil)
        let path = temporaryFile("actor.safetensors")
        var metadata = TrainingFixtures.reacherMetadata
        metadata.algorithm = "sac"
        try ActorPolicy(network: trainer.learner.deployableActor(), metadata: metadata).save(path: path)
        let policy = try ActorPolicy.load(path: path, expecting: nil).policy
        XCTAssertEqual(policy.metadata.algorithm, "sac")
        XCTAssertEqual(policy.actionSize, 2)

        let sac = trainer.learner as! SACAgent
        let workspace = sac.actor.makeWorkspace(batch: 1)
        var random = Xoshiro256(seed: 9)
        for _ in 0..<20 {
            let observation = (0..<10).map { _ in Float(random.uniform(-1, 1)) }
            for i in 0..<10 { workspace.input[i] = observation[i] }
            sac.actor.forward(workspace, batch: 1)
            var action = [0.0, 0.0]
            policy.act(observation: observation, into: &action)
            for j in 0..<2 { XCTAssertEqual(action[j], Double(tanh(workspace.output[j])), accuracy: 1e-6) }
        }
    }
}
