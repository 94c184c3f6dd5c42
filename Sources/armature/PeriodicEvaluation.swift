import Foundation
import Training

/// `train --eval-every N`: every N steps (at the next episode boundary), the deterministic actor
/// on the robot's own simulated plant, a fixed set of episodes (the same goals every time), logged
/// as `eval/return`, `eval/final_distance` and `eval/success_rate` and printed, so a learning
/// curve and the step at which a return was first reached come from the run itself.
struct PeriodicEvaluation {
    let robotPath: String
    let previousAction: Bool
    let every: Int
    let episodes: Int
    let seed: UInt64
    private var next: Int

    init(robotPath: String, previousAction: Bool, every: Int, episodes: Int, seed: UInt64, from step: Int) {
        self.robotPath = robotPath
        self.previousAction = previousAction
        self.every = every
        self.episodes = episodes
        self.seed = seed
        next = every > 0 ? (step / every + 1) * every : Int.max
    }

    /// Evaluates when the trainer has passed the next multiple of `every`, after `before` (the
    /// training arm switched off: evaluating outlasts a device's watchdog; the next reset
    /// switches it on again).
    mutating func runIfDue(_ trainer: Trainer, log: ScalarSink, before: () -> Void = {}) throws {
        guard trainer.step >= next else { return }
        before()
        next = (trainer.step / every + 1) * every
        // A fresh arm and task: the training environment's random streams are left as they are.
        let reach = try SimulatedReach(robotPath: robotPath, previousAction: previousAction)
        defer { reach.arm.deactivate() }
        let actor = trainer.actorPolicy
        let result = try reach.task.evaluate(episodes: episodes, seed: seed, act: { actor.act(observation: $0, into: &$1) })
        try log.record(result.meanReturn, tag: "eval/return", step: trainer.step)
        try log.record(result.meanFinalDistance, tag: "eval/final_distance", step: trainer.step)
        try log.record(result.successRate, tag: "eval/success_rate", step: trainer.step)
        print(
            String(
                format: "eval at step %d: return %.3f ± %.3f, final distance %.2f cm, %.0f%% within %.0f cm (%d episodes)", trainer.step,
                result.meanReturn, result.returnStandardDeviation, result.meanFinalDistance * 100, result.successRate * 100,
                result.successRadius * 100, episodes))
    }
}
