import ArgumentParser
import DeterministicRandom
import Foundation
import Hardware
import MonotonicTime
import RobotModel
import Tasks

/// `armature rollout`: run a simple controller on the simulated reach task and report statistics.
struct Rollout: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run episodes of the reach task on the simulated arm with a simple controller; print returns and distances.",
        discussion: """
            Controllers: scripted (Jacobian-transpose reaching, the baseline a learned policy
            must beat), random (uniform actions), zero (no torque). Episodes follow Gymnasium
            Reacher-v5: 50 steps, reward −distance − Σa², target in a 0.2 m disk.
            """
    )

    enum Controller: String, ExpressibleByArgument, CaseIterable {
        case scripted, random, zero
    }

    @Option(help: "Robot description (YAML) with two joints.")
    var robot: String = "robots/reacher.yaml"
    @Option(help: "Controller: \(Controller.allCases.map(\.rawValue).joined(separator: ", ")).")
    var controller: Controller = .scripted
    @Option(help: "Number of episodes.")
    var episodes: Int = 10
    @Option(help: "Random seed for targets, initial states and the random controller.")
    var seed: UInt64 = 1
    @Option(help: "Scripted controller: normalized action per unit of Jᵀ·(target − tip), 1/m².")
    var stiffness: Double = 20
    @Option(help: "Scripted controller: normalized action per rad/s of joint speed.")
    var damping: Double = 0.06
    @Option(help: "Position noise on reported joint angles, rad, on top of the robot's reality_gap.position_noise.")
    var positionNoise: Double = 0
    @Option(help: "Actuation latency in whole control periods, on top of the robot's reality_gap.latency.")
    var latency: Int = 0

    func validate() throws {
        try OptionBounds.require("--episodes", episodes, in: 1...OptionBounds.mostEpisodes)
        try OptionBounds.require("--position-noise", positionNoise, above: 0, inclusive: true, upTo: 1, unit: "rad")
        try OptionBounds.require("--latency", latency, in: 0...1000)
        try OptionBounds.require("--stiffness", stiffness, above: 0, inclusive: true, upTo: 1e6, unit: "per m²")
        try OptionBounds.require("--damping", damping, above: 0, inclusive: true, upTo: 1e6, unit: "per rad/s")
    }

    func run() throws {
        let description = try loadRobot(robot)
        // The options add to the description's own gap: one model of the gap, whoever sets it.
        var gap = description.realityGap
        gap.positionNoise = gap.positionNoise.map { $0 + positionNoise }
        gap.latency += Double(latency) * description.control.period
        let arm = SimulatedArm(robot: description, gap: gap, seed: seed)
        let task = ReachEnvironment(robot: description, backend: arm)
        let scripted = ScriptedReacher(linkLengths: description.links.map(\.length), stiffness: stiffness, damping: damping)
        var random = Xoshiro256(seed: seed &+ 0x5EED)
        defer { arm.deactivate() }

        print("\(controller.rawValue) controller on \(description.name), \(episodes) episodes of \(task.maxEpisodeSteps) steps, seed \(seed)")
        let started = MonotonicClock.seconds()
        let result = try task.evaluate(
            episodes: episodes, seed: seed,
            act: { observation, action in
                switch controller {
                case .scripted: scripted.act(observation: observation, into: &action)
                case .random: for i in action.indices { action[i] = random.uniform(-1, 1) }
                case .zero: for i in action.indices { action[i] = 0 }
                }
            },
            onEpisode: { episode, total, distance in
                print(String(format: "episode %3d  return %8.3f  final distance %.4f m", episode + 1, total, distance))
            })
        let seconds = MonotonicClock.seconds() - started
        let steps = Double(episodes * task.maxEpisodeSteps)
        printSummary(result)
        print(String(format: "simulated %.0f control steps in %.3f s (%.0f steps/s); guard interventions %d", steps, seconds, steps / max(seconds, 1e-9), task.interventions.total))
    }
}

/// The summary lines shared by `rollout` and `eval`.
func printSummary(_ result: ReachEvaluation) {
    print(String(format: "return %.3f ± %.3f over %d episodes", result.meanReturn, result.returnStandardDeviation, result.returns.count))
    print(String(format: "final distance mean %.4f m; success (< %.0f cm) %.0f%% (%d/%d)", result.meanFinalDistance, result.successRadius * 100, result.successRate * 100, Int((result.successRate * Double(result.returns.count)).rounded()), result.returns.count))
}
