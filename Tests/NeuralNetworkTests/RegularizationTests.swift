import DeterministicRandom
import Foundation
import NeuralNetwork
import XCTest

/// Dropout and layer normalization in hidden layers (DroQ's critic): gradients against finite
/// differences, the normalization against its definition, reproducible and injectable masks, and
/// every parameter reached by Adam, Polyak averaging and copies.
final class RegularizationTests: XCTestCase {
    private func regularized(_ sizes: [Int], _ activations: [Activation], dropout: Float, seed: UInt64) -> MLP {
        let hidden = Array(repeating: HiddenLayerOptions(dropout: dropout, layerNorm: true), count: sizes.count - 2)
        let network = MLP(sizes: sizes, activations: activations, hidden: hidden)
        var random = Xoshiro256(seed: seed)
        network.initializeLikePyTorch(using: &random)
        // γ and β away from 1 and 0, so that their part of every gradient is checked too.
        for case let norm? in network.norms {
            for j in 0..<norm.width {
                norm.gain[j] = Float(random.uniform(0.5, 1.5))
                norm.bias[j] = Float(random.uniform(-0.3, 0.3))
            }
        }
        network.dropoutMasks = DropoutMasks(random: Xoshiro256(seed: seed + 100))
        return network
    }

    /// ½ Σ (y − target)² in Double, with the masks already in the workspace (the same masks for every evaluation).
    private func loss(_ network: MLP, _ workspace: MLPWorkspace, batch: Int, target: [Float]) -> Double {
        network.forward(workspace, rows: 0..<batch)
        var total = 0.0
        for i in 0..<(batch * network.outputSize) {
            let e = Double(workspace.output[i]) - Double(target[i])
            total += 0.5 * e * e
        }
        return total
    }

