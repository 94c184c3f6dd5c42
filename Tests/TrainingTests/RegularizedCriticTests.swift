import DeterministicRandom
import Foundation
import Hardware
import NeuralNetwork
import Tasks
import TestSupport
import Training
import XCTest

/// DroQ's regularized critics (`criticDropout`, `criticLayerNorm`) through the shared trainers and
/// checkpoints, for all three learners: resumed bit for bit (γ, β and every dropout stream in the
/// checkpoint), bit-identical on one or two threads, and built from the same draws as plain critics.
final class RegularizedCriticTests: XCTestCase {
    override func setUp() { setMatrixThreads(1) }

    private func reacherTask() throws -> ReachEnvironment {
        let robot = try RepositoryFiles.robot("reacher")
        return ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
    }

    private func configuration(_ algorithm: Algorithm, dropout: Float = 0.1, layerNorm: Bool = true) -> LearnerConfiguration {
        var c = LearnerConfiguration.defaults(for: algorithm)
        c.hiddenSizes = [32, 32]
        c.batchSize = 32
        c.learningStarts = 200
        c.bufferSize = 5_000
        c.criticDropout = dropout
        c.criticLayerNorm = layerNorm
        return c
    }

    private func trainer(_ configuration: LearnerConfiguration, seed: UInt64) throws -> Trainer {
        Trainer(environment: try reacherTask(), configuration: configuration, seed: seed, metadata: TrainingFixtures.reacherMetadata)
    }

    /// Every tensor of the learner's state by name, the normalizations and the dropout streams included.
    private func everything(_ learner: any Learner) -> [String: [Float]] {
        let state = learner.state
        var all: [String: [Float]] = [:]
        for (name, network) in state.networks {
            for (i, layer) in network.layers.enumerated() { all["\(name).\(i)"] = layer.weight.array + layer.bias.array }
            for (i, norm) in network.norms.enumerated() {
                if let norm { all["\(name).\(i).norm"] = norm.gain.array + norm.bias.array }
            }
            if var random = network.dropoutMasks?.random { all["\(name).dropout"] = (0..<4).map { _ in Float(random.nextUnit()) } }
        }
        for (name, optimizer) in state.optimizers {
            all[name] = optimizer.firstMoments.flatMap(\.array) + optimizer.secondMoments.flatMap(\.array) + [Float(optimizer.stepCount)]
        }
        for (name, buffer) in state.tensors { all[name] = buffer.array }
        if var random = state.draws?.random { all["draws"] = [Float(random.normal())] }
        return all
    }

