import DeterministicRandom
import Foundation
import NeuralNetwork
import TestSupport
import Training
import XCTest

/// Four TD3 and four SAC updates on a fixed batch against the same updates written in PyTorch
/// with CleanRL's semantics (reference/pytorch/make_rl_reference.py), both sides fed the same
/// normal draws; and four SAC updates with DroQ's regularized critics, fed the same dropout masks too.
final class PyTorchLearnerTests: XCTestCase {
    private func reference(_ name: String) throws -> [String: Any] {
        let path = RepositoryFiles.path("reference/pytorch/rl_reference.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        return (json["cases"] as! [String: Any])[name] as! [String: Any]
    }

    private func configuration(_ algorithm: Algorithm) -> LearnerConfiguration {
        var configuration = LearnerConfiguration.defaults(for: algorithm)
        configuration.hiddenSizes = [8, 8]
        configuration.batchSize = 5
        return configuration
    }

    private func batch(_ reference: [String: Any]) -> ReplayBatch { TrainingFixtures.referenceBatch(reference) }

    /// A network's layers as PyTorch names them; a name list per layer joins rows (SAC's head is
    /// fc_mean's rows then fc_logstd's).
    private func layerTensors(_ parameters: Any?, _ names: [[String]]) -> [(weight: [Float], bias: [Float])] {
        let parameters = parameters as! [String: Any]
        return names.map { parts in
            (parts.flatMap { PyTorchReference.floats(parameters["\($0).weight"]) }, parts.flatMap { PyTorchReference.floats(parameters["\($0).bias"]) })
        }
    }

    private func set(_ network: MLP, _ parameters: Any?, _ names: [[String]]) {
        for (layer, tensors) in zip(network.layers, layerTensors(parameters, names)) {
            layer.weight.copy(from: tensors.weight)
            layer.bias.copy(from: tensors.bias)
        }
    }

    private func assertMatches(
        _ network: MLP, _ expected: Any?, _ names: [[String]], _ what: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        for (index, (layer, tensors)) in zip(network.layers, layerTensors(expected, names)).enumerated() {
            for (actual, reference, tensor) in [(layer.weight.array, tensors.weight, "weight"), (layer.bias.array, tensors.bias, "bias")] {
                XCTAssertEqual(actual.count, reference.count, "\(what) layer \(index) \(tensor)", file: file, line: line)
                for (a, e) in zip(actual, reference) {
                    XCTAssertEqual(a, e, accuracy: 2e-6 + 2e-5 * abs(e), "\(what) layer \(index) \(tensor)", file: file, line: line)
                }
            }
        }
    }

    private func number(_ value: Any?) -> Float { (value as! NSNumber).floatValue }

    private let criticNames = [["fc1"], ["fc2"], ["fc3"]]

    func testFourTD3UpdatesMatchPyTorch() throws {
        let reference = try reference("td3_update")
        var random = Xoshiro256(seed: 0)
        let agent = TD3Agent(observationSize: 3, actionSize: 2, configuration: configuration(.td3), random: &random)
        let initial = reference["initial_params"] as! [String: Any]
        let actorNames = [["fc1"], ["fc2"], ["fc_mu"]]
        set(agent.actor, initial["actor"], actorNames)
        set(agent.targetActor, initial["actor"], actorNames)
        let critics = agent.state.networks.reduce(into: [String: MLP]()) { $0[$1.name] = $1.network }
        for (name, source) in [("critic", "qf1"), ("target_critic", "qf1"), ("critic2", "qf2"), ("target_critic2", "qf2")] {
            set(critics[name]!, initial[source], criticNames)
        }
        agent.draws = NormalDraws(tape: PyTorchReference.floats(reference["smoothing_noise"]))
        let batch = batch(reference)

        for (index, expected) in (reference["updates"] as! [[String: Any]]).enumerated() {
            let what = "update \(index + 1)"
            let statistics = agent.update(batch: batch)
            XCTAssertEqual(statistics.criticLoss, number(expected["qf1_loss"]), accuracy: 1e-6, what)
            XCTAssertEqual(statistics.secondCriticLoss!, number(expected["qf2_loss"]), accuracy: 1e-6, what)
            let q1 = PyTorchReference.floats(expected["qf1_values"])
            XCTAssertEqual(statistics.meanQ, q1.reduce(0, +) / 5, accuracy: 1e-6, what)
            if let actorLoss = expected["actor_loss"] as? NSNumber {
                XCTAssertEqual(statistics.actorLoss!, actorLoss.floatValue, accuracy: 1e-6, what)
            } else {
                XCTAssertNil(statistics.actorLoss, "\(what): the actor waits for every second update")
            }
            assertMatches(agent.actor, expected["actor_params"], actorNames, "\(what) actor")
            assertMatches(agent.targetActor, expected["target_actor_params"], actorNames, "\(what) target actor")
            for (name, source) in [
                ("critic", "qf1_params"), ("critic2", "qf2_params"), ("target_critic", "qf1_target_params"), ("target_critic2", "qf2_target_params"),
            ] {
                assertMatches(critics[name]!, expected[source], criticNames, "\(what) \(name)")
            }
        }
    }

    func testFourSACUpdatesMatchPyTorch() throws {
        let reference = try reference("sac_update")
        var random = Xoshiro256(seed: 0)
        let agent = SACAgent(observationSize: 3, actionSize: 2, configuration: configuration(.sac), random: &random)
        let initial = reference["initial_params"] as! [String: Any]
        let actorNames = [["fc1"], ["fc2"], ["fc_mean", "fc_logstd"]]
        set(agent.actor, initial["actor"], actorNames)
        let networks = agent.state.networks.reduce(into: [String: MLP]()) { $0[$1.name] = $1.network }
        for (name, source) in [("critic", "qf1"), ("target_critic", "qf1"), ("critic2", "qf2"), ("target_critic2", "qf2")] {
            set(networks[name]!, initial[source], criticNames)
        }
        // The draws in the order the update takes them: ε for a′ each update, then per actor
        // iteration ε for the actor's sample and ε for the temperature's.
        let stream = reference["draw_stream"] as! [[String: Any]]
        agent.draws = NormalDraws(tape: stream.flatMap { PyTorchReference.floats($0["values"]) })
        XCTAssertEqual(agent.alpha, 1, "a tuned temperature starts at exp(0)")
        let batch = batch(reference)

        for (index, expected) in (reference["updates"] as! [[String: Any]]).enumerated() {
            let what = "update \(index + 1)"
            let statistics = agent.update(batch: batch)
            XCTAssertEqual(statistics.criticLoss, number(expected["qf1_loss"]), accuracy: 1e-5, what)
            XCTAssertEqual(statistics.secondCriticLoss!, number(expected["qf2_loss"]), accuracy: 1e-5, what)
            if let actorLoss = expected["actor_loss"] as? NSNumber {
                XCTAssertEqual(statistics.actorLoss!, actorLoss.floatValue, accuracy: 1e-5, what)
                XCTAssertEqual(statistics.alphaLoss!, number(expected["alpha_loss"]), accuracy: 1e-5, what)
            } else {
                XCTAssertNil(statistics.actorLoss, what)
            }
            XCTAssertEqual(statistics.alpha!, number(expected["alpha"]), accuracy: 1e-6, what)
            XCTAssertEqual(agent.logAlpha[0], number(expected["log_alpha"]), accuracy: 1e-6, what)
            assertMatches(agent.actor, expected["actor_params"], actorNames, "\(what) actor")
            for (name, source) in [
                ("critic", "qf1_params"), ("critic2", "qf2_params"), ("target_critic", "qf1_target_params"), ("target_critic2", "qf2_target_params"),
            ] {
                assertMatches(networks[name]!, expected[source], criticNames, "\(what) \(name)")
            }
        }

        // The deployed actor is tanh of the mean head, without the log-std rows.
        let deployed = agent.deployableActor()
        XCTAssertEqual(deployed.outputSize, 2)
        let workspace = deployed.makeWorkspace(batch: 5)
        batch.loadForTest(into: workspace)
        deployed.forward(workspace, batch: 5)
        let expectedActions = PyTorchReference.floats(reference["deterministic_actions_after_last_update"])
        for (a, e) in zip(workspace.output.array, expectedActions) { XCTAssertEqual(a, e, accuracy: 2e-6) }
    }

    /// The same four SAC updates with DroQ's critics — every critic hidden layer Linear →
    /// Dropout(0.25) → LayerNorm → ReLU, targets too, with dropout in y's targets and in the
    /// actor's Q — fed each network's dropout masks as PyTorch drew them.
    func testFourSACUpdatesWithDroQCriticsMatchPyTorch() throws {
        let reference = try reference("sac_droq_update")
        var configuration = configuration(.sac)
        configuration.criticDropout = number(reference["dropout"])
        configuration.criticLayerNorm = true
        var random = Xoshiro256(seed: 0)
        let agent = SACAgent(observationSize: 3, actionSize: 2, configuration: configuration, random: &random)
        XCTAssertEqual(DropoutMasks.scale(probability: configuration.criticDropout), number(reference["dropout_scale"]))
        let initial = reference["initial_params"] as! [String: Any]
        let actorNames = [["fc1"], ["fc2"], ["fc_mean", "fc_logstd"]]
        set(agent.actor, initial["actor"], actorNames)
        let networks = agent.state.networks.reduce(into: [String: MLP]()) { $0[$1.name] = $1.network }
        let tapes = reference["dropout_tapes"] as! [String: Any]
        let sources = [("critic", "qf1"), ("target_critic", "qf1"), ("critic2", "qf2"), ("target_critic2", "qf2")]
        for (name, source) in sources {
            set(networks[name]!, initial[source], criticNames)
            setNorms(networks[name]!, initial[source])
            let tape = name.hasPrefix("target") ? (name == "target_critic" ? "qf1_target" : "qf2_target") : source
            networks[name]!.dropoutMasks = DropoutMasks(tape: PyTorchReference.floats(tapes[tape]))
        }
        let stream = reference["draw_stream"] as! [[String: Any]]
        agent.draws = NormalDraws(tape: stream.flatMap { PyTorchReference.floats($0["values"]) })
        let batch = batch(reference)

        for (index, expected) in (reference["updates"] as! [[String: Any]]).enumerated() {
            let what = "update \(index + 1)"
            let statistics = agent.update(batch: batch)
            XCTAssertEqual(statistics.criticLoss, number(expected["qf1_loss"]), accuracy: 1e-5, what)
            XCTAssertEqual(statistics.secondCriticLoss!, number(expected["qf2_loss"]), accuracy: 1e-5, what)
            let q1 = PyTorchReference.floats(expected["qf1_values"])
            XCTAssertEqual(statistics.meanQ, q1.reduce(0, +) / 5, accuracy: 1e-5, what)
            if let actorLoss = expected["actor_loss"] as? NSNumber {
                XCTAssertEqual(statistics.actorLoss!, actorLoss.floatValue, accuracy: 1e-5, what)
                XCTAssertEqual(statistics.alphaLoss!, number(expected["alpha_loss"]), accuracy: 1e-5, what)
            } else {
                XCTAssertNil(statistics.actorLoss, what)
            }
            XCTAssertEqual(agent.logAlpha[0], number(expected["log_alpha"]), accuracy: 1e-6, what)
            assertMatches(agent.actor, expected["actor_params"], actorNames, "\(what) actor")
            for (name, source) in [
                ("critic", "qf1_params"), ("critic2", "qf2_params"), ("target_critic", "qf1_target_params"), ("target_critic2", "qf2_target_params"),
            ] {
                assertMatches(networks[name]!, expected[source], criticNames, "\(what) \(name)")
                assertNormsMatch(networks[name]!, expected[source], "\(what) \(name)")
            }
        }
        for (name, _) in sources {
            XCTAssertEqual(networks[name]!.dropoutMasks!.remainingTape, 0, "\(name) ran as often as PyTorch's, and no more")
        }
    }

    private let normNames = ["ln1", "ln2"]

    private func setNorms(_ network: MLP, _ parameters: Any?) {
        let parameters = parameters as! [String: Any]
        for (norm, name) in zip(network.norms.compactMap { $0 }, normNames) {
            norm.gain.copy(from: PyTorchReference.floats(parameters["\(name).weight"]))
            norm.bias.copy(from: PyTorchReference.floats(parameters["\(name).bias"]))
        }
    }

    private func assertNormsMatch(_ network: MLP, _ expected: Any?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let expected = expected as! [String: Any]
        let norms = network.norms.compactMap { $0 }
        XCTAssertEqual(norms.count, 2, what, file: file, line: line)
        for (norm, name) in zip(norms, normNames) {
            for (actual, tensor) in [(norm.gain.array, "weight"), (norm.bias.array, "bias")] {
                let reference = PyTorchReference.floats(expected["\(name).\(tensor)"])
                XCTAssertEqual(actual.count, reference.count, "\(what) \(name).\(tensor)", file: file, line: line)
                for (a, e) in zip(actual, reference) {
                    XCTAssertEqual(a, e, accuracy: 2e-6 + 2e-5 * abs(e), "\(what) \(name).\(tensor)", file: file, line: line)
                }
            }
        }
    }
}

extension ReplayBatch {
    /// The batch's observations as rows of `workspace`'s input.
    fileprivate func loadForTest(into workspace: MLPWorkspace) {
        for b in 0..<size {
            for j in 0..<observationSize { workspace.input[b * observationSize + j] = row(b)[layout.observation + j] }
        }
    }
}
