import DeterministicRandom
import Foundation
import NeuralNetwork

/// Soft actor-critic (Haarnoja et al. 2018) with CleanRL's `sac_continuous_action.py` semantics:
/// a tanh-squashed Gaussian actor whose head gives each action's mean and raw log-std (rows
/// 0..<n and n..<2n of its last layer), twin critics and their targets, and the entropy
/// temperature α tuned towards an entropy of −(action size) unless it is fixed.
///
/// CleanRL counts its cadence in environment steps; here it is counted in updates, the same at
/// one update per step: the critics step every update, and every `policyFrequency`'th update the
/// actor (and α) take `policyFrequency` steps, so that they step as often as the critics. The
/// targets follow the critics every update.
public final class SACAgent: Learner, @unchecked Sendable {
    public let configuration: LearnerConfiguration
    public let observationSize: Int
    public let actionSize: Int
    public let actor: MLP
    public let actorOptimizer: Adam
    /// log α, one element, with its gradient and optimizer when α is tuned.
    public let logAlpha = FloatBuffer(count: 1)
    private let logAlphaGradient = FloatBuffer(count: 1)
    public let alphaOptimizer: Adam?
    public var updates = 0
    /// The normal draws of the sampled actions.
    public var draws: NormalDraws
    let critics: TwinCritics

    private let targetEntropy: Float
    private let actorBatch: MLPWorkspace
    private let nextActorBatch: MLPWorkspace
    private let epsilon: FloatBuffer
    private let actions: FloatBuffer
    private let logProbabilities: FloatBuffer
    private let actionGradient: FloatBuffer

    public init(observationSize: Int, actionSize: Int, configuration: LearnerConfiguration, random: inout Xoshiro256) {
        self.configuration = configuration
        self.observationSize = observationSize
        self.actionSize = actionSize
        actor = configuration.actorNetwork(observationSize: observationSize, outputs: 2 * actionSize, output: .identity)
        // CleanRL builds the actor, then Q₁ and Q₂, then copies the critics into their targets.
        actor.initializeLikePyTorch(using: &random)
        critics = TwinCritics(observationSize: observationSize, actionSize: actionSize, configuration: configuration, random: &random)
        actorOptimizer = Adam(network: actor, learningRate: configuration.actorLearningRate)
        alphaOptimizer =
            configuration.fixedAlpha == nil
            ? Adam(values: [logAlpha], gradients: [logAlphaGradient], unitSizes: [1], learningRate: configuration.criticLearningRate) : nil
        targetEntropy = -Float(actionSize)
        draws = NormalDraws(random: Xoshiro256(seed: random.next()))
        let batch = configuration.batchSize
        actorBatch = actor.makeWorkspace(batch: batch)
        nextActorBatch = actor.makeWorkspace(batch: batch)
        epsilon = FloatBuffer(count: batch * actionSize)
        actions = FloatBuffer(count: batch * actionSize)
        logProbabilities = FloatBuffer(count: batch)
        actionGradient = FloatBuffer(count: batch * actionSize)
        // Last, so that the weights and the normal draws are those of plain critics.
        critics.seedDropout(from: &random)
    }

    public var parallelism: Parallelism = .serial {
        didSet { critics.parallelism = parallelism }
    }

    /// The temperature: exp(log α) when tuned (1 at the start, as in CleanRL), else the fixed one.
    public var alpha: Float { configuration.fixedAlpha ?? exp(logAlpha[0]) }

    /// One SAC step on a sampled batch:
    ///
    ///     a′ ~ π(·|s′)                                                           (ε drawn)
    ///     y   = r + γ·(1 − terminated)·(min(Q′₁(s′, a′), Q′₂(s′, a′)) − α·log π(a′|s′))
    ///     L_i = mean (Q_i(s, a) − y)²                                            → Adam step on each critic
    ///     every `policyFrequency` updates, `policyFrequency` times:
    ///       ã ~ π(·|s);  L_π = mean (α·log π(ã|s) − min(Q₁(s, ã), Q₂(s, ã)))    → Adam step on the actor
    ///       ã ~ π(·|s);  L_α = mean (−α·(log π(ã|s) − (action size)))           → Adam step on log α
    ///     θ′ ← τ·θ + (1 − τ)·θ′                                                 for both critics
    public func update(batch: ReplayBatch) -> UpdateStatistics {
        let n = batch.size
        // π(s′) beside Q₁(s, a), Q′₁(s′, a′) beside Q₂(s, a), then Q′₂(s′, a′).
        parallelism.pair(
            {
                batch.loadObservations(into: self.nextActorBatch, next: true, rows: 0..<n)
                self.sample(self.nextActorBatch, batch: n)
            }, { self.critics.evaluate(0, batch) })
        parallelism.pair(
            { self.critics.evaluateTarget(0, batch, nextActions: self.actions.pointer) }, { self.critics.evaluate(1, batch) })
        critics.evaluateTarget(1, batch, nextActions: actions.pointer)
        let gamma = configuration.gamma
        let alpha = self.alpha
        critics.setTargets(batch: n) { b, q1, q2 in
            batch.reward(b) + (1 - batch.terminated(b)) * gamma * (min(q1, q2) - alpha * self.logProbabilities[b])
        }
        var statistics = critics.step(batch: n)
        updates += 1

        if updates % configuration.policyFrequency == 0 {
            batch.loadObservations(into: actorBatch, next: false, rows: 0..<n)
            for _ in 0..<configuration.policyFrequency {
                statistics.actorLoss = actorStep(batch)
                if alphaOptimizer != nil { statistics.alphaLoss = alphaStep(batch: n) }
            }
        }
        let tau = configuration.tau
        parallelism.forEachSlice { self.critics.blend(tau: tau, slice: $0) }
        statistics.alpha = self.alpha
        return statistics
    }

