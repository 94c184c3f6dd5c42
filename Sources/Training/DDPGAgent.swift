import DeterministicRandom
import NeuralNetwork

/// The DDPG learner: actor μ(s) → a ∈ [-1, 1]ⁿ (tanh output), critic Q(s, a), their target copies
/// and one Adam optimizer each. Buffers are sized once for the batch; `update` does not allocate.
public final class DDPGAgent: Learner, @unchecked Sendable {
    public let configuration: LearnerConfiguration
    public let observationSize: Int
    public let actionSize: Int
    public let actor: MLP
    public let critic: MLP
    public let targetActor: MLP
    public let targetCritic: MLP
    public let actorOptimizer: Adam
    public let criticOptimizer: Adam
    /// Critic updates done; the actor and targets update when it is a multiple of `policyFrequency`.
    public var updates = 0

    private let actorBatch: MLPWorkspace
    private let targetActorBatch: MLPWorkspace
    private let criticBatch: MLPWorkspace
    private let targetCriticBatch: MLPWorkspace
    private let targets: FloatBuffer

    public init(observationSize: Int, actionSize: Int, configuration: LearnerConfiguration, random: inout Xoshiro256) {
        self.configuration = configuration
        self.observationSize = observationSize
        self.actionSize = actionSize
        actor = configuration.actorNetwork(observationSize: observationSize, outputs: actionSize, output: .tanh)
        critic = configuration.criticNetwork(observationSize: observationSize, actionSize: actionSize)
        targetActor = configuration.actorNetwork(observationSize: observationSize, outputs: actionSize, output: .tanh)
        targetCritic = configuration.criticNetwork(observationSize: observationSize, actionSize: actionSize)
        // CleanRL builds the actor, then the critic, then copies both into the targets.
        actor.initializeLikePyTorch(using: &random)
        critic.initializeLikePyTorch(using: &random)
        actor.copyParameters(into: targetActor)
        critic.copyParameters(into: targetCritic)
        actorOptimizer = Adam(network: actor, learningRate: configuration.actorLearningRate)
        criticOptimizer = Adam(network: critic, learningRate: configuration.criticLearningRate)
        let batch = configuration.batchSize
        actorBatch = actor.makeWorkspace(batch: batch)
        targetActorBatch = targetActor.makeWorkspace(batch: batch)
        criticBatch = critic.makeWorkspace(batch: batch)
        targetCriticBatch = targetCritic.makeWorkspace(batch: batch)
        targets = FloatBuffer(count: batch)
        // Dropout streams last (Q, then Q′), so that the weights are those of a plain critic.
        for network in [critic, targetCritic] where network.hasDropout {
            network.dropoutMasks = DropoutMasks(random: Xoshiro256(seed: random.next()))
        }
    }

    /// Spreads updates over two threads (`.twoThreads`, with OpenBLAS at one thread) or not.
    /// Results are bit-identical either way (see `update`). Choosing two threads measures where
    /// the batch's rows may be cut (`rowSplit`), a few milliseconds of matrix products.
    public var parallelism: Parallelism = .serial {
        didSet {
            guard parallelism.isParallel, rowSplit == nil else { return }
            rowSplit = measureRowSplit()
        }
    }

    /// Where two threads cut the batch in the stages that run row by row; nil until two threads
    /// are chosen. A nil `cut` inside means this BLAS has no exact cut near the middle, and those
    /// stages run on one thread.
    public private(set) var rowSplit: RowSplit?

    /// The row-by-row stages run the critic (and its target, of the same shapes) forward, carry
    /// gradients down through all its layers, and take the actor's top layer's input gradient.
    private func measureRowSplit() -> RowSplit {
        let actorTop = actor.layers.count > 1 ? [actor.layers[actor.layers.count - 1]] : []
        return RowSplit.measure(batch: configuration.batchSize, forward: critic.layers, inputGradient: critic.layers + actorTop)
    }