    private func temporaryFile(_ name: String) -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-droq-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.appendingPathComponent(name).path
    }

    func testRegularizedCriticsResumeFromACheckpointBitForBit() throws {
        for algorithm in Algorithm.allCases {
            // SAC at DroQ's own 0.01, whose masks are drawn as gaps; the others unit by unit.
            let regularized = configuration(algorithm, dropout: algorithm == .sac ? 0.01 : 0.1)
            let path = temporaryFile("checkpoint.safetensors")
            let straight = try trainer(regularized, seed: 5)
            try straight.train(totalSteps: 700, log: nil)
            let first = try trainer(regularized, seed: 5)
            try first.train(totalSteps: 400, log: nil)
            try Checkpoint.save(first, to: path)
            let file = try SafeTensors.read(path: path)
            XCTAssertNotNil(file.tensors["critic.1.layer_norm.weight"], "\(algorithm): γ is stored")
            XCTAssertNotNil(file.tensors["target_critic.0.layer_norm.bias"], "\(algorithm): the target's β is stored")
            XCTAssertNil(file.tensors["critic.2.layer_norm.weight"], "\(algorithm): the output layer has no normalization")
            XCTAssertNotNil(file.metadata["random.dropout.target_critic"], "\(algorithm): the target's dropout stream is stored")
            let resumed = try trainer(regularized, seed: 5)
            try Checkpoint.restore(resumed, from: path)
            try resumed.train(totalSteps: 700, log: nil)
            XCTAssertEqual(resumed.learner.updates, straight.learner.updates, "\(algorithm)")
            XCTAssertTrue(everything(resumed.learner) == everything(straight.learner), "\(algorithm): the resumed run differs from the straight one")

            // A checkpoint without a dropout stream or a normalization is refused by name.
            var edited = file
            edited.metadata["random.dropout.critic"] = nil
            try SafeTensors.write(edited, to: path)
            XCTAssertThrowsError(try Checkpoint.restore(try trainer(regularized, seed: 5), from: path)) { error in
                XCTAssertTrue("\(error)".contains("random.dropout.critic"), "\(error)")
            }
            edited = file
            edited.tensors["target_critic.1.layer_norm.weight"] = nil
            try SafeTensors.write(edited, to: path)
            XCTAssertThrowsError(try Checkpoint.restore(try trainer(regularized, seed: 5), from: path)) { error in
                XCTAssertTrue("\(error)".contains("target_critic.1.layer_norm.weight"), "\(error)")
            }
            // Nor does a plain run take it.
            try Checkpoint.save(first, to: path)
            XCTAssertThrowsError(try Checkpoint.restore(try trainer(configuration(algorithm, dropout: 0, layerNorm: false), seed: 5), from: path))
        }
    }

    /// Each network draws its masks from its own stream, and DDPG draws its critics' masks whole
    /// before their rows run apart, so two threads give the one-thread result exactly. DDPG's
    /// shapes are those at which its batch rows are cut (TrainerTests).
    func testOneAndTwoThreadsTrainTheSameRegularizedCritics() throws {
        let helper = HelperThread()
        defer { helper.stop() }
        for algorithm in Algorithm.allCases {
            var c = configuration(algorithm)
            if algorithm == .ddpg {
                c.hiddenSizes = [64, 64]
                c.batchSize = 64
            }
            var results: [[String: [Float]]] = []
            for parallelism in [Parallelism.serial, .twoThreads(helper)] {
                let trainer = try trainer(c, seed: 3)
                trainer.learner.parallelism = parallelism
                try trainer.train(totalSteps: 500, log: nil)
                results.append(everything(trainer.learner))
            }
            XCTAssertTrue(results[0] == results[1], "\(algorithm): two threads differ from one")
        }
    }

    /// The regularization adds layers and streams but takes no draw from before: the same seed
    /// gives the same initial weights and update draws as plain critics, and each critic and
    /// target its own dropout stream.
    func testRegularizedCriticsStartFromThePlainCriticsWeights() throws {
        for algorithm in Algorithm.allCases {
            var random = Xoshiro256(seed: 8)
            let plain = makeLearner(observationSize: 10, actionSize: 2, configuration: configuration(algorithm, dropout: 0, layerNorm: false), random: &random)
            random = Xoshiro256(seed: 8)
            let regularized = makeLearner(observationSize: 10, actionSize: 2, configuration: configuration(algorithm), random: &random)
            let plainNetworks = Dictionary(uniqueKeysWithValues: plain.state.networks.map { ($0.name, $0.network) })
            var streams: [UInt64] = []
            for (name, network) in regularized.state.networks {
                for (a, b) in zip(network.layers, plainNetworks[name]!.layers) {
                    XCTAssertEqual(a.weight.array, b.weight.array, "\(algorithm) \(name)")
                    XCTAssertEqual(a.bias.array, b.bias.array, "\(algorithm) \(name)")
                }
                let isCritic = name.contains("critic")
                XCTAssertEqual(network.norms.compactMap { $0 }.count, isCritic ? 2 : 0, "\(algorithm) \(name)")
                XCTAssertEqual(network.dropoutMasks != nil, isCritic, "\(algorithm) \(name)")
                XCTAssertNil(plainNetworks[name]!.dropoutMasks)
                if var stream = network.dropoutMasks?.random { streams.append(stream.next()) }
            }
            XCTAssertEqual(Set(streams).count, algorithm == .ddpg ? 2 : 4, "\(algorithm): one stream per critic and target")
            if var a = plain.state.draws?.random, var b = regularized.state.draws?.random {
                XCTAssertEqual(a.next(), b.next(), "\(algorithm): the update's normal draws are the plain critics'")
            }
        }
    }

    func testTheOptionsAreCheckedAndOlderConfigurationsArePlain() throws {
        var c = configuration(.sac)
        for bad: Float in [-0.1, 0.95, 1, .nan, .infinity] {
            c.criticDropout = bad
            XCTAssertTrue(c.problems.contains { $0.hasPrefix("--critic-dropout") }, "\(bad): \(c.problems)")
        }
        c.criticDropout = 0.01
        XCTAssertEqual(c.problems, [])
        var json = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
        for key in ["criticDropout", "criticLayerNorm"] {
            json = json.replacingOccurrences(of: #""\#(key)":[a-z0-9.]*,?"#, with: "", options: .regularExpression)
        }
        XCTAssertFalse(json.contains("criticDropout") || json.contains("criticLayerNorm"), json)
        let decoded = try JSONDecoder().decode(LearnerConfiguration.self, from: Data(json.utf8))
        XCTAssertEqual(decoded.criticDropout, 0)
        XCTAssertFalse(decoded.criticLayerNorm)
    }
}
