import Foundation
import NeuralNetwork
import TestSupport
import XCTest

/// One forward, backward and two Adam steps of a small fixed network against PyTorch's numbers.
final class PyTorchReferenceTests: XCTestCase {
    func assertClose(_ actual: [Float], _ expected: [Float], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, what, file: file, line: line)
        for (a, e) in zip(actual, expected) {
            XCTAssertEqual(a, e, accuracy: 2e-6 + 2e-5 * abs(e), what, file: file, line: line)
        }
    }

    func testForwardBackwardAndAdamMatchPyTorch() throws {
        let reference = try PyTorchReference.load()
        let cases = reference["cases"] as! [String: Any]
        let mlp = cases["mlp"] as! [String: Any]
        let network = MLP(sizes: [3, 5, 4, 2], activations: [.relu, .relu, .tanh])
        for (k, layer) in network.layers.enumerated() {
            for i in 0..<layer.outputs {
                for j in 0..<layer.inputs { layer.weight[i * layer.inputs + j] = PyTorchReference.weight(i, j, layer: k) }
                layer.bias[i] = PyTorchReference.bias(i, layer: k)
            }
        }
        let names = ["fc1", "fc2", "fc3"]
        let initial = mlp["initial_params"] as! [String: Any]
        // Exact on every CPU: one scalar formula per weight, rounded once to float32, no BLAS.
        for (k, name) in names.enumerated() {
            XCTAssertEqual(network.layers[k].weight.array, PyTorchReference.floats(initial["\(name).weight"]), "formula reproduces \(name)")
        }
        let workspace = network.makeWorkspace(batch: 4)
        workspace.input.copy(from: PyTorchReference.floats(mlp["X"]))
        let target = PyTorchReference.floats(mlp["Y"])
        let adam = Adam(network: network, learningRate: 1e-3)

        func forwardBackward() -> Float {
            network.forward(workspace, batch: 4)
            var loss: Float = 0
            for i in 0..<8 {
                let error = workspace.output[i] - target[i]
                loss += error * error
                workspace.outputGradient[i] = 2 * error / 8  // d/dy of mean squared error over 8 elements
            }
            network.backward(workspace, batch: 4, inputGradient: true)
            return loss / 8
        }

        let loss = forwardBackward()
        assertClose(workspace.output.array, PyTorchReference.floats(mlp["output"]), "output")
        XCTAssertEqual(loss, (mlp["loss"] as! NSNumber).floatValue, accuracy: 1e-7)
        let grads = mlp["grads"] as! [String: Any]
        for (k, name) in names.enumerated() {
            assertClose(network.layers[k].weightGradient.array, PyTorchReference.floats(grads["\(name).weight"]), "grad \(name).weight")
            assertClose(network.layers[k].biasGradient.array, PyTorchReference.floats(grads["\(name).bias"]), "grad \(name).bias")
        }
        assertClose(workspace.inputGradient.array, PyTorchReference.floats(mlp["grad_input"]), "grad input")

        adam.step()
        let afterOne = mlp["params_after_adam_step1"] as! [String: Any]
        for (k, name) in names.enumerated() {
            assertClose(network.layers[k].weight.array, PyTorchReference.floats(afterOne["\(name).weight"]), "step 1 \(name).weight")
            assertClose(network.layers[k].bias.array, PyTorchReference.floats(afterOne["\(name).bias"]), "step 1 \(name).bias")
        }
        let secondLoss = forwardBackward()
        XCTAssertEqual(secondLoss, (mlp["step2_loss"] as! NSNumber).floatValue, accuracy: 1e-7)
        adam.step()
        let afterTwo = mlp["params_after_adam_step2"] as! [String: Any]
        for (k, name) in names.enumerated() {
            assertClose(network.layers[k].weight.array, PyTorchReference.floats(afterTwo["\(name).weight"]), "step 2 \(name).weight")
            assertClose(network.layers[k].bias.array, PyTorchReference.floats(afterTwo["\(name).bias"]), "step 2 \(name).bias")
        }
    }
}