    /// One DDPG step on a sampled batch (CleanRL's order):
    ///
    ///     y      = r + γ·(1 − terminated)·Q′(s′, μ′(s′))         (targets, no gradient)
    ///     L_Q    = mean (Q(s, a) − y)²                           → Adam step on the critic
    ///     every `policyFrequency` updates:
    ///     L_μ    = −mean Q(s, μ(s))                              → Adam step on the actor
    ///     θ′     ← τ·θ + (1 − τ)·θ′                              for both targets
    ///
    /// With two threads each stage below is a pair of independent jobs of about equal size:
    /// whole products where two exist side by side (μ′(s′) beside Q(s, a); Q′(s′, μ′(s′)) beside
    /// μ(s); one layer's weight gradient beside the next layer's input gradient), halves of the
    /// batch's rows where they do not, halves of the parameters for Adam and Polyak. Whole products
    /// are worth keeping whole: each thread packs the whole weight matrix for any share of a
    /// product, so halving one costs a packing. No sum is ever split, and rows are cut only where
    /// `rowSplit` measured that this BLAS sums every element of the parts in the order of the
    /// whole, so the result is bit-identical to one thread on every CPU (`ParallelUpdateTests`).
    @discardableResult
    public func update(batch: ReplayBatch) -> UpdateStatistics {
        let n = batch.size
        // μ′(s′) beside Q(s, a); then Q′(s′, μ′(s′)), y and dL/dQ = 2(Q − y)/n.
        let actorStep = (updates + 1) % configuration.policyFrequency == 0
        parallelism.pair(
            { self.forward(self.targetActor, self.targetActorBatch, on: batch, next: true) }, { self.criticForward(batch) })
        // Q′ runs by rows below, perhaps on two threads: its dropout masks are drawn first, whole.
        targetCritic.drawDropoutMasks(targetCriticBatch, batch: n)
        if actorStep {
            // μ(s) needs only the actor, which the critic's step leaves alone: it balances Q′.
            parallelism.pair(
                { self.criticTargetRows(batch, rows: 0..<n) }, { self.forward(self.actor, self.actorBatch, on: batch, next: false) })
        } else {
            parallelism.forEachRows(n, split: rowSplit) { self.criticTargetRows(batch, rows: $0) }
        }
        var loss: Float = 0
        var meanQ: Float = 0
        for b in 0..<n {
            let error = criticBatch.output[b] - targets[b]
            loss += error * error
            meanQ += criticBatch.output[b]
        }
        finishBackward(critic, criticBatch, batch: n, parallelism: parallelism)
        criticOptimizer.beginStep()
        parallelism.forEachSlice { self.criticOptimizer.apply($0) }
        updates += 1

        var statistics = UpdateStatistics(criticLoss: loss / Float(n), meanQ: meanQ / Float(n), actorLoss: nil)
        guard actorStep else { return statistics }

        critic.drawDropoutMasks(criticBatch, batch: n)
        parallelism.forEachRows(n, split: rowSplit) { self.actorRows(batch, rows: $0) }
        var actorLoss: Float = 0
        for b in 0..<n { actorLoss -= criticBatch.output[b] }
        statistics.actorLoss = actorLoss / Float(n)
        finishBackward(actor, actorBatch, batch: n, parallelism: parallelism)
        actorOptimizer.beginStep()
        let tau = configuration.tau
        parallelism.forEachSlice { slice in
            self.actorOptimizer.apply(slice)
            self.actor.blend(into: self.targetActor, tau: tau, slice: slice)
            self.critic.blend(into: self.targetCritic, tau: tau, slice: slice)
        }
        return statistics
    }

    /// `network` on the batch's observations s, or its next observations s′.
    private func forward(_ network: MLP, _ workspace: MLPWorkspace, on batch: ReplayBatch, next: Bool) {
        batch.loadObservations(into: workspace, next: next, rows: 0..<batch.size)
        network.forward(workspace, batch: batch.size)
    }

    private func criticForward(_ batch: ReplayBatch) {
        batch.loadCriticInput(into: criticBatch, next: false, actions: nil, rows: 0..<batch.size)
        critic.forward(criticBatch, batch: batch.size)
    }

    /// Q′(s′, μ′(s′)), the targets y, dL/dQ = 2(Q − y)/n and its way down to the critic's last
    /// hidden layer, for `rows`.
    private func criticTargetRows(_ batch: ReplayBatch, rows: Range<Int>) {
        let n = batch.size
        batch.loadCriticInput(into: targetCriticBatch, next: true, actions: targetActorBatch.output.pointer, rows: rows)
        targetCritic.forward(targetCriticBatch, rows: rows)
        let gamma = configuration.gamma
        for b in rows {
            targets[b] = batch.reward(b) + (1 - batch.terminated(b)) * gamma * targetCriticBatch.output[b]
            criticBatch.outputGradient[b] = 2 * (criticBatch.output[b] - targets[b]) / Float(n)
        }
        beginBackward(critic, criticBatch, rows: rows)
    }

    /// The actor step's row-by-row part, after μ(s): Q(s, μ(s)) through the (just
    /// updated) critic, and dL/dQ = −1/n back through the critic into its action inputs — the
    /// critic's own parameter gradients are not needed — and on into the actor's last hidden layer.
    private func actorRows(_ batch: ReplayBatch, rows: Range<Int>) {
        let n = batch.size
        let o = observationSize
        let a = actionSize
        let width = o + a
        // The observation columns of the critic's input still hold s from the critic step.
        batch.replaceCriticActions(in: criticBatch, with: actorBatch.output.pointer, rows: rows)
        critic.forward(criticBatch, rows: rows)
        for b in rows { criticBatch.outputGradient[b] = -1 / Float(n) }
        critic.propagate(criticBatch, rows: rows, inputGradient: true)
        for b in rows {
            (actorBatch.outputGradient.pointer + b * a).update(from: criticBatch.inputGradient.pointer + b * width + o, count: a)
        }
        beginBackward(actor, actorBatch, rows: rows)
    }

    public var state: LearnerState {
        LearnerState(
            networks: [("actor", actor), ("critic", critic), ("target_actor", targetActor), ("target_critic", targetCritic)],
            optimizers: [("optimizer.actor", actorOptimizer), ("optimizer.critic", criticOptimizer)])
    }
}
