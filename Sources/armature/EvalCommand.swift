import ArgumentParser
import FileAccess
import Foundation
import Policy
import Tasks

/// `armature eval`: the deterministic actor on the simulated reach task.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a policy (deterministic actor, no noise) on the simulated reach task.",
        discussion: """
            Prints mean ± std return, mean final fingertip distance and the success rate (final \
            distance < 1 cm), and writes the same as JSON (--summary, default next to the policy).
            """
    )

    @Option(help: "Robot description (YAML) the policy was trained for.")
    var robot: String = "robots/reacher.yaml"
    @Option(help: "Policy file (actor.safetensors).")
    var policy: String
    @Option(help: "Number of episodes.")
    var episodes: Int = 100
    @Option(help: "Random seed for targets and initial states.")
    var seed: UInt64 = 1
    @Option(help: "Where to write the JSON summary (default: eval-seed<S>.json beside the policy); a regular file or a link to one, replaced whole.")
    var summary: String?
    @Flag(help: "Print every episode.")
    var verbose = false
    @Option(help: ArgumentHelp(Recording.help, valueName: "file.mcap"))
    var record: String?

    func validate() throws {
        try OptionBounds.require("--episodes", episodes, in: 1...OptionBounds.mostEpisodes)
    }

    func run() throws {
        let reach = try SimulatedReach(robotPath: robot)
        let actor = try reach.task.loadPolicy(policy)
        defer { reach.arm.deactivate() }
        let recorder = try Recording.open(record, robot: reach.robot, pacing: .simulated(period: reach.arm.controlPeriod))
        reach.task.observer = recorder
        defer { Recording.close(recorder) }
        let result = try reach.task.evaluate(
            episodes: episodes, seed: seed, act: { actor.act(observation: $0, into: &$1) },
            onEpisode: { episode, total, distance in
                if verbose { print(String(format: "episode %3d  return %8.3f  final distance %.4f m", episode + 1, total, distance)) }
            })
        print("\(policy) on \(reach.robot.name), \(episodes) episodes, seed \(seed)")
        printSummary(result)
        let path = summary ?? URL(fileURLWithPath: policy).deletingLastPathComponent().appendingPathComponent("eval-seed\(seed).json").path
        try writeJSON(EvalSummary(policy: policy, robot: reach.robot.name, seed: seed, episodes: episodes, result: result), to: path)
        print("summary → \(path)")
    }
}

/// The JSON an evaluation writes.
struct EvalSummary: Codable {
    var policy: String
    var robot: String
    var seed: UInt64
    var episodes: Int
    var meanReturn: Double
    var stdReturn: Double
    var meanFinalDistance: Double
    var successRate: Double
    var returns: [Double]
    var finalDistances: [Double]

    init(policy: String, robot: String, seed: UInt64, episodes: Int, result: ReachEvaluation) {
        self.policy = policy
        self.robot = robot
        self.seed = seed
        self.episodes = episodes
        meanReturn = result.meanReturn
        stdReturn = result.returnStandardDeviation
        meanFinalDistance = result.meanFinalDistance
        successRate = result.successRate
        returns = result.returns
        finalDistances = result.finalDistances
    }
}

/// Writes `value` as JSON through `AtomicFile` (only a regular file, or a link to one, is replaced).
func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    do {
        try AtomicFile.write(Array(try encoder.encode(value)), to: path)
    } catch let error as FileError {
        throw UserFacingError(error.description)
    }
}
