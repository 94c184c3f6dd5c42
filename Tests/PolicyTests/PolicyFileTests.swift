import DeterministicRandom
import Foundation
import NeuralNetwork
import Policy
import XCTest

final class PolicyFileTests: XCTestCase {
    let metadata = PolicyMetadata(
        observationLayout: "reacher-v5", jointNames: ["shoulder", "elbow"], robotName: "reacher", robotFingerprint: "abc",
        activations: ["relu", "relu", "tanh"])
    let expectation = PolicyExpectation(
        observationLayout: "reacher-v5", observationSize: 10, jointNames: ["shoulder", "elbow"], robotName: "reacher",
        robotFingerprint: "abc")

    func makePolicy(seed: UInt64 = 1) -> ActorPolicy {
        var random = Xoshiro256(seed: seed)
        let network = MLP(sizes: [10, 16, 16, 2], activations: [.relu, .relu, .tanh])
        network.initializeLikePyTorch(using: &random)
        return ActorPolicy(network: network, metadata: metadata)
    }

    func temporaryPath(_ name: String = "actor.safetensors") -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-policy-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.appendingPathComponent(name).path
    }

    func write(_ file: SafeTensorsFile) throws -> String {
        let path = temporaryPath()
        try SafeTensors.write(file, to: path)
        return path
    }

    func problem(_ path: String, _ expecting: PolicyExpectation? = nil) -> PolicyError.Problem? {
        do {
            _ = try ActorPolicy.load(path: path, expecting: expecting ?? expectation)
            return nil
        } catch {
            XCTAssertTrue(error.description.hasPrefix(path), error.description)
            return error.problem
        }
    }

    func testTheFileHoldsOnlyTheActorUnderCleanRLNames() {
        let file = makePolicy().file
        XCTAssertEqual(Set(file.tensors.keys), ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc_mu.weight", "fc_mu.bias"])
        XCTAssertEqual(file.tensors["fc1.weight"]?.shape, [16, 10], "PyTorch's [out, in] layout")
        XCTAssertEqual(file.metadata["format"], "armature-policy")
        XCTAssertEqual(file.metadata["joint_names"], "[\"shoulder\",\"elbow\"]")
        XCTAssertEqual(file.metadata["observation_layout"], "reacher-v5")
    }

    func testSavedPoliciesLoadAndActIdentically() throws {
        let policy = makePolicy()
        let path = temporaryPath()
        try policy.save(path: path)
        let (loaded, warnings) = try ActorPolicy.load(path: path, expecting: expectation)
        XCTAssertEqual(warnings, [])
        let observation: [Float] = [1, 0.5, 0, -0.2, 0.1, 0.05, 0.3, -0.3, 0.02, 0.01]
        var a = [0.0, 0.0]
        var b = [0.0, 0.0]
        policy.act(observation: observation, into: &a)
        loaded.act(observation: observation, into: &b)
        XCTAssertEqual(a, b)
        XCTAssertTrue(a.allSatisfy { abs($0) <= 1 })
    }

    func testTruncatedOrCorruptedFilesAreNamedErrors() throws {
        let path = temporaryPath()
        try makePolicy().save(path: path)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: path))
        guard case .file = problem(path) else { return XCTFail("truncated file accepted") }
        try Data("not a policy".utf8).write(to: URL(fileURLWithPath: path))
        guard case .file = problem(path) else { return XCTFail("text accepted") }
        guard case .file = problem("/nonexistent/actor.safetensors") else { return XCTFail("missing file accepted") }
    }

    func testWrongShapesMissingTensorsAndExtraTensorsAreRefused() throws {
        var file = makePolicy().file
        file.tensors["fc2.weight"] = StoredTensor(shape: [16, 15], values: Array(repeating: 0, count: 240))
        XCTAssertEqual(problem(try write(file)), .badShape(tensor: "fc2.weight", shape: [16, 15], expected: "[out, 16] to follow the previous layer"))
        file = makePolicy().file
        file.tensors["fc_mu.bias"] = nil
        XCTAssertEqual(problem(try write(file)), .missingTensor("fc_mu.bias"))
        file = makePolicy().file
        file.tensors["qf1.fc1.weight"] = StoredTensor(shape: [1], values: [0])
        XCTAssertEqual(problem(try write(file)), .unexpectedTensor("qf1.fc1.weight"))
    }

    func testNonFiniteWeightsAreRefused() throws {
        var file = makePolicy().file
        file.tensors["fc2.bias"]!.values[3] = .nan
        XCTAssertEqual(problem(try write(file)), .nonFinite(tensor: "fc2.bias", index: 3))
    }

    func testAPolicyForAnotherRobotOrTaskIsRefused() throws {
        let path = temporaryPath()
        try makePolicy().save(path: path)
        var other = expectation
        other.jointNames = ["j0", "j1"]
        XCTAssertEqual(problem(path, other), .jointMismatch(policy: ["shoulder", "elbow"], robot: ["j0", "j1"]))
        other = expectation
        other.observationLayout = "reacher-v6"
        XCTAssertEqual(problem(path, other), .layoutMismatch(policy: "reacher-v5", robot: "reacher-v6"))
        other = expectation
        other.robotFingerprint = "def"
        let (_, warnings) = try ActorPolicy.load(path: path, expecting: other)
        XCTAssertEqual(warnings.count, 1, "a changed description warns but does not block")
    }

    func testAPyTorchExportNeedsLayoutAndJointNames() throws {
        var file = makePolicy().file
        file.metadata = ["observation_layout": "reacher-v5"]
        guard case .missingMetadata("joint_names") = problem(try write(file)) else { return XCTFail() }
        // CleanRL's state_dict carries action_scale and action_bias buffers; they are applied.
        file = makePolicy().file
        file.metadata = ["observation_layout": "reacher-v5", "joint_names": "[\"shoulder\", \"elbow\"]"]
        file.tensors["action_scale"] = StoredTensor(shape: [1, 2], values: [0.5, 0.5])
        file.tensors["action_bias"] = StoredTensor(shape: [1, 2], values: [0.1, -0.1])
        let (policy, _) = try ActorPolicy.load(path: try write(file), expecting: expectation)
        let reference = makePolicy()
        var a = [0.0, 0.0]
        var b = [0.0, 0.0]
        let observation = [Float](repeating: 0.3, count: 10)
        policy.act(observation: observation, into: &a)
        reference.act(observation: observation, into: &b)
        XCTAssertEqual(a[0], b[0] * 0.5 + 0.1, accuracy: 1e-6)
        XCTAssertEqual(a[1], b[1] * 0.5 - 0.1, accuracy: 1e-6)
    }

    func testALoadedPolicySavedAgainKeepsItsActionScaleAndBias() throws {
        var file = makePolicy().file
        file.tensors["action_scale"] = StoredTensor(shape: [2], values: [0.5, 2])
        file.tensors["action_bias"] = StoredTensor(shape: [2], values: [0.1, -0.1])
        let (loaded, _) = try ActorPolicy.load(path: try write(file), expecting: expectation)
        let again = temporaryPath()
        try loaded.save(path: again)
        let (reloaded, _) = try ActorPolicy.load(path: again, expecting: expectation)
        XCTAssertEqual(reloaded.actionScale, [0.5, 2])
        XCTAssertEqual(reloaded.actionBias, [0.1, -0.1])
        var a = [0.0, 0.0]
        var b = [0.0, 0.0]
        let observation = [Float](repeating: 0.3, count: 10)
        loaded.act(observation: observation, into: &a)
        reloaded.act(observation: observation, into: &b)
        XCTAssertEqual(a, b)
        // A policy trained here has none, and its file stays CleanRL's actor tensors alone.
        XCTAssertNil(makePolicy().file.tensors["action_scale"])
    }
}
