import NeuralNetwork

/// The deployable policy: the actor network alone, its metadata, and allocation-free inference.
///
/// Inference runs on a frozen `SingleInputNetwork` copy made at creation: a policy does not
/// follow later changes to `network` (build a new one to pick up new weights).
///
/// Tensor names are CleanRL's `Actor`: `fc1.weight`, `fc1.bias`, …, `fc_mu.weight`, `fc_mu.bias`
/// (PyTorch's [out, in] layout, float32). Optional `action_scale` and `action_bias` tensors (CleanRL
/// registers them as buffers) are applied after the tanh; the result is the normalized action.
///
/// Not `Sendable`: `act` writes the inference copy's scratch buffers, so two threads acting at once
/// would corrupt each other's actions. One owner (the control loop) acts; another thread that needs
/// a policy loads or builds its own.
public final class ActorPolicy {
    public let network: MLP
    public let metadata: PolicyMetadata
    public let actionScale: [Float]
    public let actionBias: [Float]
    /// Whether `action_scale` and `action_bias` were given (a CleanRL file has them): the file this
    /// policy writes then carries them too, so that a loaded policy saved again acts the same.
    private let hasActionTransform: Bool
    private let inference: SingleInputNetwork

    public init(network: MLP, metadata: PolicyMetadata, actionScale: [Float]? = nil, actionBias: [Float]? = nil) {
        self.network = network
        self.metadata = metadata
        self.actionScale = actionScale ?? Array(repeating: 1, count: network.outputSize)
        self.actionBias = actionBias ?? Array(repeating: 0, count: network.outputSize)
        hasActionTransform = actionScale != nil || actionBias != nil
        inference = SingleInputNetwork(network)
    }

    public var observationSize: Int { network.inputSize }
    public var actionSize: Int { network.outputSize }

    /// The normalized action for one observation, written into `action` without allocating.
    public func act(observation: [Float], into action: inout [Double]) {
        let output = inference.run(observation)
        for i in 0..<actionSize { action[i] = Double(output[i] * actionScale[i] + actionBias[i]) }
    }

    /// Tensor names for layer `index` of `count` (CleanRL's naming).
    static func layerName(_ index: Int, of count: Int) -> String { index == count - 1 ? "fc_mu" : "fc\(index + 1)" }

    /// The file contents: the actor's tensors (with `action_scale` and `action_bias` when the policy
    /// has them) and the metadata.
    public var file: SafeTensorsFile {
        var tensors: [String: StoredTensor] = [:]
        for (i, layer) in network.layers.enumerated() {
            let name = Self.layerName(i, of: network.layers.count)
            tensors["\(name).weight"] = StoredTensor(shape: [layer.outputs, layer.inputs], values: layer.weight.array)
            tensors["\(name).bias"] = StoredTensor(shape: [layer.outputs], values: layer.bias.array)
        }
        if hasActionTransform {
            tensors["action_scale"] = StoredTensor(shape: [actionSize], values: actionScale)
            tensors["action_bias"] = StoredTensor(shape: [actionSize], values: actionBias)
        }
        return SafeTensorsFile(tensors: tensors, metadata: metadata.strings)
    }