    private func checkGradients(_ sizes: [Int], _ activations: [Activation], dropout: Float, seed: UInt64) {
        let network = regularized(sizes, activations, dropout: dropout, seed: seed)
        var random = Xoshiro256(seed: seed + 200)
        let batch = 5
        let workspace = network.makeWorkspace(batch: batch)
        for i in 0..<workspace.input.count { workspace.input[i] = Float(random.uniform(-1, 1)) }
        let target = (0..<(batch * network.outputSize)).map { _ in Float(random.uniform(-1, 1)) }
        network.drawDropoutMasks(workspace, batch: batch)
        if dropout > 0 {
            let masks = workspace.masks.compactMap { $0?.values.array }.joined()
            XCTAssertTrue(masks.contains(0) && masks.contains(DropoutMasks.scale(probability: dropout)), "some units dropped, some kept")
        }

        _ = loss(network, workspace, batch: batch, target: target)
        for i in 0..<(batch * network.outputSize) { workspace.outputGradient[i] = workspace.output[i] - target[i] }
        network.backward(workspace, batch: batch, inputGradient: true)
        let analyticInput = workspace.inputGradient.array

        let h: Float = 1e-2
        var checked = 0
        var tensors = network.layers.flatMap { [($0.weight, $0.weightGradient), ($0.bias, $0.biasGradient)] }
        tensors += network.norms.compactMap { $0 }.flatMap { [($0.gain, $0.gainGradient), ($0.bias, $0.biasGradient)] }
        for (t, (values, gradient)) in tensors.enumerated() {
            for index in 0..<values.count {
                let original = values[index]
                values[index] = original + h
                let plus = loss(network, workspace, batch: batch, target: target)
                values[index] = original - h
                let minus = loss(network, workspace, batch: batch, target: target)
                values[index] = original
                let numeric = (plus - minus) / Double(2 * h)
                XCTAssertEqual(Double(gradient[index]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric), "\(sizes) tensor \(t) element \(index)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, network.parameterCount)
        for index in 0..<workspace.input.count {
            let original = workspace.input[index]
            workspace.input[index] = original + h
            let plus = loss(network, workspace, batch: batch, target: target)
            workspace.input[index] = original - h
            let minus = loss(network, workspace, batch: batch, target: target)
            workspace.input[index] = original
            let numeric = (plus - minus) / Double(2 * h)
            XCTAssertEqual(Double(analyticInput[index]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric), "\(sizes) input \(index)")
        }
    }

    func testLayerNormAndDropoutGradientsMatchFiniteDifferences() {
        checkGradients([4, 7, 6, 3], [.tanh, .tanh, .identity], dropout: 0.3, seed: 1)
    }

    /// Widths past the vector width run the SIMD loops and their tails. (tanh: after a normalization
    /// a ReLU has enough units near its kink that a finite difference steps across some.)
    func testWideLayersGradientsMatchFiniteDifferences() {
        checkGradients([5, 19, 34, 2], [.tanh, .tanh, .identity], dropout: 0.2, seed: 2)
    }

    func testLayerNormAloneGradientsMatchFiniteDifferences() {
        checkGradients([3, 17, 1], [.tanh, .identity], dropout: 0, seed: 3)
    }

    /// Each row is (x − mean)/√(var + ε)·γ + β with the biased variance and ε = 1e-5, as PyTorch's
    /// `nn.LayerNorm` computes it, checked in double precision.
    func testLayerNormNormalizesEachRowAsItsDefinition() {
        let network = MLP(sizes: [6, 40, 1], activations: [.identity, .identity], hidden: [HiddenLayerOptions(layerNorm: true)])
        var random = Xoshiro256(seed: 4)
        network.initializeLikePyTorch(using: &random)
        let norm = network.norms[0]!
        XCTAssertEqual(norm.gain.array, Array(repeating: 1, count: 40), "γ starts at 1")
        XCTAssertEqual(norm.bias.array, Array(repeating: 0, count: 40), "β starts at 0")
        for j in 0..<40 {
            norm.gain[j] = Float(random.uniform(0.5, 2))
            norm.bias[j] = Float(random.uniform(-1, 1))
        }
        let workspace = network.makeWorkspace(batch: 3)
        for i in 0..<workspace.input.count { workspace.input[i] = Float(random.uniform(-2, 2)) }
        network.forward(workspace, batch: 3)
        let plain = MLP(sizes: [6, 40], activations: [.identity])
        network.layers[0].copyParameters(into: plain.layers[0])
        let plainWorkspace = plain.makeWorkspace(batch: 3)
        plainWorkspace.input.copy(from: workspace.input)
        plain.forward(plainWorkspace, batch: 3)
        for row in 0..<3 {
            let x = (0..<40).map { Double(plainWorkspace.output[row * 40 + $0]) }
            let mean = x.reduce(0, +) / 40
            let variance = x.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 40
            for j in 0..<40 {
                let expected = (x[j] - mean) / (variance + 1e-5).squareRoot() * Double(norm.gain[j]) + Double(norm.bias[j])
                XCTAssertEqual(Double(workspace.outputs[0][row * 40 + j]), expected, accuracy: 1e-5 * max(1, abs(expected)), "row \(row) unit \(j)")
            }
        }
    }

    /// Masks are 0 or 1/(1 − p), dropped at rate p, the same from the same seed, and a tape's keep
    /// flags come first, in order.
    func testDropoutMasksAreReproducibleAndInjectable() {
        let p: Float = 0.25
        let count = 40_000
        let first = FloatBuffer(count: count)
        let second = FloatBuffer(count: count)
        DropoutMasks(random: Xoshiro256(seed: 9)).fill(first.pointer, count: count, probability: p)
        DropoutMasks(random: Xoshiro256(seed: 9)).fill(second.pointer, count: count, probability: p)
        XCTAssertEqual(first.array, second.array, "same seed, same masks")
        let scale = DropoutMasks.scale(probability: p)
        XCTAssertEqual(scale, Float(4.0 / 3.0))
        XCTAssertTrue(first.array.allSatisfy { $0 == 0 || $0 == scale })
        let dropped = Double(first.array.filter { $0 == 0 }.count) / Double(count)
        XCTAssertEqual(dropped, 0.25, accuracy: 0.01)
        let other = FloatBuffer(count: count)
        DropoutMasks(random: Xoshiro256(seed: 10)).fill(other.pointer, count: count, probability: p)
        XCTAssertNotEqual(first.array, other.array)

        // DroQ's small p draws the gaps between dropped units: the same rate, the same reproducibility.
        for small: Float in [0.01, 0.001] {
            let sparse = FloatBuffer(count: 400_000)
            let again = FloatBuffer(count: 400_000)
            DropoutMasks(random: Xoshiro256(seed: 3)).fill(sparse.pointer, count: sparse.count, probability: small)
            DropoutMasks(random: Xoshiro256(seed: 3)).fill(again.pointer, count: again.count, probability: small)
            XCTAssertEqual(sparse.array, again.array)
            let values = sparse.array
            XCTAssertTrue(values.allSatisfy { $0 == 0 || $0 == DropoutMasks.scale(probability: small) })
            let rate = Double(values.filter { $0 == 0 }.count) / Double(values.count)
            XCTAssertEqual(rate, Double(small), accuracy: 5 * (Double(small) / Double(values.count)).squareRoot(), "p = \(small)")
            // Dropped units are independent: the rate among units right after a dropped one is p too.
            let afterDropped = (1..<values.count).filter { values[$0 - 1] == 0 }
            let rateAfter = Double(afterDropped.filter { values[$0] == 0 }.count) / Double(afterDropped.count)
            XCTAssertEqual(rateAfter, Double(small), accuracy: 5 * (Double(small) / Double(afterDropped.count)).squareRoot() + 1e-3)
        }

        // A workspace's mask, refilled sparsely call after call, holds what a fresh fill writes.
        for small: Float in [0.01, 0.2] {
            let incremental = DropoutMasks(random: Xoshiro256(seed: 21))
            let fresh = DropoutMasks(random: Xoshiro256(seed: 21))
            let mask = DropoutMask(count: 5_000)
            for count in [5_000, 3_000, 5_000, 100, 4_999, 5_000] {
                incremental.fill(mask, count: count, probability: small)
                let expected = FloatBuffer(count: count)
                fresh.fill(expected.pointer, count: count, probability: small)
                XCTAssertEqual(Array(mask.values.array[0..<count]), expected.array, "p = \(small), \(count) values")
            }
        }

        let taped = DropoutMasks(tape: [1, 0, 0, 1, 1], then: Xoshiro256(seed: 9))
        let mask = FloatBuffer(count: 3)
        taped.fill(mask.pointer, count: 3, probability: p)
        XCTAssertEqual(mask.array, [scale, 0, 0])
        let rest = FloatBuffer(count: 6)
        taped.fill(rest.pointer, count: 6, probability: p)
        XCTAssertEqual(Array(rest.array[0..<2]), [scale, scale], "the tape's last two flags")
        // Then the generator, from its start.
        let fresh = FloatBuffer(count: 4)
        DropoutMasks(random: Xoshiro256(seed: 9)).fill(fresh.pointer, count: 4, probability: p)
        XCTAssertEqual(Array(rest.array[2..<6]), fresh.array)
    }

    /// A dropped unit contributes nothing downstream; with p = 0 the network is the plain one, bit for bit.
    func testDropoutZeroesUnitsAndPlainOptionsChangeNothing() {
        var random = Xoshiro256(seed: 11)
        let plain = MLP(sizes: [3, 20, 20, 2], activations: [.relu, .relu, .tanh])
        plain.initializeLikePyTorch(using: &random)
        let same = MLP(sizes: [3, 20, 20, 2], activations: [.relu, .relu, .tanh], hidden: [.plain, .plain])
        plain.copyParameters(into: same)
        XCTAssertNil(same.dropoutMasks)
        let a = plain.makeWorkspace(batch: 4)
        let b = same.makeWorkspace(batch: 4)
        for i in 0..<a.input.count { a.input[i] = Float(random.uniform(-1, 1)) }
        b.input.copy(from: a.input)
        plain.forward(a, batch: 4)
        same.forward(b, batch: 4)
        XCTAssertEqual(a.output.array.map(\.bitPattern), b.output.array.map(\.bitPattern))

        let dropping = MLP(sizes: [3, 20, 20, 2], activations: [.relu, .relu, .tanh], hidden: [HiddenLayerOptions(dropout: 0.5), .plain])
        plain.copyParameters(into: dropping)
        // Keep only unit 0 of the first hidden layer in every row.
        let keepFirst: [Float] = (0..<4).flatMap { _ in [1] + [Float](repeating: 0, count: 19) }
        dropping.dropoutMasks = DropoutMasks(tape: keepFirst)
        let c = dropping.makeWorkspace(batch: 4)
        c.input.copy(from: a.input)
        dropping.forward(c, batch: 4)
        for row in 0..<4 {
            for j in 1..<20 { XCTAssertEqual(c.outputs[0][row * 20 + j], 0) }
            XCTAssertEqual(c.outputs[0][row * 20], max(0, a.outputs[0][row * 20]) * 2, "kept and scaled by 1/(1 − p)")
        }
    }

    /// Adam steps γ and β; Polyak averaging and copies carry them.
    func testAdamPolyakAndCopiesCoverTheNormalization() {
        let online = regularized([3, 16, 16, 1], [.relu, .relu, .identity], dropout: 0.1, seed: 12)
        let target = regularized([3, 16, 16, 1], [.relu, .relu, .identity], dropout: 0.1, seed: 13)
        let adam = Adam(network: online, learningRate: 1e-2)
        XCTAssertEqual(adam.values.count, 3 * 2 + 2 * 2, "dense tensors, then each normalization's γ and β")
        XCTAssertTrue(adam.values[6] === online.norms[0]!.gain && adam.values[9] === online.norms[1]!.bias)
        let workspace = online.makeWorkspace(batch: 8)
        var random = Xoshiro256(seed: 14)
        for i in 0..<workspace.input.count { workspace.input[i] = Float(random.uniform(-1, 1)) }
        online.forward(workspace, batch: 8)
        for i in 0..<8 { workspace.outputGradient[i] = 1 }
        online.backward(workspace, batch: 8)
        let gainBefore = online.norms[1]!.gain.array
        adam.step()
        XCTAssertNotEqual(online.norms[1]!.gain.array, gainBefore, "Adam moved γ")

        let before = target.norms[0]!.bias[3]
        online.blend(into: target, tau: 0.25, slice: Slice(index: 0, count: 2))
        online.blend(into: target, tau: 0.25, slice: Slice(index: 1, count: 2))
        XCTAssertEqual(target.norms[0]!.bias[3], 0.25 * online.norms[0]!.bias[3] + 0.75 * before)
        online.copyParameters(into: target)
        for case let (a?, b?) in zip(online.norms, target.norms) {
            XCTAssertEqual(a.gain.array, b.gain.array)
            XCTAssertEqual(a.bias.array, b.bias.array)
        }
    }

    /// Running a batch's rows in two parts, at a cut where this BLAS sums the products as for the
    /// whole batch (`RowSplit`), with the masks drawn once, gives the whole batch's bits: the
    /// normalization and the masks are row by row.
    func testRowsRunApartGiveTheWholeBatch() throws {
        let network = regularized([12, 64, 64, 1], [.relu, .relu, .identity], dropout: 0.1, seed: 15)
        let batch = 256
        guard let (first, second) = RowSplit.measure(batch: batch, forward: network.layers, inputGradient: network.layers).halves(of: batch)
        else { throw XCTSkip("this BLAS has no exact row cut near the middle") }
        let whole = network.makeWorkspace(batch: batch)
        let parts = network.makeWorkspace(batch: batch)
        var random = Xoshiro256(seed: 16)
        for i in 0..<whole.input.count { whole.input[i] = Float(random.uniform(-1, 1)) }
        parts.input.copy(from: whole.input)
        network.dropoutMasks = DropoutMasks(random: Xoshiro256(seed: 1))
        network.forward(whole, batch: batch)
        network.dropoutMasks = DropoutMasks(random: Xoshiro256(seed: 1))
        network.drawDropoutMasks(parts, batch: batch)
        network.forward(parts, rows: first)
        network.forward(parts, rows: second)
        XCTAssertEqual(whole.output.array.map(\.bitPattern), parts.output.array.map(\.bitPattern))
        for i in 0..<batch {
            whole.outputGradient[i] = Float(i) / 64 - 2
            parts.outputGradient[i] = Float(i) / 64 - 2
        }
        network.propagate(whole, rows: 0..<batch, inputGradient: true)
        network.propagate(parts, rows: first, inputGradient: true)
        network.propagate(parts, rows: second, inputGradient: true)
        XCTAssertEqual(whole.inputGradient.array.map(\.bitPattern), parts.inputGradient.array.map(\.bitPattern))
    }
}
