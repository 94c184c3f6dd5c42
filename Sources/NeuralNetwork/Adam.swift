import Foundation

/// Adam with PyTorch's semantics and float32 arithmetic (β₁ 0.9, β₂ 0.999, ε 1e-8, bias
/// correction), so that a step here matches `torch.optim.Adam` to rounding.
public final class Adam: @unchecked Sendable {
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    /// Steps taken; bias correction depends on it, so checkpoints save it.
    public var stepCount: Int = 0

    /// The tensors this optimizer updates, with their gradients and moment estimates.
    public let values: [FloatBuffer]
    public let gradients: [FloatBuffer]
    public let firstMoments: [FloatBuffer]
    public let secondMoments: [FloatBuffer]
    /// Elements per output unit of each tensor (a weight's input width, 1 for a bias): slices cut
    /// between units, as `MLP.blend` does, so a thread that steps a slice can then average the
    /// same parameters into a target without waiting for the other.
    private let unitSizes: [Int]

    /// Every parameter of `network`: each dense layer's weight and bias in order, then each layer
    /// normalization's gain and bias (after all the dense tensors, so a network without them keeps
    /// the tensor indices checkpoints name its moments by).
    public convenience init(network: MLP, learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8) {
        let norms = network.norms.compactMap { $0 }
        self.init(
            values: network.layers.flatMap { [$0.weight, $0.bias] } + norms.flatMap { [$0.gain, $0.bias] },
            gradients: network.layers.flatMap { [$0.weightGradient, $0.biasGradient] } + norms.flatMap { [$0.gainGradient, $0.biasGradient] },
            unitSizes: network.layers.flatMap { [$0.inputs, 1] } + norms.flatMap { _ in [1, 1] }, learningRate: learningRate, beta1: beta1,
            beta2: beta2, epsilon: epsilon)
    }

    /// An optimizer for tensors outside a network (SAC's log α), each with its gradient buffer of
    /// the same size; `unitSizes` as in a network (1 for a vector).
    public init(
        values: [FloatBuffer], gradients: [FloatBuffer], unitSizes: [Int], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999,
        epsilon: Float = 1e-8
    ) {
        precondition(values.count == gradients.count && values.count == unitSizes.count, "one gradient and unit size per tensor")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.values = values
        self.gradients = gradients
        firstMoments = values.map { FloatBuffer(count: $0.count) }
        secondMoments = values.map { FloatBuffer(count: $0.count) }
        self.unitSizes = unitSizes
    }

    /// One update from the gradients currently stored in the network's layers.
    public func step() {
        beginStep()
        apply(.whole)
    }

    /// Counts a step; then `apply` each slice of the parameters (on any threads) to take it.
    public func beginStep() {
        stepCount += 1
    }

    /// Updates `slice` of every tensor's output units with the step counted by `beginStep`.
    public func apply(_ slice: Slice) {
        // PyTorch computes the corrections in double precision and applies them as float32 scalars.
        let correction1 = 1 - pow(Double(beta1), Double(stepCount))
        let correction2 = 1 - pow(Double(beta2), Double(stepCount))
        let stepSize = Float(Double(learningRate) / correction1)
        let correction2Root = Float(correction2.squareRoot())
        for t in 0..<values.count {
            let units = slice.rows(of: values[t].count / unitSizes[t])
            let start = units.lowerBound * unitSizes[t]
            VectorKernels.adam(
                parameters: values[t].pointer + start, gradients: gradients[t].pointer + start,
                first: firstMoments[t].pointer + start, second: secondMoments[t].pointer + start, count: units.count * unitSizes[t],
                beta2: beta2, weight1: 1 - beta1, weight2: 1 - beta2, stepSize: stepSize, correction2Root: correction2Root,
                epsilon: epsilon)
        }
    }
}
