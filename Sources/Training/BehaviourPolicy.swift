import Foundation
import NeuralNetwork

/// How the trainers choose the action the arm is driven with once learning has started, on a
/// network shaped as the learner's `actor` (the live one, or the real-time trainer's copy):
/// DDPG and TD3 add exploration noise to μ(s); SAC samples its policy, tanh(mean + σ·ε), with ε
/// from the exploration noise's generator. Actions are clamped to [-1, 1]; a non-finite one
/// stops training instead of reaching the arm.
public final class BehaviourPolicy {
    public let network: MLP
    private let algorithm: Algorithm
    private let actionSize: Int
    private let workspace: MLPWorkspace

    public init(network: MLP, algorithm: Algorithm, actionSize: Int) {
        self.network = network
        self.algorithm = algorithm
        self.actionSize = actionSize
        workspace = network.makeWorkspace(batch: 1)
    }

    /// The exploring action for `observation` at `step` (the step names a divergence).
    public func explore(observation: [Float], noise: inout ExplorationNoise, into action: inout [Double], step: Int) throws(TrainingError) {
        forward(observation)
        let head = workspace.output
        switch algorithm {
        case .ddpg, .td3:
            for i in 0..<actionSize { action[i] = Double(head[i]) }
            noise.perturb(&action)
        case .sac:
            for i in 0..<actionSize {
                let epsilon = Float(noise.random.normal())
                action[i] = Double(SquashedGaussian.sample(mean: head[i], raw: head[actionSize + i], epsilon: epsilon).action)
            }
        }
        try TrainingError.clamp(&action, step: step)
    }

    /// The deterministic action: μ(s), or tanh of SAC's mean.
    public func act(observation: [Float], into action: inout [Double]) {
        forward(observation)
        for i in 0..<actionSize {
            let value = workspace.output[i]
            action[i] = Double(algorithm == .sac ? tanh(value) : value)
        }
    }

    private func forward(_ observation: [Float]) {
        for i in 0..<observation.count { workspace.input[i] = observation[i] }
        network.forward(workspace, batch: 1)
    }
}
