import Foundation

/// A frozen copy of an MLP laid out for one input at a time, the deploy path's hot loop.
///
/// Weights are stored transposed ([in, out]) so that y = b + Σⱼ xⱼ·Wᵀ[j, :] runs as wide
/// multiply-adds over contiguous rows with no horizontal sums; for the 10→256→256→2 actor this
/// is about twice as fast as a BLAS matrix-vector product. Changing the source network later
/// does not change this copy.
///
/// Not `Sendable`: `run` writes the per-layer buffers it returns a view of, so one thread runs it.
public final class SingleInputNetwork {
    public let inputSize: Int
    public let outputSize: Int
    private let sizes: [Int]
    private let activations: [Activation]
    private let transposedWeights: [FloatBuffer]
    private let biases: [FloatBuffer]
    /// Input and per-layer outputs, each padded to a whole number of vectors.
    private let values: [FloatBuffer]

    public init(_ network: MLP) {
        precondition(network.options.allSatisfy { $0 == .plain }, "the deploy copy runs plain layers (no dropout or layer normalization)")
        sizes = [network.inputSize] + network.layers.map(\.outputs)
        inputSize = network.inputSize
        outputSize = network.outputSize
        activations = network.activations
        transposedWeights = network.layers.map { layer in
            let padded = Self.padded(layer.outputs)
            let buffer = FloatBuffer(count: layer.inputs * padded)
            for o in 0..<layer.outputs {
                for i in 0..<layer.inputs { buffer[i * padded + o] = layer.weight[o * layer.inputs + i] }
            }
            return buffer
        }
        biases = network.layers.map { layer in
            let buffer = FloatBuffer(count: Self.padded(layer.outputs))
            for o in 0..<layer.outputs { buffer[o] = layer.bias[o] }
            return buffer
        }
        values = sizes.map { FloatBuffer(count: Self.padded($0)) }
    }

    private static func padded(_ n: Int) -> Int { (n + VectorKernels.width - 1) / VectorKernels.width * VectorKernels.width }

    /// Runs the network on `input` (inputSize values) and returns a pointer to outputSize results,
    /// valid until the next call.
    public func run(_ input: [Float]) -> UnsafePointer<Float> {
        let first = values[0].pointer
        for i in 0..<inputSize { first[i] = input[i] }
        for l in 0..<activations.count {
            let x = values[l].pointer
            let y = values[l + 1].pointer
            let inputs = sizes[l]
            let padded = Self.padded(sizes[l + 1])
            VectorKernels.affineTransposed(
                x, inputs: inputs, weights: transposedWeights[l].pointer, bias: biases[l].pointer, outputs: padded, into: y)
            switch activations[l] {
            case .relu: VectorKernels.relu(y, count: padded)
            case .tanh: for o in 0..<sizes[l + 1] { y[o] = tanh(y[o]) }
            case .identity: break
            }
        }
        return UnsafePointer(values[values.count - 1].pointer)
    }
}

// `run` writes shared scratch buffers: see the type's comment.
@available(*, unavailable)
extension SingleInputNetwork: Sendable {}
