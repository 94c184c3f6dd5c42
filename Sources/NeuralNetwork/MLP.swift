import DeterministicRandom
import Foundation

/// Nonlinearity applied after a dense layer.
public enum Activation: String, Sendable, Equatable, CaseIterable {
    case relu
    case tanh
    case identity
}

/// A multilayer perceptron: dense layers, each followed by its activation; a hidden layer may put
/// dropout and layer normalization between the two (`HiddenLayerOptions`, DroQ's critic).
public final class MLP: @unchecked Sendable {
    public let layers: [Dense]
    public let activations: [Activation]
    /// Per layer: what sits between its product and its activation (always `.plain` for the output layer).
    public let options: [HiddenLayerOptions]
    /// Each layer's normalization, nil where it has none.
    public let norms: [LayerNorm?]
    /// Where the masks of this network's dropout layers come from; required before the first
    /// `forward` when a layer drops, nil otherwise. Each network has its own stream, so networks
    /// that run on different threads draw in the same order whatever the timing.
    public var dropoutMasks: DropoutMasks?

    /// `sizes` lists the input width then each layer's width; one activation per layer.
    public convenience init(sizes: [Int], activations: [Activation]) {
        self.init(sizes: sizes, activations: activations, hidden: Array(repeating: .plain, count: max(0, sizes.count - 2)))
    }

    /// A network whose hidden layers have `hidden` (one per hidden layer): Linear → Dropout →
    /// LayerNorm → activation where asked. All `.plain` is exactly `init(sizes:activations:)`.
    public init(sizes: [Int], activations: [Activation], hidden: [HiddenLayerOptions]) {
        precondition(sizes.count >= 2 && activations.count == sizes.count - 1, "one activation per layer")
        precondition(hidden.count == sizes.count - 2, "one option per hidden layer")
        layers = (1..<sizes.count).map { Dense(inputs: sizes[$0 - 1], outputs: sizes[$0]) }
        self.activations = activations
        options = hidden + [.plain]
        norms = zip(options, layers).map { $0.layerNorm ? LayerNorm(width: $1.outputs) : nil }
    }

    public var inputSize: Int { layers[0].inputs }
    public var outputSize: Int { layers[layers.count - 1].outputs }
    /// Number of trainable scalars.
    public var parameterCount: Int {
        layers.reduce(0) { $0 + $1.weight.count + $1.bias.count } + norms.reduce(0) { $0 + ($1.map { 2 * $0.width } ?? 0) }
    }
    /// Whether any layer drops units (and so needs `dropoutMasks`).
    public var hasDropout: Bool { options.contains { $0.dropout > 0 } }

    public func initializeLikePyTorch(using random: inout Xoshiro256) {
        for layer in layers { layer.initializeLikePyTorch(using: &random) }
    }

    /// Activations and gradients for batches up to `batch`, allocated once.
    public func makeWorkspace(batch: Int) -> MLPWorkspace { MLPWorkspace(network: self, batch: batch) }

    /// Runs the network on the first `batch` rows of `workspace.input`, with new dropout masks
    /// when it has dropout; the result is `workspace.output`.
    public func forward(_ workspace: MLPWorkspace, batch: Int) {
        precondition(batch <= workspace.batch, "batch larger than the workspace")
        drawDropoutMasks(workspace, batch: batch)
        forward(workspace, rows: 0..<batch)
    }

    /// New dropout masks for the first `batch` rows, from `dropoutMasks`: layer by layer, each
    /// row's units in order. `forward(_:batch:)` draws them itself; a caller that runs rows
    /// separately (`forward(_:rows:)`, perhaps on two threads) draws them once, before. Nothing
    /// without dropout.
    public func drawDropoutMasks(_ workspace: MLPWorkspace, batch: Int) {
        guard hasDropout else { return }
        guard let dropoutMasks else { preconditionFailure("a network with dropout needs its dropoutMasks before it runs") }
        for (l, option) in options.enumerated() where option.dropout > 0 {
            dropoutMasks.fill(workspace.masks[l]!, count: batch * layers[l].outputs, probability: option.dropout)
        }
    }

