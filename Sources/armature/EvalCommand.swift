import ArgumentParser
import FileAccess
import Foundation
import Policy
import RobotModel
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
    @Option(help: "Robustness report: evaluate on every plant of this grid (a YAML list, see robots/README.md) or `default` (the built-in grid: each gap alone at a few strengths, and combined) and print return, control cost (Σ a², the effort part of the return), final distance, success and the loss against nominal per condition; CSV and JSON beside the summary.")
    var perturb: String?
    @Option(help: ArgumentHelp(Recording.help, valueName: "file.mcap"))
    var record: String?

    func validate() throws {
        try OptionBounds.require("--episodes", episodes, in: 1...OptionBounds.mostEpisodes)
        // A recording follows one arm through one run of episodes; a robustness report runs a fresh
        // arm per plant, whose episodes one file's numbering could not tell apart.
        if perturb != nil && record != nil {
            throw ValidationError("--record records an evaluation on the robot's own plant; run it without --perturb")
        }
    }

    func run() throws {
        if let perturb { return try runRobustness(grid: perturb) }
        let reach = try SimulatedReach(robotPath: robot, previousAction: try policyObservesPreviousAction(policy))
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

extension Eval {
    /// `--perturb`: the deterministic actor on every plant of the grid, one table, CSV and JSON.
    func runRobustness(grid: String) throws {
        let reach = try SimulatedReach(robotPath: robot, previousAction: try policyObservesPreviousAction(policy))
        let actor = try reach.task.loadPolicy(policy)
        let conditions: [PlantVariation]
        do {
            conditions = grid == "default" ? PlantVariation.standardGrid : try PlantVariation.load(path: grid)
        } catch {
            throw UserFacingError(error.description)
        }
        print("\(policy) on \(reach.robot.name) under \(conditions.count) plants, \(episodes) episodes each, seed \(seed)")
        print(Self.robustnessHeader)
        let report = try RobustnessReport.evaluate(
            robot: reach.robot, conditions: conditions, episodes: episodes, seed: seed,
            previousAction: reach.task.layout.includesPreviousAction, act: { actor.act(observation: $0, into: &$1) })
        for row in report.rows { print(Self.robustnessLine(row)) }
        let base = summary.map { URL(fileURLWithPath: $0).deletingPathExtension().path }
            ?? URL(fileURLWithPath: policy).deletingLastPathComponent().appendingPathComponent("robustness-seed\(seed)").path
        do {
            try AtomicFile.write(Array(Self.robustnessCSV(report).utf8), to: base + ".csv")
        } catch {
            throw UserFacingError(error.description)
        }
        try writeJSON(report, to: base + ".json")
        print("report → \(base).csv, \(base).json")
    }

    static let robustnessHeader = padded("condition") + "    return   ± std  control  distance  success     loss"

    static func robustnessLine(_ row: RobustnessReport.Row) -> String {
        let e = row.evaluation
        return padded(row.condition.name) + String(
            format: " %9.3f %7.3f %8.3f %8.4fm %7.0f%% %8.3f", e.meanReturn, e.returnStandardDeviation, e.meanControlCost, e.meanFinalDistance,
            e.successRate * 100, row.lossAgainstNominal)
    }

    /// A condition's name in a fixed-width column, counted in characters (names hold × and ±).
    private static func padded(_ name: String) -> String {
        name.count >= 26 ? name : name + String(repeating: " ", count: 26 - name.count)
    }

    /// condition, the plant's fields, then the results: one row per condition.
    static func robustnessCSV(_ report: RobustnessReport) -> String {
        let fields = PlantRandomization.fields
        var text = (["condition"] + fields.map(\.name) + ["mean_return", "std_return", "mean_control_cost", "mean_final_distance", "success_rate", "loss_against_nominal"])
            .joined(separator: ",") + "\n"
        for row in report.rows {
            let name = "\"" + row.condition.name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            let values = fields.map { row.condition[keyPath: $0.value] }
                + [row.evaluation.meanReturn, row.evaluation.returnStandardDeviation, row.evaluation.meanControlCost, row.evaluation.meanFinalDistance,
                   row.evaluation.successRate, row.lossAgainstNominal]
            text += ([name] + values.map { String(format: "%.6g", $0) }).joined(separator: ",") + "\n"
        }
        return text
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
