import DeterministicRandom
import NeuralNetwork
import Policy
import RobotModel

/// Seeded actors of known shapes for the export and kernel tests.
enum ActorFixtures {
    /// An actor for `robot` with PyTorch's initialization from `seed`; hidden widths `hidden`,
    /// ReLU hidden layers and a tanh output, as CleanRL's actor. With `spread`, the last layer's
    /// weights are multiplied so the tanh is exercised away from zero and into saturation.
    static func actor(
        robot: RobotDescription, hidden: [Int] = [256, 256], seed: UInt64, previousAction: Bool = false, spread: Float = 1,
        actionScale: [Float]? = nil, actionBias: [Float]? = nil
    ) -> ActorPolicy {
        let n = robot.jointCount
        let inputs = 3 * n + 4 + (previousAction ? n : 0)
        let network = MLP(sizes: [inputs] + hidden + [n], activations: Array(repeating: .relu, count: hidden.count) + [.tanh])
        var random = Xoshiro256(seed: seed)
        network.initializeLikePyTorch(using: &random)
        let last = network.layers[network.layers.count - 1]
        for i in 0..<last.weight.count { last.weight[i] *= spread }
        let layout = n == 2 ? (previousAction ? "reacher-v5+previous-action" : "reacher-v5")
            : (previousAction ? "planar-reach+previous-action" : "planar-reach")
        let metadata = PolicyMetadata(
            observationLayout: layout, jointNames: robot.jointNames, robotName: robot.name, robotFingerprint: robot.fingerprint,
            activations: network.activations.map(\.rawValue), algorithm: "td3")
        return ActorPolicy(network: network, metadata: metadata, actionScale: actionScale, actionBias: actionBias)
    }

    /// `count` observations of `size` values: ordinary ones (cos/sin in [-1, 1], goal and tip
    /// offsets of a few tenths, speeds up to 20 rad/s), then edge values (zeros, -0, ±1, large).
    static func observations(size: Int, count: Int, seed: UInt64) -> [[Float]] {
        var random = Xoshiro256(seed: seed)
        var all: [[Float]] = []
        all.append(Array(repeating: 0, count: size))
        all.append(Array(repeating: -0.0, count: size))
        all.append(Array(repeating: 1, count: size))
        all.append(Array(repeating: -1, count: size))
        all.append((0..<size).map { $0 % 2 == 0 ? 100 : -100 })
        all.append((0..<size).map { _ in Float.leastNormalMagnitude })
        while all.count < count {
            all.append((0..<size).map { _ in Float(random.uniform(-1, 1) * (random.nextUnit() < 0.2 ? 20 : 1)) })
        }
        return all
    }
}
