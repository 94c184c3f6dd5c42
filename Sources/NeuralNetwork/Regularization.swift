import Foundation
import DeterministicRandom

/// What a hidden layer puts between its dense product and its activation, in DroQ's order
/// (Hiraoka et al. 2021): Linear → Dropout(p) → LayerNorm → activation. The default is neither,
/// a plain layer.
public struct HiddenLayerOptions: Sendable, Equatable {
    /// Probability of dropping each unit (inverted dropout: kept units are scaled by 1/(1 − p)); 0: no dropout.
    public var dropout: Float
    /// Normalize each row over the layer's width, with a learnable gain and bias.
    public var layerNorm: Bool

    public init(dropout: Float = 0, layerNorm: Bool = false) {
        precondition(dropout >= 0 && dropout < 1, "dropout probability \(dropout) outside [0, 1)")
        self.dropout = dropout
        self.layerNorm = layerNorm
    }

    public static let plain = HiddenLayerOptions()
}

/// PyTorch's `nn.LayerNorm(width)`: each row normalized over the layer's width, y = (x − mean)/√(var + ε)·γ + β,
/// the variance biased (divided by the width), ε = 1e-5, γ starting at 1 and β at 0.
public final class LayerNorm: @unchecked Sendable {
    public let width: Int
    public let epsilon: Float = 1e-5
    /// γ and β, one per unit.
    public let gain: FloatBuffer
    public let bias: FloatBuffer
    /// dL/dγ and dL/dβ, written by `parameterGradients`.
    public let gainGradient: FloatBuffer
    public let biasGradient: FloatBuffer

    public init(width: Int) {
        self.width = width
        gain = FloatBuffer(count: width, value: 1)
        bias = FloatBuffer(count: width)
        gainGradient = FloatBuffer(count: width)
        biasGradient = FloatBuffer(count: width)
    }

    /// Normalizes `rows` rows of `x` in place, keeping each row's x̂ = (x − mean)/σ in `normalized`
    /// and its 1/σ in `inverseStd` for the backward pass. With a dropout `mask` (same rows), x is
    /// multiplied by it first, in the same pass as the row's sum; with `relu`, the layer's ReLU is
    /// applied in the last pass.
    func forward(
        _ x: UnsafeMutablePointer<Float>, rows: Int, mask: UnsafeMutablePointer<Float>?, relu: Bool, normalized: UnsafeMutablePointer<Float>,
        inverseStd: UnsafeMutablePointer<Float>
    ) {
        let n = Float(width)
        for r in 0..<rows {
            let row = x + r * width
            let sum = mask.map { VectorKernels.multiplyAndSum(row, by: $0 + r * width, count: width) } ?? VectorKernels.sum(row, count: width)
            let mean = sum / n
            let variance = VectorKernels.squaredDeviations(row, from: mean, count: width) / n
            let scale = 1 / (variance + epsilon).squareRoot()
            inverseStd[r] = scale
            VectorKernels.normalize(
                row, mean: mean, scale: scale, gain: gain.pointer, bias: bias.pointer, normalized: normalized + r * width, relu: relu, count: width)
        }
    }

    /// dL/dx from dL/dy in place for `rows` rows, with x̂ and 1/σ from `forward`; dL/dy is kept in
    /// `outputGradient` for `parameterGradients`. With `reluOutput` (the ReLU's output after the
    /// normalization) the gradient given is the ReLU's, and is first taken through it; with the
    /// dropout `mask` of `forward`, it goes on through that too (dL/dz = dL/dx·mask):
    ///
    ///     ĝ = dL/dy·γ;   dL/dx = (ĝ − mean ĝ − x̂·mean(ĝ·x̂)) / σ
    func inputGradient(
        _ gradient: UnsafeMutablePointer<Float>, rows: Int, reluOutput: UnsafeMutablePointer<Float>?, mask: UnsafeMutablePointer<Float>?,
        normalized: UnsafeMutablePointer<Float>, inverseStd: UnsafePointer<Float>, outputGradient: UnsafeMutablePointer<Float>
    ) {
        let n = Float(width)
        for r in 0..<rows {
            let g = gradient + r * width
            let xHat = normalized + r * width
            let (sum, product) = VectorKernels.gainProductSums(
                g, reluOutput: reluOutput.map { $0 + r * width }, saving: outputGradient + r * width, gain: gain.pointer, normalized: xHat,
                count: width)
            VectorKernels.normalizeGradient(
                g, normalized: xHat, mean: sum / n, meanProduct: product / n, scale: inverseStd[r], mask: mask.map { $0 + r * width }, count: width)
        }
    }

    /// dL/dγ = Σ_rows dL/dy·x̂ and dL/dβ = Σ_rows dL/dy over the first `batch` rows.
    func parameterGradients(outputGradient: UnsafeMutablePointer<Float>, normalized: UnsafeMutablePointer<Float>, batch: Int) {
        VectorKernels.columnSums(outputGradient, rows: batch, columns: width, into: biasGradient.pointer)
        VectorKernels.columnProductSums(outputGradient, normalized, rows: batch, columns: width, into: gainGradient.pointer)
    }

    /// target ← τ·self + (1 − τ)·target for the gains and biases of `units`.
    func blend(into target: LayerNorm, tau: Float, units: Range<Int>) {
        VectorKernels.blend(gain.pointer + units.lowerBound, into: target.gain.pointer + units.lowerBound, count: units.count, tau: tau)
        VectorKernels.blend(bias.pointer + units.lowerBound, into: target.bias.pointer + units.lowerBound, count: units.count, tau: tau)
    }

    func copyParameters(into target: LayerNorm) {
        target.gain.copy(from: gain)
        target.bias.copy(from: bias)
    }
}