    /// The actor on `workspace`'s input, then a sample of each row: actions, log π and the ε used.
    private func sample(_ workspace: MLPWorkspace, batch n: Int) {
        let a = actionSize
        actor.forward(workspace, batch: n)
        draws.fill(epsilon.pointer, count: n * a)
        for b in 0..<n {
            var logProbability: Float = 0
            for j in 0..<a {
                let head = workspace.output.pointer + b * 2 * a
                let component = SquashedGaussian.sample(mean: head[j], raw: head[a + j], epsilon: epsilon[b * a + j])
                actions[b * a + j] = component.action
                logProbability += component.logProbability
            }
            logProbabilities[b] = logProbability
        }
    }

    /// One actor step; its loss.
    private func actorStep(_ batch: ReplayBatch) -> Float {
        let n = batch.size
        let a = actionSize
        sample(actorBatch, batch: n)
        critics.evaluate(batch, actions: actions.pointer, which: [0, 1])
        let alpha = self.alpha
        var loss: Float = 0
        for b in 0..<n {
            let q1 = critics.workspaces[0].output[b]
            let q2 = critics.workspaces[1].output[b]
            loss += alpha * logProbabilities[b] - min(q1, q2)
            // torch.min's gradient goes to the smaller input, half to each on a tie.
            let share: (Float, Float) = q1 < q2 ? (1, 0) : q2 < q1 ? (0, 1) : (0.5, 0.5)
            critics.workspaces[0].outputGradient[b] = -share.0 / Float(n)
            critics.workspaces[1].outputGradient[b] = -share.1 / Float(n)
        }
        critics.actionGradient(batch, which: [0, 1], into: actionGradient)
        let logProbabilityGradient = alpha / Float(n)
        for b in 0..<n {
            let head = actorBatch.output.pointer + b * 2 * a
            let gradient = actorBatch.outputGradient.pointer + b * 2 * a
            for j in 0..<a {
                let d = SquashedGaussian.gradients(
                    mean: head[j], raw: head[a + j], epsilon: epsilon[b * a + j], actionGradient: actionGradient[b * a + j],
                    logProbabilityGradient: logProbabilityGradient)
                gradient[j] = d.mean
                gradient[a + j] = d.raw
            }
        }
        beginBackward(actor, actorBatch, rows: 0..<n)
        finishBackward(actor, actorBatch, batch: n, parallelism: parallelism)
        actorOptimizer.beginStep()
        parallelism.forEachSlice { self.actorOptimizer.apply($0) }
        return loss / Float(n)
    }

    /// One step of log α on a fresh sample from the just-updated actor; its loss.
    private func alphaStep(batch n: Int) -> Float {
        guard let alphaOptimizer else { return 0 }
        sample(actorBatch, batch: n)
        let alpha = exp(logAlpha[0])
        var loss: Float = 0
        var gradient: Float = 0
        for b in 0..<n {
            let excess = logProbabilities[b] + targetEntropy
            loss += -alpha * excess
            gradient += excess / Float(n)
        }
        logAlphaGradient[0] = -gradient * alpha
        alphaOptimizer.step()
        return loss / Float(n)
    }

    public var state: LearnerState {
        LearnerState(
            networks: [("actor", actor)] + critics.networks,
            optimizers: [("optimizer.actor", actorOptimizer)] + critics.namedOptimizers + (alphaOptimizer.map { [("optimizer.alpha", $0)] } ?? []),
            tensors: [("log_alpha", logAlpha)], draws: draws)
    }
}