    /// Runs the network on `rows` of `workspace.input`, writing those rows of every layer's output,
    /// with the dropout masks already in the workspace (`drawDropoutMasks`). Rows are independent:
    /// disjoint ranges can run on different threads.
    public func forward(_ workspace: MLPWorkspace, rows: Range<Int>) {
        let first = rows.lowerBound
        for (l, layer) in layers.enumerated() {
            let input = (l == 0 ? workspace.input.pointer : workspace.outputs[l - 1].pointer) + first * layer.inputs
            let output = workspace.outputs[l].pointer + first * layer.outputs
            layer.forward(input, batch: rows.count, into: output)
            let elements = rows.count * layer.outputs
            // Dropout's mask is applied in the pass that reads the values next: the normalization's
            // sum, or the ReLU.
            // The normalization takes the ReLU into its last pass.
            let mask = workspace.masks[l].map { $0.values.pointer + first * layer.outputs }
            var activated = false
            if let norm = norms[l] {
                norm.forward(
                    output, rows: rows.count, mask: mask, relu: activations[l] == .relu,
                    normalized: workspace.normalized[l]!.pointer + first * layer.outputs, inverseStd: workspace.inverseStd[l]!.pointer + first)
                activated = activations[l] == .relu
            } else if let mask {
                if activations[l] == .relu {
                    VectorKernels.relu(output, mask: mask, count: elements)
                    activated = true
                } else {
                    VectorKernels.multiply(output, by: mask, count: elements)
                }
            }
            switch activations[l] {
            case .relu where activated: break
            case .relu: VectorKernels.relu(output, count: elements)
            case .tanh: for i in 0..<elements { output[i] = tanh(output[i]) }
            case .identity: break
            }
        }
    }

    /// Back-propagates dL/d(output), which the caller wrote into `workspace.outputGradient`, after a
    /// `forward` on the same workspace. Writes parameter gradients into the layers when
    /// `parameterGradients` (skip them when only dL/d(input) is wanted, as for the critic in the
    /// actor's update) and dL/d(input) into `workspace.inputGradient` when `inputGradient`.
    public func backward(_ workspace: MLPWorkspace, batch: Int, parameterGradients: Bool = true, inputGradient: Bool = false) {
        propagate(workspace, rows: 0..<batch, inputGradient: inputGradient)
        if parameterGradients { self.parameterGradients(workspace, batch: batch) }
    }

    /// The row-by-row part of back-propagation, for `rows`: turns each layer's dL/d(output) into
    /// dL/d(pre-activation) in place and passes it down through the weights, ending with
    /// dL/d(input) in `workspace.inputGradient` when `inputGradient`. No row depends on another,
    /// so disjoint ranges can run on different threads; `parameterGradients` needs all rows done.
    public func propagate(_ workspace: MLPWorkspace, rows: Range<Int>, inputGradient: Bool) {
        beginBackward(workspace, rows: rows)
        propagate(workspace, rows: rows, from: layers.count - 1, through: inputGradient ? 0 : 1)
    }

    /// Turns dL/d(output), written by the caller into `workspace.outputGradient`, into the last
    /// layer's dL/d(pre-activation) for `rows`: the first step of `propagate`.
    public func beginBackward(_ workspace: MLPWorkspace, rows: Range<Int>) {
        applyActivationDerivative(workspace, layer: layers.count - 1, rows: rows)
    }

    /// Layers `top` down to `lowest`, each taking its dL/d(pre-activation) to the next layer down's
    /// (through the weights, then that layer's activation derivative) or, for layer 0, to
    /// dL/d(input) in `workspace.inputGradient`. Lets a caller stop between layers, for instance to
    /// compute one layer's weight gradient beside the next layer's input gradient.
    public func propagate(_ workspace: MLPWorkspace, rows: Range<Int>, from top: Int, through lowest: Int) {
        let first = rows.lowerBound
        for l in stride(from: top, through: lowest, by: -1) {
            let layer = layers[l]
            let gradient = workspace.gradients[l].pointer + first * layer.outputs
            if l > 0 {
                layer.inputGradient(outputGradient: gradient, batch: rows.count, into: workspace.gradients[l - 1].pointer + first * layer.inputs)
                applyActivationDerivative(workspace, layer: l - 1, rows: rows)
            } else {
                layer.inputGradient(outputGradient: gradient, batch: rows.count, into: workspace.inputGradient.pointer + first * layer.inputs)
            }
        }
    }