/// One layer's dropout mask in a workspace: batch × width values, 0 or 1/(1 − p), and where the
/// last sparse fill put its zeros, so that the next one moves only those instead of rewriting every
/// value.
public final class DropoutMask: @unchecked Sendable {
    public let values: FloatBuffer
    /// values[0..<scaled] hold `scale` except at the `zeroCount` positions in `zeros`; 0 when unknown.
    fileprivate var scaled = 0
    fileprivate var scale: Float = 0
    fileprivate let zeros: UnsafeMutablePointer<Int>
    fileprivate var zeroCount = 0

    public init(count: Int) {
        values = FloatBuffer(count: count)
        zeros = .allocate(capacity: max(count, 1))
    }

    deinit { zeros.deallocate() }
}

/// Where a network's dropout masks come from: a seeded stream of its own (checkpoints save its
/// state), or, for tests, a recorded tape of keep flags (1 kept, 0 dropped) consumed in order first.
///
/// Each unit of each row is dropped independently with probability p, in one of two ways that
/// give the same distribution at different costs. From p = 1/32 up, a 64-bit draw gives two 32-bit
/// uniforms u (low half first) and a unit is dropped when u < round(p·2³²). Below it (DroQ's 0.01)
/// nearly every such draw would only say "keep", so the gaps between dropped units are drawn
/// instead: kept runs of ⌊ln u / ln(1 − p)⌋ units, u uniform in (0, 1] from 53 bits, each fill
/// starting afresh — about p·count draws, and into a workspace's `DropoutMask` about p·count
/// stores. A kept unit is scaled by 1/(1 − p), rounded to float32 from double as PyTorch's
/// dropout rounds it.
public final class DropoutMasks: @unchecked Sendable {
    public var random: Xoshiro256
    private var tape: [Float]
    private var position = 0

    public init(random: Xoshiro256) {
        self.random = random
        tape = []
    }

    /// Hands out `tape`'s keep flags first, in order, then the generator's draws.
    public init(tape: [Float], then random: Xoshiro256 = Xoshiro256(seed: 1)) {
        precondition(tape.allSatisfy { $0 == 0 || $0 == 1 }, "a dropout tape holds keep flags, 0 or 1")
        self.random = random
        self.tape = tape
    }

    /// Keep flags of the tape not yet handed out.
    public var remainingTape: Int { tape.count - position }

    /// The factor a kept unit is multiplied by.
    public static func scale(probability p: Float) -> Float { Float(1 / (1 - Double(p))) }

    /// Fills `count` mask values for dropout probability `p`: 0 where a unit is dropped, 1/(1 − p) where kept.
    public func fill(_ mask: UnsafeMutablePointer<Float>, count: Int, probability p: Float) {
        let scale = Self.scale(probability: p)
        var i = 0
        while i < count && position < tape.count {
            mask[i] = tape[position] * scale
            position += 1
            i += 1
        }
        if p < Self.gapThreshold {
            (mask + i).update(repeating: scale, count: count - i)
            guard p > 0 else { return }
            let logKeep = log1p(-Double(p))
            var random = self.random
            defer { self.random = random }
            var dropped = i + Self.gap(logKeep, &random)
            while dropped < count {
                mask[dropped] = 0
                dropped += 1 + Self.gap(logKeep, &random)
            }
            return
        }
        let threshold = UInt32(clamping: UInt64((Double(p) * 0x1p32).rounded()))
        // A local generator: a class's stored property would be checked for exclusive access at every draw.
        var random = self.random
        defer { self.random = random }
        while i + 1 < count {
            let bits = random.next()
            mask[i] = UInt32(truncatingIfNeeded: bits) < threshold ? 0 : scale
            mask[i + 1] = UInt32(truncatingIfNeeded: bits >> 32) < threshold ? 0 : scale
            i += 2
        }
        if i < count { mask[i] = UInt32(truncatingIfNeeded: random.next()) < threshold ? 0 : scale }
    }

    /// Fills the first `count` values of a workspace's `mask` as `fill(_:count:probability:)` does,
    /// value for value; below `gapThreshold` it only restores the last fill's zeros and writes the
    /// new ones (about p·count stores rather than count).
    public func fill(_ mask: DropoutMask, count: Int, probability p: Float) {
        let scale = Self.scale(probability: p)
        guard p > 0, p < Self.gapThreshold, position == tape.count else {
            fill(mask.values.pointer, count: count, probability: p)
            mask.scaled = 0
            mask.zeroCount = 0
            return
        }
        let values = mask.values.pointer
        let zeros = mask.zeros
        if mask.scale != scale {
            mask.scale = scale
            mask.scaled = 0
            mask.zeroCount = 0
        }
        for k in 0..<mask.zeroCount { values[zeros[k]] = scale }
        if mask.scaled < count {
            (values + mask.scaled).update(repeating: scale, count: count - mask.scaled)
            mask.scaled = count
        }
        let logKeep = log1p(-Double(p))
        var random = self.random
        var zeroCount = 0
        var dropped = Self.gap(logKeep, &random)
        while dropped < count {
            values[dropped] = 0
            zeros[zeroCount] = dropped
            zeroCount += 1
            dropped += 1 + Self.gap(logKeep, &random)
        }
        mask.zeroCount = zeroCount
        self.random = random
    }

    /// Below this probability masks are drawn as gaps between dropped units.
    public static let gapThreshold: Float = 1.0 / 32

    /// Kept units before the next dropped one: geometric, ⌊ln u / ln(1 − p)⌋ for u in (0, 1].
    @inline(__always)
    private static func gap(_ logKeep: Double, _ random: inout Xoshiro256) -> Int {
        let units = log(1 - random.nextUnit()) / logKeep
        return units < 0x1p40 ? Int(units) : 1 << 40
    }
}
