import Training
import DeterministicRandom
import Foundation
import NeuralNetwork
import TestSupport
import XCTest

/// Two DDPG updates on a fixed batch against the same update written in PyTorch (CleanRL's order).
final class PyTorchUpdateTests: XCTestCase {
    func setFormulaParameters(_ network: MLP, firstLayerIndex: Int) {
        for (offset, layer) in network.layers.enumerated() {
            let k = firstLayerIndex + offset
            for i in 0..<layer.outputs {
                for j in 0..<layer.inputs { layer.weight[i * layer.inputs + j] = PyTorchReference.weight(i, j, layer: k) }
                layer.bias[i] = PyTorchReference.bias(i, layer: k)
            }
        }
    }

    func assertParameters(_ network: MLP, _ expected: Any?, names: [String], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let expected = expected as! [String: Any]
        for (layer, name) in zip(network.layers, names) {
            for (actual, tensor) in [(layer.weight.array, "weight"), (layer.bias.array, "bias")] {
                let reference = PyTorchReference.floats(expected["\(name).\(tensor)"])
                XCTAssertEqual(actual.count, reference.count, file: file, line: line)
                for (a, e) in zip(actual, reference) {
                    XCTAssertEqual(a, e, accuracy: 2e-6 + 2e-5 * abs(e), "\(what) \(name).\(tensor)", file: file, line: line)
                }
            }
        }
    }

    func testTwoUpdatesMatchPyTorch() throws {
        let reference = try PyTorchReference.load()
        let ddpg = (reference["cases"] as! [String: Any])["ddpg_update"] as! [String: Any]
        var configuration = LearnerConfiguration()
        configuration.hiddenSizes = [8, 8]
        configuration.batchSize = 5
        configuration.policyFrequency = 1
        var random = Xoshiro256(seed: 0)
        let agent = DDPGAgent(observationSize: 3, actionSize: 2, configuration: configuration, random: &random)
        setFormulaParameters(agent.actor, firstLayerIndex: 0)
        setFormulaParameters(agent.critic, firstLayerIndex: 10)
        agent.actor.copyParameters(into: agent.targetActor)
        agent.critic.copyParameters(into: agent.targetCritic)

        let batch = TrainingFixtures.referenceBatch(ddpg)

        let actorNames = ["fc1", "fc2", "fc_mu"]
        let criticNames = ["fc1", "fc2", "fc3"]
        for (index, expected) in (ddpg["updates"] as! [[String: Any]]).enumerated() {
            let statistics = agent.update(batch: batch)
            XCTAssertEqual(statistics.criticLoss, (expected["qf1_loss"] as! NSNumber).floatValue, accuracy: 1e-6, "update \(index + 1)")
            XCTAssertEqual(statistics.actorLoss!, (expected["actor_loss"] as! NSNumber).floatValue, accuracy: 1e-6, "update \(index + 1)")
            let q = PyTorchReference.floats(expected["qf1_values"])
            XCTAssertEqual(statistics.meanQ, q.reduce(0, +) / Float(q.count), accuracy: 1e-6)
            assertParameters(agent.actor, expected["actor_params"], names: actorNames, "update \(index + 1) actor")
            assertParameters(agent.critic, expected["critic_params"], names: criticNames, "update \(index + 1) critic")
            assertParameters(agent.targetActor, expected["target_actor_params"], names: actorNames, "update \(index + 1) target actor")
            assertParameters(agent.targetCritic, expected["target_critic_params"], names: criticNames, "update \(index + 1) target critic")
        }
    }
}

