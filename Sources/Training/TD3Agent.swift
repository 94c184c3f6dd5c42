import DeterministicRandom
import NeuralNetwork

/// TD3 (Fujimoto et al. 2018) with CleanRL's `td3_continuous_action.py` semantics: a deterministic
/// actor μ(s) (tanh output), twin critics and their targets, one Adam each.
public final class TD3Agent: Learner, @unchecked Sendable {
    public let configuration: LearnerConfiguration
    public let observationSize: Int
    public let actionSize: Int
    public let actor: MLP
    public let targetActor: MLP
    public let actorOptimizer: Adam
    public var updates = 0
    /// The normal draws of target policy smoothing.
    public var draws: NormalDraws
    let critics: TwinCritics

    private let actorBatch: MLPWorkspace
    private let targetActorBatch: MLPWorkspace
    /// a′ = clip(μ′(s′) + clip(σε, −c, c), −1, 1), batch × action size.
    private let nextActions: FloatBuffer
    private let actionGradient: FloatBuffer

    public init(observationSize: Int, actionSize: Int, configuration: LearnerConfiguration, random: inout Xoshiro256) {
        self.configuration = configuration
        self.observationSize = observationSize
        self.actionSize = actionSize
        actor = configuration.actorNetwork(observationSize: observationSize, outputs: actionSize, output: .tanh)
        targetActor = configuration.actorNetwork(observationSize: observationSize, outputs: actionSize, output: .tanh)
        // CleanRL builds the actor, then Q₁ and Q₂, then copies all three into their targets.
        actor.initializeLikePyTorch(using: &random)
        critics = TwinCritics(observationSize: observationSize, actionSize: actionSize, configuration: configuration, random: &random)
        actor.copyParameters(into: targetActor)
        actorOptimizer = Adam(network: actor, learningRate: configuration.actorLearningRate)
        draws = NormalDraws(random: Xoshiro256(seed: random.next()))
        let batch = configuration.batchSize
        actorBatch = actor.makeWorkspace(batch: batch)
        targetActorBatch = targetActor.makeWorkspace(batch: batch)
        nextActions = FloatBuffer(count: batch * actionSize)
        actionGradient = FloatBuffer(count: batch * actionSize)
        // Last, so that the weights and the normal draws are those of plain critics.
        critics.seedDropout(from: &random)
    }

    public var parallelism: Parallelism = .serial {
        didSet { critics.parallelism = parallelism }
    }

    /// One TD3 step on a sampled batch (CleanRL's order):
    ///
    ///     a′  = clip(μ′(s′) + clip(σ·ε, −c, c), −1, 1)                    ε ~ N(0, 1)
    ///     y   = r + γ·(1 − terminated)·min(Q′₁(s′, a′), Q′₂(s′, a′))      (no gradient)
    ///     L_i = mean (Q_i(s, a) − y)²                                     → Adam step on each critic
    ///     every `policyFrequency` updates:
    ///     L_μ = −mean Q₁(s, μ(s))                                         → Adam step on the actor
    ///     θ′  ← τ·θ + (1 − τ)·θ′                                          for the actor and both critics
    public func update(batch: ReplayBatch) -> UpdateStatistics {
        let n = batch.size
        let actorStep = (updates + 1) % configuration.policyFrequency == 0
        // Five products of about one size: μ′(s′) beside Q₁(s, a), Q′₁(s′, a′) beside Q₂(s, a),
        // then Q′₂(s′, a′) beside μ(s) when the actor will update (the critics' step leaves μ alone).
        parallelism.pair({ self.targetActions(batch) }, { self.critics.evaluate(0, batch) })
        parallelism.pair(
            { self.critics.evaluateTarget(0, batch, nextActions: self.nextActions.pointer) }, { self.critics.evaluate(1, batch) })
        parallelism.pair(
            { self.critics.evaluateTarget(1, batch, nextActions: self.nextActions.pointer) },
            {
                guard actorStep else { return }
                batch.loadObservations(into: self.actorBatch, next: false, rows: 0..<n)
                self.actor.forward(self.actorBatch, batch: n)
            })
        let gamma = configuration.gamma
        critics.setTargets(batch: n) { b, q1, q2 in batch.reward(b) + (1 - batch.terminated(b)) * gamma * min(q1, q2) }
        var statistics = critics.step(batch: n)
        updates += 1
        guard actorStep else { return statistics }

        critics.evaluate(batch, actions: actorBatch.output.pointer, which: [0])
        var actorLoss: Float = 0
        for b in 0..<n {
            actorLoss -= critics.workspaces[0].output[b]
            critics.workspaces[0].outputGradient[b] = -1 / Float(n)
        }
        statistics.actorLoss = actorLoss / Float(n)
        critics.actionGradient(batch, which: [0], into: actionGradient)
        actorBatch.outputGradient.copy(from: actionGradient)
        beginBackward(actor, actorBatch, rows: 0..<n)
        finishBackward(actor, actorBatch, batch: n, parallelism: parallelism)
        actorOptimizer.beginStep()
        let tau = configuration.tau
        parallelism.forEachSlice { slice in
            self.actorOptimizer.apply(slice)
            self.actor.blend(into: self.targetActor, tau: tau, slice: slice)
            self.critics.blend(tau: tau, slice: slice)
        }
        return statistics
    }

    /// a′ = clip(μ′(s′) + clip(σ·ε, −c, c), −1, 1) into `nextActions`.
    private func targetActions(_ batch: ReplayBatch) {
        let count = batch.size * actionSize
        batch.loadObservations(into: targetActorBatch, next: true, rows: 0..<batch.size)
        targetActor.forward(targetActorBatch, batch: batch.size)
        draws.fill(nextActions.pointer, count: count)
        let sigma = configuration.targetPolicyNoise
        let clip = configuration.targetNoiseClip
        for i in 0..<count {
            let noise = min(max(nextActions[i] * sigma, -clip), clip)
            nextActions[i] = min(max(targetActorBatch.output[i] + noise, -1), 1)
        }
    }

    public var state: LearnerState {
        LearnerState(
            networks: [("actor", actor), ("target_actor", targetActor)] + critics.networks,
            optimizers: [("optimizer.actor", actorOptimizer)] + critics.namedOptimizers, draws: draws)
    }
}
