import DeterministicRandom
import Foundation
import NeuralNetwork
import XCTest

final class GradientTests: XCTestCase {
    /// Loss = ½ Σ (y − target)², so dL/dy = y − target. Evaluated in Double from float outputs.
    func loss(_ network: MLP, _ workspace: MLPWorkspace, batch: Int, target: [Float]) -> Double {
        network.forward(workspace, batch: batch)
        var total = 0.0
        for i in 0..<(batch * network.outputSize) {
            let e = Double(workspace.output[i]) - Double(target[i])
            total += 0.5 * e * e
        }
        return total
    }

    func checkGradients(activations: [Activation], seed: UInt64) {
        var random = Xoshiro256(seed: seed)
        let network = MLP(sizes: [4, 7, 6, 3], activations: activations)
        network.initializeLikePyTorch(using: &random)
        let batch = 5
        let workspace = network.makeWorkspace(batch: batch)
        for i in 0..<workspace.input.count { workspace.input[i] = Float(random.uniform(-1, 1)) }
        let target = (0..<(batch * 3)).map { _ in Float(random.uniform(-1, 1)) }

        _ = loss(network, workspace, batch: batch, target: target)
        for i in 0..<(batch * 3) { workspace.outputGradient[i] = workspace.output[i] - target[i] }
        network.backward(workspace, batch: batch, inputGradient: true)
        let analyticInput = workspace.inputGradient.array

        // Central differences in float32 parameters; h balances truncation and rounding error.
        let h: Float = 1e-2
        var checked = 0
        for layer in network.layers {
            for (values, gradient) in [(layer.weight, layer.weightGradient), (layer.bias, layer.biasGradient)] {
                for index in 0..<values.count {
                    let original = values[index]
                    values[index] = original + h
                    let plus = loss(network, workspace, batch: batch, target: target)
                    values[index] = original - h
                    let minus = loss(network, workspace, batch: batch, target: target)
                    values[index] = original
                    let numeric = (plus - minus) / Double(2 * h)
                    XCTAssertEqual(Double(gradient[index]), numeric, accuracy: 2e-3 + 2e-2 * abs(numeric), "\(activations) parameter \(index)")
                    checked += 1
                }
            }
        }
        for index in 0..<workspace.input.count {
            let original = workspace.input[index]
            workspace.input[index] = original + h
            let plus = loss(network, workspace, batch: batch, target: target)
            workspace.input[index] = original - h
            let minus = loss(network, workspace, batch: batch, target: target)
            workspace.input[index] = original
            XCTAssertEqual(Double(analyticInput[index]), (plus - minus) / Double(2 * h), accuracy: 2e-3, "input \(index)")
        }
        XCTAssertEqual(checked, network.parameterCount)
    }

    func testBackpropagationMatchesFiniteDifferencesWithTanh() {
        checkGradients(activations: [.tanh, .tanh, .identity], seed: 1)
    }

    func testBackpropagationMatchesFiniteDifferencesWithReLU() {
        checkGradients(activations: [.relu, .relu, .tanh], seed: 2)
    }

    func testPyTorchDefaultInitialisationBounds() {
        var random = Xoshiro256(seed: 3)
        let layer = Dense(inputs: 64, outputs: 256)
        layer.initializeLikePyTorch(using: &random)
        let bound: Float = 1 / 8
        let weights = layer.weight.array
        XCTAssertLessThanOrEqual(weights.map(abs).max()!, bound)
        XCTAssertGreaterThan(weights.map(abs).max()!, 0.99 * bound, "uniform fills the whole interval")
        // Variance of U(±b) is b²/3.
        let variance = weights.reduce(0) { $0 + Double($1 * $1) } / Double(weights.count)
        XCTAssertEqual(variance, Double(bound * bound) / 3, accuracy: 0.05 * Double(bound * bound) / 3)
        XCTAssertLessThanOrEqual(layer.bias.array.map(abs).max()!, bound)
    }

