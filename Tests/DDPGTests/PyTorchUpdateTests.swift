import DDPG
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
        var configuration = DDPGConfiguration()
        configuration.hiddenSizes = [8, 8]
        configuration.batchSize = 5
        configuration.policyFrequency = 1
        var random = Xoshiro256(seed: 0)
        let agent = DDPGAgent(observationSize: 3, actionSize: 2, configuration: configuration, random: &random)
        setFormulaParameters(agent.actor, firstLayerIndex: 0)
        setFormulaParameters(agent.critic, firstLayerIndex: 10)
        agent.actor.copyParameters(into: agent.targetActor)
        agent.critic.copyParameters(into: agent.targetCritic)

        let batch = ReplayBatch(size: 5, observationSize: 3, actionSize: 2)
        let obs = PyTorchReference.floats(ddpg["obs"])
        let actions = PyTorchReference.floats(ddpg["actions"])
        let next = PyTorchReference.floats(ddpg["next_obs"])
        let rewards = PyTorchReference.floats(ddpg["rewards"])
        let dones = PyTorchReference.floats(ddpg["dones"])
        for b in 0..<5 {
            let row = batch.rows.pointer + b * 10
            for j in 0..<3 { row[j] = obs[b * 3 + j] }
            for j in 0..<2 { row[3 + j] = actions[b * 2 + j] }
            row[5] = rewards[b]
            row[6] = dones[b]
            for j in 0..<3 { row[7 + j] = next[b * 3 + j] }
        }

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
    /// Two threads only run independent products side by side, so the numbers must not change.
    func testTwoThreadUpdatesEqualSerialUpdates() {
        setMatrixThreads(1)
        var configuration = DDPGConfiguration()
        configuration.hiddenSizes = [64, 64]
        configuration.batchSize = 64
        var randomA = Xoshiro256(seed: 3)
        var randomB = Xoshiro256(seed: 3)
        let serial = DDPGAgent(observationSize: 10, actionSize: 2, configuration: configuration, random: &randomA)
        let parallel = DDPGAgent(observationSize: 10, actionSize: 2, configuration: configuration, random: &randomB)
        parallel.parallelism = .twoThreads(HelperThread())
        let batch = ReplayBatch(size: 64, observationSize: 10, actionSize: 2)
        var random = Xoshiro256(seed: 4)
        for _ in 0..<6 {
            for i in 0..<batch.rows.count { batch.rows[i] = Float(random.uniform(-1, 1)) }
            for b in 0..<64 { batch.rows[b * 24 + 13] = b % 7 == 0 ? 1 : 0 }
            let a = serial.update(batch: batch)
            let b = parallel.update(batch: batch)
            XCTAssertEqual(a, b)
        }
        for (x, y) in zip(serial.actor.layers + serial.critic.layers + serial.targetCritic.layers, parallel.actor.layers + parallel.critic.layers + parallel.targetCritic.layers) {
            XCTAssertEqual(x.weight.array, y.weight.array)
            XCTAssertEqual(x.bias.array, y.bias.array)
        }
    }
}
