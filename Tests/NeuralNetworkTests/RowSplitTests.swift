import DeterministicRandom
import NeuralNetwork
import XCTest

final class RowSplitTests: XCTestCase {
    /// The cut is measured on scratch operands; a network with other weights, run on other inputs
    /// in two parts at that cut — forward, then gradients down to its input — must reproduce the
    /// whole batch bit for bit, because kernels pick their summation order from shapes alone.
    /// CleanRL's critic must have a cut on every kernel family; the smaller shapes may not (on
    /// SkylakeX a half of 100×100 at batch 200 falls under the small-matrix threshold).
    func testMeasuredCutReproducesTheWholeBatchOnOtherOperands() throws {
        setMatrixThreads(1)
        for (sizes, batch) in [([12, 256, 256, 1], 256), ([12, 256, 256, 1], 200), ([10, 100, 100, 2], 200), ([10, 37, 37, 2], 33)] {
            let activations = Array(repeating: Activation.relu, count: sizes.count - 2) + [.identity]
            let network = MLP(sizes: sizes, activations: activations)
            var random = Xoshiro256(seed: 11)
            network.initializeLikePyTorch(using: &random)
            let split = RowSplit.measure(batch: batch, forward: network.layers, inputGradient: network.layers)
            guard let cut = split.cut else {
                XCTAssertNotEqual(sizes[1], 256, "batch \(batch): no exact cut for CleanRL's critic")
                XCTAssertNil(split.halves(of: batch), "no cut: the batch runs whole")
                continue
            }
            XCTAssertEqual(split.halves(of: batch)?.0, 0..<cut)
            XCTAssertEqual(split.halves(of: batch)?.1, cut..<batch)

            var results: [[Float]] = []
            for parts in [[0..<batch], [0..<cut, cut..<batch]] {
                let workspace = network.makeWorkspace(batch: batch)
                var data = Xoshiro256(seed: 12)
                for i in 0..<workspace.input.count { workspace.input[i] = Float(data.uniform(-2, 2)) }
                for i in 0..<workspace.outputGradient.count { workspace.outputGradient[i] = Float(data.uniform(-1, 1)) }
                for rows in parts {
                    network.forward(workspace, rows: rows)
                    network.propagate(workspace, rows: rows, inputGradient: true)
                }
                results.append(workspace.outputs.flatMap(\.array) + workspace.gradients.flatMap(\.array) + workspace.inputGradient.array)
            }
            XCTAssertTrue(
                zip(results[0], results[1]).allSatisfy { $0.bitPattern == $1.bitPattern },
                "sizes \(sizes), batch \(batch): the parts at \(cut) differ from the whole")
        }
    }

    /// A cut lies inside the batch and near its middle, so neither thread gets much more than half;
    /// batches too small to cut, or other batch sizes than the measured one, run whole.
    func testCutsStayInsideTheBatchAndNearTheMiddle() {
        setMatrixThreads(1)
        let layers = [Dense(inputs: 12, outputs: 64), Dense(inputs: 64, outputs: 1)]
        for batch in [1, 2, 3, 8, 33, 64, 100, 256] {
            let split = RowSplit.measure(batch: batch, forward: layers, inputGradient: layers)
            guard let cut = split.cut else {
                XCTAssertNil(split.halves(of: batch))
                XCTAssertLessThan(batch, 4, "batch \(batch) should have an exact cut")
                continue
            }
            XCTAssertTrue((1..<batch).contains(cut), "batch \(batch), cut \(cut)")
            XCTAssertLessThanOrEqual(abs(cut - batch / 2), 24, "batch \(batch)")
            XCTAssertNil(split.halves(of: batch + 1), "a batch of another size is not cut")
        }
    }
}
