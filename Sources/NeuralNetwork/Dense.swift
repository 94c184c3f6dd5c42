import CBLAS
import DeterministicRandom

/// A fully connected layer with PyTorch's `nn.Linear` layout: y = x·Wᵀ + b, W stored [out, in] row-major.
public final class Dense: @unchecked Sendable {
    public let inputs: Int
    public let outputs: Int
    public let weight: FloatBuffer
    public let bias: FloatBuffer
    /// Gradients of the loss with respect to `weight` and `bias`, written by `backward`.
    public let weightGradient: FloatBuffer
    public let biasGradient: FloatBuffer

    public init(inputs: Int, outputs: Int) {
        self.inputs = inputs
        self.outputs = outputs
        weight = FloatBuffer(count: inputs * outputs)
        bias = FloatBuffer(count: outputs)
        weightGradient = FloatBuffer(count: inputs * outputs)
        biasGradient = FloatBuffer(count: outputs)
    }

    /// PyTorch's default `nn.Linear` initialisation: weights Kaiming-uniform with a = √5, which is
    /// U(±1/√fan_in), and biases U(±1/√fan_in).
    public func initializeLikePyTorch(using random: inout Xoshiro256) {
        let bound = 1 / Float(inputs).squareRoot()
        for i in 0..<weight.count { weight[i] = Float(random.uniform(-Double(bound), Double(bound))) }
        for i in 0..<bias.count { bias[i] = Float(random.uniform(-Double(bound), Double(bound))) }
    }

    /// y[batch, out] = x[batch, in]·Wᵀ + b.
    public func forward(_ x: UnsafePointer<Float>, batch: Int, into y: UnsafeMutablePointer<Float>) {
        // Broadcast the bias into y, then accumulate x·Wᵀ on top (beta = 1): one pass, no temporary.
        for row in 0..<batch { (y + row * outputs).update(from: bias.pointer, count: outputs) }
        if batch == 1 {
            cblas_sgemv(
                CblasRowMajor, CblasNoTrans, Int32(outputs), Int32(inputs), 1, weight.pointer, Int32(inputs), x, 1, 1, y, 1)
        } else {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(batch), Int32(outputs), Int32(inputs), 1, x, Int32(inputs),
                weight.pointer, Int32(inputs), 1, y, Int32(outputs))
        }
    }

    /// Writes dL/dW and dL/db from dL/dy and x over the batch.
    public func parameterGradients(input x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>, batch: Int) {
        // dW[out, in] = dyᵀ[out, batch] · x[batch, in]
        cblas_sgemm(
            CblasRowMajor, CblasTrans, CblasNoTrans, Int32(outputs), Int32(inputs), Int32(batch), 1, dy, Int32(outputs), x,
            Int32(inputs), 0, weightGradient.pointer, Int32(inputs))
        // db[out] = column sums of dy
        VectorKernels.columnSums(dy, rows: batch, columns: outputs, into: biasGradient.pointer)
    }

    /// dL/dx[batch, in] = dL/dy[batch, out] · W[out, in]. Rows are independent.
    public func inputGradient(outputGradient dy: UnsafePointer<Float>, batch: Int, into dx: UnsafeMutablePointer<Float>) {
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(batch), Int32(inputs), Int32(outputs), 1, dy, Int32(outputs),
            weight.pointer, Int32(inputs), 0, dx, Int32(inputs))
    }

    /// target ← τ·self + (1 − τ)·target for the weights and biases of output units `units` (Polyak averaging).
    public func blend(into target: Dense, tau: Float, units: Range<Int>) {
        let first = units.lowerBound
        VectorKernels.blend(weight.pointer + first * inputs, into: target.weight.pointer + first * inputs, count: units.count * inputs, tau: tau)
        VectorKernels.blend(bias.pointer + first, into: target.bias.pointer + first, count: units.count, tau: tau)
    }

    /// Copies weights and biases into `target` exactly.
    public func copyParameters(into target: Dense) {
        target.weight.copy(from: weight)
        target.bias.copy(from: bias)
    }
}