    func testPolyakAveragingBlendsTowardsTheOnlineNetwork() {
        var random = Xoshiro256(seed: 4)
        let online = MLP(sizes: [3, 4, 2], activations: [.relu, .tanh])
        let target = MLP(sizes: [3, 4, 2], activations: [.relu, .tanh])
        online.initializeLikePyTorch(using: &random)
        target.initializeLikePyTorch(using: &random)
        let before = target.layers[0].weight[5]
        online.blend(into: target, tau: 0.005)
        XCTAssertEqual(target.layers[0].weight[5], 0.005 * online.layers[0].weight[5] + 0.995 * before, accuracy: 1e-7)
        online.copyParameters(into: target)
        XCTAssertEqual(target.layers[1].bias.array, online.layers[1].bias.array)
    }

    func testBatchOneAndBatchedForwardAgree() {
        var random = Xoshiro256(seed: 5)
        let network = MLP(sizes: [10, 256, 256, 2], activations: [.relu, .relu, .tanh])
        network.initializeLikePyTorch(using: &random)
        let batched = network.makeWorkspace(batch: 8)
        let single = network.makeWorkspace(batch: 1)
        for i in 0..<batched.input.count { batched.input[i] = Float(random.uniform(-1, 1)) }
        network.forward(batched, batch: 8)
        for row in 0..<8 {
            for i in 0..<10 { single.input[i] = batched.input[row * 10 + i] }
            network.forward(single, batch: 1)
            for j in 0..<2 { XCTAssertEqual(single.output[j], batched.output[row * 2 + j], accuracy: 1e-5) }
        }
    }
}

final class SingleInputNetworkTests: XCTestCase {
    func testTheDeployCopyComputesWhatTheNetworkComputes() {
        var random = Xoshiro256(seed: 6)
        for sizes in [[10, 256, 256, 2], [3, 5, 4, 2], [7, 33, 17]] {
            let activations: [Activation] = sizes.count == 4 ? [.relu, .relu, .tanh] : [.tanh, .identity]
            let network = MLP(sizes: sizes, activations: activations)
            network.initializeLikePyTorch(using: &random)
            let frozen = SingleInputNetwork(network)
            let workspace = network.makeWorkspace(batch: 1)
            for _ in 0..<20 {
                let input = (0..<sizes[0]).map { _ in Float(random.uniform(-2, 2)) }
                workspace.input.copy(from: input)
                network.forward(workspace, batch: 1)
                let output = frozen.run(input)
                for j in 0..<network.outputSize {
                    XCTAssertEqual(output[j], workspace.output[j], accuracy: 1e-5 * max(1, abs(workspace.output[j])), "\(sizes)")
                }
            }
            // Frozen: later training does not leak into the deployed copy (exact: the same code on the same input).
            let before = frozen.run([Float](repeating: 0.5, count: sizes[0]))[0]
            network.layers[0].bias.fill(3)
            XCTAssertEqual(frozen.run([Float](repeating: 0.5, count: sizes[0]))[0], before)
        }
    }
}

final class HelperThreadTests: XCTestCase {
    /// Hand-offs alternate with idle gaps long enough for the helper to park, so every wake-up
    /// path is exercised; a lost wake-up would hang, so the loop runs under a deadline.
    func testHandOffsNeverLoseAWakeUp() {
        let helper = HelperThread()
        defer { helper.stop() }
        let parallelism = Parallelism.twoThreads(helper)
        let done = DispatchSemaphore(value: 0)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        counts.initialize(repeating: 0, count: 2)
        defer { counts.deallocate() }
        let box = UncheckedBox(counts: counts, parallelism: parallelism)
        Thread.detachNewThread {
            for round in 0..<400 {
                box.parallelism.pair({ box.counts[0] += 1 }, { box.counts[1] += 1 })
                if round % 4 == 0 { usleep(3_000) }  // idle: the helper parks
            }
            done.signal()
        }
        XCTAssertEqual(done.wait(timeout: .now() + 60), .success, "a hand-off was lost: the helper never woke")
        XCTAssertEqual(counts[0], 400)
        XCTAssertEqual(counts[1], 400)
    }
}

private struct UncheckedBox: @unchecked Sendable {
    let counts: UnsafeMutablePointer<Int>
    let parallelism: Parallelism
}