    /// dL/d(pre-activation) — the dense product's output — from dL/d(post-activation) in place:
    /// through the activation (from the stored post-activation values), then the layer
    /// normalization and the dropout mask where the layer has them.
    private func applyActivationDerivative(_ workspace: MLPWorkspace, layer l: Int, rows: Range<Int>) {
        let width = layers[l].outputs
        let first = rows.lowerBound
        let gradient = workspace.gradients[l].pointer + first * width
        let output = workspace.outputs[l].pointer + first * width
        let count = rows.count * width
        let mask = workspace.masks[l].map { $0.values.pointer + first * width }
        // Passes over the gradient are merged: the normalization's first takes the ReLU's
        // derivative and its last the mask; without a normalization the ReLU's takes the mask.
        let norm = norms[l]
        let reluInNorm = norm != nil && activations[l] == .relu
        let reluMasks = mask != nil && norm == nil && activations[l] == .relu
        switch activations[l] {
        case .relu where reluInNorm: break
        case .relu where reluMasks: VectorKernels.reluGradient(gradient, output: output, mask: mask!, count: count)
        case .relu: VectorKernels.reluGradient(gradient, output: output, count: count)
        case .tanh: for i in 0..<count { gradient[i] *= 1 - output[i] * output[i] }
        case .identity: break
        }
        if let norm {
            norm.inputGradient(
                gradient, rows: rows.count, reluOutput: reluInNorm ? output : nil, mask: mask,
                normalized: workspace.normalized[l]!.pointer + first * width, inverseStd: workspace.inverseStd[l]!.pointer + first,
                outputGradient: workspace.normGradients[l]!.pointer + first * width)
        } else if let mask, !reluMasks {
            VectorKernels.multiply(gradient, by: mask, count: count)
        }
    }

    /// dL/dW and dL/db of `layers` (default all), summed over the first `batch` rows, once those
    /// layers' dL/d(pre-activation) covers all of them. Different layers can run on different threads.
    public func parameterGradients(_ workspace: MLPWorkspace, batch: Int, layers which: ClosedRange<Int>? = nil) {
        for l in which ?? 0...(layers.count - 1) {
            let layer = layers[l]
            let input = l == 0 ? workspace.input.pointer : workspace.outputs[l - 1].pointer
            layer.parameterGradients(input: input, outputGradient: workspace.gradients[l].pointer, batch: batch)
            norms[l]?.parameterGradients(outputGradient: workspace.normGradients[l]!.pointer, normalized: workspace.normalized[l]!.pointer, batch: batch)
        }
    }

    /// Makes `target` (of the same shape and options) an exact copy of this network's parameters.
    public func copyParameters(into target: MLP) {
        for (source, destination) in zip(layers, target.layers) { source.copyParameters(into: destination) }
        for case let (source?, destination?) in zip(norms, target.norms) { source.copyParameters(into: destination) }
    }

    /// target ← τ·self + (1 − τ)·target, layer by layer, for `slice` of each layer's output units.
    public func blend(into target: MLP, tau: Float, slice: Slice = .whole) {
        for (source, destination) in zip(layers, target.layers) {
            source.blend(into: destination, tau: tau, units: slice.rows(of: source.outputs))
        }
        for case let (source?, destination?) in zip(norms, target.norms) {
            source.blend(into: destination, tau: tau, units: slice.rows(of: source.width))
        }
    }

}

/// Buffers for one MLP at a fixed maximum batch: input, per-layer outputs and gradients.
public final class MLPWorkspace: @unchecked Sendable {
    public let batch: Int
    /// batch × inputSize; the caller writes rows here before `forward`.
    public let input: FloatBuffer
    /// Post-activation outputs of each layer, batch × width.
    public let outputs: [FloatBuffer]
    /// dL/d(post-activation) of each layer; the last one is `outputGradient`.
    public let gradients: [FloatBuffer]
    /// batch × inputSize, written by `backward(inputGradient: true)`.
    public let inputGradient: FloatBuffer
    /// Per layer with dropout: the mask of the last `drawDropoutMasks`, 0 or 1/(1 − p), batch × width.
    public let masks: [DropoutMask?]
    /// Per layer with normalization: x̂ (batch × width) and 1/σ (batch) from the forward pass, and
    /// dL/d(normalized output) from the backward pass, for the gain's and bias's gradients.
    public let normalized: [FloatBuffer?]
    public let inverseStd: [FloatBuffer?]
    public let normGradients: [FloatBuffer?]

    init(network: MLP, batch: Int) {
        self.batch = batch
        input = FloatBuffer(count: batch * network.inputSize)
        outputs = network.layers.map { FloatBuffer(count: batch * $0.outputs) }
        gradients = network.layers.map { FloatBuffer(count: batch * $0.outputs) }
        inputGradient = FloatBuffer(count: batch * network.inputSize)
        let layers = zip(network.layers, network.options)
        masks = layers.map { $1.dropout > 0 ? DropoutMask(count: batch * $0.outputs) : nil }
        normalized = layers.map { $1.layerNorm ? FloatBuffer(count: batch * $0.outputs) : nil }
        inverseStd = layers.map { $1.layerNorm ? FloatBuffer(count: batch) : nil }
        normGradients = layers.map { $1.layerNorm ? FloatBuffer(count: batch * $0.outputs) : nil }
    }

    /// The network's output, batch × outputSize.
    public var output: FloatBuffer { outputs[outputs.count - 1] }
    /// Where the caller writes dL/d(output) before `backward`.
    public var outputGradient: FloatBuffer { gradients[gradients.count - 1] }
}