final class ParallelUpdateTests: XCTestCase {
    /// Two threads run whole products side by side or cut a batch's rows where `RowSplit` measured
    /// that this BLAS sums every element as for the whole batch, never a sum, so not one bit may
    /// change: at CleanRL's shapes, batches that do not halve evenly, widths that are not a multiple
    /// of 16, one and three hidden layers, and shapes whose half products fall below OpenBLAS's
    /// small-matrix threshold while the whole does not (SkylakeX's small kernels sum in another order).
    func testTwoThreadUpdatesEqualSerialUpdates() {
        let shapes: [([Int], Int)] = [
            ([256, 256], 256), ([256, 256], 200), ([100, 100], 256), ([100, 100], 200), ([64, 64], 256), ([64, 64], 200),
            ([64], 256), ([64, 64, 64], 256), ([37, 37], 33),
        ]
        for (hidden, batchSize) in shapes {
            let (serial, parallel) = updatePair(hidden: hidden, batchSize: batchSize)
            XCTAssertEqual(serial.statistics, parallel.statistics, "hidden \(hidden), batch \(batchSize)")
            XCTAssertNil(
                firstDifference(serial.parameters, parallel.parameters),
                "hidden \(hidden), batch \(batchSize): parameters, targets or Adam moments differ")
        }
    }

    /// At CleanRL's shapes the row-by-row stages really run on two threads: every kernel family
    /// has an exact cut within 24 rows of the middle (Haswell and Zen: 132, a multiple of their
    /// 12-row blocks; the other families: 128).
    func testCleanRLShapesCutTheBatchNearTheMiddle() throws {
        setMatrixThreads(1)
        var random = Xoshiro256(seed: 1)
        let agent = DDPGAgent(observationSize: 10, actionSize: 2, configuration: LearnerConfiguration(), random: &random)
        XCTAssertNil(agent.rowSplit, "measured only when two threads are chosen")
        let helper = HelperThread()
        defer { helper.stop() }
        agent.parallelism = .twoThreads(helper)
        let cut = try XCTUnwrap(agent.rowSplit?.cut, "no exact cut for batch 256 on this BLAS")
        XCTAssertLessThanOrEqual(abs(cut - 128), 24)
    }

    /// The index and values of the first element whose bits differ, or nil.
    private func firstDifference(_ a: [Float], _ b: [Float]) -> String? {
        if a.count != b.count { return "\(a.count) values against \(b.count)" }
        guard let i = a.indices.first(where: { a[$0].bitPattern != b[$0].bitPattern }) else { return nil }
        let count = a.indices.filter { a[$0].bitPattern != b[$0].bitPattern }.count
        return "\(count) of \(a.count) differ, first at \(i): \(a[i]) against \(b[i])"
    }

    private struct Outcome {
        var statistics: [UpdateStatistics] = []
        var parameters: [Float] = []
    }

    /// Six identical updates on a serial and a two-thread agent; the statistics and every parameter,
    /// target and Adam moment afterwards.
    private func updatePair(hidden: [Int], batchSize: Int) -> (Outcome, Outcome) {
        setMatrixThreads(1)
        var configuration = LearnerConfiguration()
        configuration.hiddenSizes = hidden
        configuration.batchSize = batchSize
        let helper = HelperThread()
        defer { helper.stop() }
        var outcomes: [Outcome] = []
        for parallelism in [Parallelism.serial, .twoThreads(helper)] {
            var initial = Xoshiro256(seed: 3)
            let agent = DDPGAgent(observationSize: 10, actionSize: 2, configuration: configuration, random: &initial)
            agent.parallelism = parallelism
            let batch = ReplayBatch(size: batchSize, observationSize: 10, actionSize: 2)
            var random = Xoshiro256(seed: 4)
            var outcome = Outcome()
            for _ in 0..<6 {
                for i in 0..<batch.rows.count { batch.rows[i] = Float(random.uniform(-1, 1)) }
                for b in 0..<batchSize { batch.row(b)[batch.layout.terminated] = b % 7 == 0 ? 1 : 0 }
                outcome.statistics.append(agent.update(batch: batch))
            }
            for network in [agent.actor, agent.critic, agent.targetActor, agent.targetCritic] {
                for layer in network.layers { outcome.parameters += layer.weight.array + layer.bias.array }
            }
            for optimizer in [agent.actorOptimizer, agent.criticOptimizer] {
                for moment in optimizer.firstMoments + optimizer.secondMoments { outcome.parameters += moment.array }
            }
            outcomes.append(outcome)
        }
        return (outcomes[0], outcomes[1])
    }
}
