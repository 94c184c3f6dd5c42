import DeterministicRandom

/// Where two threads may cut a batch's rows so that every product gives, bit for bit, what it
/// gives on the whole batch — measured on the BLAS this process runs, not assumed.
///
/// Cutting the rows of y = x·Wᵀ or dx = dy·W cuts no sum, yet a BLAS kernel may still sum an element
/// in another order when the element sits elsewhere in the kernel's register block or when a part
/// is small enough for another kernel. OpenBLAS 0.3.21 does both (BENCHMARKS.md has the
/// measurements; bench/openblas_row_cuts.sh repeats them): Haswell and Zen take a batch's rows
/// twelve at a time and sum some positions of each block, and the tails, as separate even-k and
/// odd-k partial sums, so only cuts at multiples of 12 are exact; SkylakeX and Cooperlake hand
/// products under 10⁶ multiply-adds to small-matrix kernels that sum in another order, so a part
/// may change kernels where the whole does not; Prescott and the other SSE families need multiples
/// of 2 or 4. No fixed alignment covers every BLAS, so `measure` tries cuts near the middle on the
/// real shapes and keeps the first that changes no bit; when none does, the rows stay together.
public struct RowSplit: Sendable, Equatable {
    /// The batch size the cut was measured for.
    public let batch: Int
    /// Rows `0..<cut` and `cut..<batch` reproduce the whole batch exactly; nil when no cut near
    /// the middle does.
    public let cut: Int?

    public init(batch: Int, cut: Int?) {
        precondition(cut.map { 0 < $0 && $0 < batch } ?? true, "cut \(cut!) outside 1..<\(batch)")
        self.batch = batch
        self.cut = cut
    }

    /// How far from the middle a cut may fall: past the least common multiple of the kernels'
    /// row blocks seen so far (12 and 8), and near enough that neither half is much the larger.
    static let reach = 24

    /// Measures the cut for a batch of `batch` rows through the forward products (bias, then
    /// x·Wᵀ) of layers shaped as `forward` and the input-gradient products (dy·W) of layers shaped
    /// as `inputGradient`, with the same calls, leading dimensions and row offsets as
    /// `MLP.forward(_:rows:)` and `MLP.propagate`. Candidates are multiples of 4 within `reach`
    /// rows of the middle, nearest first. Kernels choose their summation order from the shapes
    /// alone, never from the values, so scratch layers with random weights and operands stand for
    /// every batch (the given layers are only read for their shapes).
    public static func measure(batch: Int, forward: [Dense], inputGradient: [Dense]) -> RowSplit {
        let middle = batch / 2
        var candidates: [Int] = []
        for distance in stride(from: 0, through: reach, by: 4) {
            let below = (middle - distance) / 4 * 4
            let above = (middle + distance + 3) / 4 * 4
            for cut in [below, above] where 0 < cut && cut < batch && !candidates.contains(cut) { candidates.append(cut) }
        }
        var random = Xoshiro256(seed: 0x5EED_C07)
        let products = forward.map { Product(layer: $0, kind: .forward, batch: batch, random: &random) }
            + inputGradient.map { Product(layer: $0, kind: .inputGradient, batch: batch, random: &random) }
        let cut = candidates.first { cut in products.allSatisfy { $0.isExact(cut: cut) } }
        return RowSplit(batch: batch, cut: cut)
    }

    /// The two row ranges, or nil when the batch is not the measured one or has no exact cut.
    public func halves(of total: Int) -> (Range<Int>, Range<Int>)? {
        guard total == batch, let cut else { return nil }
        return (0..<cut, cut..<total)
    }
}

/// One product of a layer on random operands, kept with its result on the whole batch.
private struct Product {
    enum Kind { case forward, inputGradient }

    let layer: Dense
    let kind: Kind
    let batch: Int
    let operand: FloatBuffer
    let whole: FloatBuffer
    let split: FloatBuffer

    init(layer shape: Dense, kind: Kind, batch: Int, random: inout Xoshiro256) {
        layer = Dense(inputs: shape.inputs, outputs: shape.outputs)
        for i in 0..<layer.weight.count { layer.weight[i] = Float(random.uniform(-1, 1)) }
        for i in 0..<layer.bias.count { layer.bias[i] = Float(random.uniform(-1, 1)) }
        self.kind = kind
        self.batch = batch
        let (operandWidth, resultWidth) = kind == .forward ? (shape.inputs, shape.outputs) : (shape.outputs, shape.inputs)
        operand = FloatBuffer(count: batch * operandWidth)
        for i in 0..<operand.count { operand[i] = Float(random.uniform(-1, 1)) }
        whole = FloatBuffer(count: batch * resultWidth)
        split = FloatBuffer(count: batch * resultWidth)
        run(rows: 0..<batch, into: whole)
    }

    private var operandWidth: Int { kind == .forward ? layer.inputs : layer.outputs }
    private var resultWidth: Int { kind == .forward ? layer.outputs : layer.inputs }

    private func run(rows: Range<Int>, into result: FloatBuffer) {
        let x = UnsafePointer(operand.pointer + rows.lowerBound * operandWidth)
        let y = result.pointer + rows.lowerBound * resultWidth
        switch kind {
        case .forward: layer.forward(x, batch: rows.count, into: y)
        case .inputGradient: layer.inputGradient(outputGradient: x, batch: rows.count, into: y)
        }
    }

    func isExact(cut: Int) -> Bool {
        split.fill(.nan)
        run(rows: 0..<cut, into: split)
        run(rows: cut..<batch, into: split)
        for i in 0..<whole.count where whole[i].bitPattern != split[i].bitPattern { return false }
        return true
    }
}
