import DeterministicRandom
import NeuralNetwork

/// Two critics Q₁, Q₂ with their targets and optimizers, as TD3 and SAC use them. The two are
/// independent products of the same size, so with two threads each runs on its own core: a
/// whole network per thread, bit-identical to one thread with no cut to measure.
///
/// CleanRL steps both with one Adam over their joint parameters; Adam is elementwise, so one
/// optimizer per critic at the same rate and step count is the same arithmetic.
final class TwinCritics: @unchecked Sendable {
    let critics: [MLP]
    let targets: [MLP]
    let optimizers: [Adam]
    /// Q(s, a) and its gradients, batch rows; then Q(s, π(s)) in the actor's step.
    let workspaces: [MLPWorkspace]
    /// Q′(s′, a′), batch rows.
    let targetWorkspaces: [MLPWorkspace]
    /// y, the critics' regression targets.
    let y: FloatBuffer
    var parallelism: Parallelism = .serial

    /// Builds both critics and initializes them from `random`, Q₁ then Q₂ (CleanRL's order), then
    /// copies them into their targets. Regularized critics (`criticDropout`, `criticLayerNorm`)
    /// have DroQ's hidden layers, targets too; their dropout streams come from `seedDropout`.
    init(observationSize: Int, actionSize: Int, configuration: LearnerConfiguration, random: inout Xoshiro256) {
        critics = (0..<2).map { _ in configuration.criticNetwork(observationSize: observationSize, actionSize: actionSize) }
        targets = (0..<2).map { _ in configuration.criticNetwork(observationSize: observationSize, actionSize: actionSize) }
        for critic in critics { critic.initializeLikePyTorch(using: &random) }
        for (critic, target) in zip(critics, targets) { critic.copyParameters(into: target) }
        optimizers = critics.map { Adam(network: $0, learningRate: configuration.criticLearningRate) }
        let batch = configuration.batchSize
        workspaces = critics.map { $0.makeWorkspace(batch: batch) }
        targetWorkspaces = targets.map { $0.makeWorkspace(batch: batch) }
        y = FloatBuffer(count: batch)
    }

    /// Gives each critic and each target its own dropout stream, seeded from `random` (Q₁, Q₂, Q′₁,
    /// Q′₂), when they drop units; draws nothing otherwise. The learners call it after every other
    /// draw of their construction, so the initial weights and the update's normal draws are the
    /// same with and without dropout.
    func seedDropout(from random: inout Xoshiro256) {
        for network in critics + targets where network.hasDropout {
            network.dropoutMasks = DropoutMasks(random: Xoshiro256(seed: random.next()))
        }
    }

    /// Runs `body` for critic 0 on this thread and critic 1 on the helper.
    private func both(_ body: (Int) -> Void) {
        parallelism.pair({ body(0) }, { body(1) })
    }

    /// Q_i(s, a) on the batch's own actions. The algorithms pair these single-network steps with
    /// their actors' on the two threads. Every evaluation of a critic or target draws new dropout
    /// masks from that network's own stream (DroQ keeps its critics in training mode throughout:
    /// the targets' y and the actor's loss see dropout too), so the draws do not depend on which
    /// thread runs which critic.
    func evaluate(_ i: Int, _ batch: ReplayBatch) {
        batch.loadCriticInput(into: workspaces[i], next: false, actions: nil, rows: 0..<batch.size)
        critics[i].forward(workspaces[i], batch: batch.size)
    }

    /// Q′_i(s′, a′) for next actions `nextActions` (batch × action size).
    func evaluateTarget(_ i: Int, _ batch: ReplayBatch, nextActions: UnsafePointer<Float>) {
        batch.loadCriticInput(into: targetWorkspaces[i], next: true, actions: nextActions, rows: 0..<batch.size)
        targets[i].forward(targetWorkspaces[i], batch: batch.size)
    }

    /// y for every row from `targetRow(b, Q′₁, Q′₂)`, after both `evaluateTarget`s.
    func setTargets(batch n: Int, _ targetRow: (Int, Float, Float) -> Float) {
        for b in 0..<n { y[b] = targetRow(b, targetWorkspaces[0].output[b], targetWorkspaces[1].output[b]) }
    }

    /// One Adam step of each critic on mean (Q − y)², after `evaluate` and `setTargets`.
    func step(batch n: Int) -> UpdateStatistics {
        var losses: [(loss: Float, meanQ: Float)] = [(0, 0), (0, 0)]
        losses.withUnsafeMutableBufferPointer { losses in
            both { i in
                losses[i] = squaredError(self.workspaces[i], targets: self.y, batch: n)
                self.critics[i].backward(self.workspaces[i], batch: n)
                self.optimizers[i].step()
            }
        }
        return UpdateStatistics(criticLoss: losses[0].loss, meanQ: losses[0].meanQ, secondCriticLoss: losses[1].loss, secondMeanQ: losses[1].meanQ)
    }

    /// Q(s, a) of the first critic (`which: [0]`) or of both, for `actions` (batch × action size),
    /// with the observation columns still holding s from `evaluate`.
    func evaluate(_ batch: ReplayBatch, actions: UnsafePointer<Float>, which: [Int]) {
        let run = { (i: Int) in
            batch.replaceCriticActions(in: self.workspaces[i], with: actions, rows: 0..<batch.size)
            self.critics[i].forward(self.workspaces[i], batch: batch.size)
        }
        if which.count == 2 { both(run) } else { run(which[0]) }
    }

    /// dL/da into `actionGradient` (batch × action size), given dL/dQ already written into each
    /// critic's output gradient, without the critics' own parameter gradients.
    func actionGradient(_ batch: ReplayBatch, which: [Int], into actionGradient: FloatBuffer) {
        let n = batch.size
        let o = batch.observationSize
        let a = batch.actionSize
        let run = { (i: Int) in self.critics[i].propagate(self.workspaces[i], rows: 0..<n, inputGradient: true) }
        if which.count == 2 { both(run) } else { run(which[0]) }
        for b in 0..<n {
            for j in 0..<a {
                var sum: Float = 0
                for i in which { sum += workspaces[i].inputGradient[b * (o + a) + o + j] }
                actionGradient[b * a + j] = sum
            }
        }
    }

    /// θ′ ← τ·θ + (1 − τ)·θ′ for both targets, `slice` of each layer.
    func blend(tau: Float, slice: Slice) {
        for (critic, target) in zip(critics, targets) { critic.blend(into: target, tau: tau, slice: slice) }
    }

    var networks: [(name: String, network: MLP)] {
        [("critic", critics[0]), ("critic2", critics[1]), ("target_critic", targets[0]), ("target_critic2", targets[1])]
    }

    var namedOptimizers: [(name: String, optimizer: Adam)] { [("optimizer.critic", optimizers[0]), ("optimizer.critic2", optimizers[1])] }
}