    /// Writes the policy atomically.
    public func save(path: String) throws(PolicyError) {
        // A policy file is a promise that the actor can drive an arm; loading refuses non-finite
        // weights, so writing never produces one (and never replaces a good file with it).
        for (name, tensor) in file.tensors.sorted(by: { $0.key < $1.key }) {
            if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) { throw PolicyError(path: path, .nonFinite(tensor: name, index: bad)) }
        }
        do {
            try SafeTensors.write(file, to: path)
        } catch {
            throw PolicyError(path: path, .file(error))
        }
    }

    /// Largest policy file read: an actor of eight 4096-wide layers is 0.5 GiB; CleanRL's is 280 KB.
    public static let maximumFileSize = 1 << 30

    /// Reads and checks a policy file; with `expectation`, also that it fits the robot and task.
    /// Returns the policy and warnings that do not prevent use (a changed robot description).
    public static func load(path: String, expecting expectation: PolicyExpectation?) throws(PolicyError)
        -> (policy: ActorPolicy, warnings: [String])
    {
        let file: SafeTensorsFile
        do {
            file = try SafeTensors.read(path: path, limit: maximumFileSize)
        } catch {
            throw PolicyError(path: path, .file(error))
        }
        var remaining = Set(file.tensors.keys)
        func take(_ name: String) throws(PolicyError) -> StoredTensor {
            guard let tensor = file.tensors[name] else { throw PolicyError(path: path, .missingTensor(name)) }
            remaining.remove(name)
            if let bad = tensor.values.firstIndex(where: { !$0.isFinite }) {
                throw PolicyError(path: path, .nonFinite(tensor: name, index: bad))
            }
            return tensor
        }
        // Hidden layers fc1, fc2, … then fc_mu.
        var names: [String] = []
        while file.tensors["fc\(names.count + 1).weight"] != nil { names.append("fc\(names.count + 1)") }
        names.append("fc_mu")
        if names.count == 1 { throw PolicyError(path: path, .missingTensor("fc1.weight")) }
        var weights: [StoredTensor] = []
        var biases: [StoredTensor] = []
        for name in names {
            let weight = try take("\(name).weight")
            guard weight.shape.count == 2, weight.shape[0] > 0, weight.shape[1] > 0 else {
                throw PolicyError(path: path, .badShape(tensor: "\(name).weight", shape: weight.shape, expected: "[out, in]"))
            }
            if let previous = weights.last, weight.shape[1] != previous.shape[0] {
                throw PolicyError(
                    path: path,
                    .badShape(tensor: "\(name).weight", shape: weight.shape, expected: "[out, \(previous.shape[0])] to follow the previous layer"))
            }
            let bias = try take("\(name).bias")
            guard bias.shape == [weight.shape[0]] else {
                throw PolicyError(path: path, .badShape(tensor: "\(name).bias", shape: bias.shape, expected: "[\(weight.shape[0])]"))
            }
            weights.append(weight)
            biases.append(bias)
        }
        let actions = weights[weights.count - 1].shape[0]
        var scale: [Float]?
        var offset: [Float]?
        for (name, target) in [("action_scale", 0), ("action_bias", 1)] where file.tensors[name] != nil {
            let tensor = try take(name)
            guard tensor.values.count == actions, tensor.shape.reduce(1, *) == actions else {
                throw PolicyError(path: path, .badShape(tensor: name, shape: tensor.shape, expected: "[\(actions)] or [1, \(actions)]"))
            }
            if target == 0 { scale = tensor.values } else { offset = tensor.values }
        }
        if let extra = remaining.sorted().first { throw PolicyError(path: path, .unexpectedTensor(extra)) }

        let metadata = try PolicyMetadata.parse(file.metadata, layers: names.count, path: path)
        var activations: [Activation] = []
        for name in metadata.activations {
            guard let activation = Activation(rawValue: name) else { throw PolicyError(path: path, .unknownActivation(name)) }
            activations.append(activation)
        }
        guard activations.count == names.count else {
            throw PolicyError(
                path: path,
                .badMetadata(key: "activations", value: metadata.activations.joined(separator: ","), expected: "\(names.count) activations, one per layer"))
        }
        guard metadata.jointNames.count == actions else {
            throw PolicyError(path: path, .badMetadata(key: "joint_names", value: "\(metadata.jointNames)", expected: "\(actions) names, one per action"))
        }

        var warnings: [String] = []
        if let expectation {
            guard metadata.observationLayout == expectation.observationLayout else {
                throw PolicyError(path: path, .layoutMismatch(policy: metadata.observationLayout, robot: expectation.observationLayout))
            }
            guard weights[0].shape[1] == expectation.observationSize else {
                throw PolicyError(path: path, .observationSizeMismatch(policy: weights[0].shape[1], expected: expectation.observationSize))
            }
            guard metadata.jointNames == expectation.jointNames else {
                throw PolicyError(path: path, .jointMismatch(policy: metadata.jointNames, robot: expectation.jointNames))
            }
            if !metadata.robotFingerprint.isEmpty && metadata.robotFingerprint != expectation.robotFingerprint {
                warnings.append(
                    "\(path): trained on robot '\(metadata.robotName)' (description \(metadata.robotFingerprint)), deploying to '\(expectation.robotName)' (\(expectation.robotFingerprint)); the description changed since training")
            }
        }

        let network = MLP(sizes: [weights[0].shape[1]] + weights.map { $0.shape[0] }, activations: activations)
        for (i, layer) in network.layers.enumerated() {
            layer.weight.copy(from: weights[i].values)
            layer.bias.copy(from: biases[i].values)
        }
        return (ActorPolicy(network: network, metadata: metadata, actionScale: scale, actionBias: offset), warnings)
    }
}

// `act` writes scratch buffers: see the type's comment. Stated so that nobody adds the conformance.
@available(*, unavailable)
extension ActorPolicy: Sendable {}
