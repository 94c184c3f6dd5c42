import Foundation
import TestSupport
import XCTest

/// Domain randomization and the robustness report as a user meets them: `train --randomize`,
/// `eval --perturb` with the default grid and with a grid file, and their refusals.
final class RobustnessCommandTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-robustness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { [directory] in try? FileManager.default.removeItem(at: directory!) }
    }

    /// A tiny randomized run: its actor is what the report evaluates.
    private func trainRandomized() throws -> String {
        let run = directory.appendingPathComponent("run").path
        let trained = try CommandRunner.armature([
            "train", "--robot", "robots/reacher.yaml", "--randomize", "--steps", "100", "--hidden", "8,8", "--batch-size", "8",
            "--learning-starts", "50", "--checkpoint-every", "0", "--out", run,
        ])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let scalars = try String(contentsOfFile: run + "/scalars.csv", encoding: .utf8)
        let draws = scalars.split(separator: "\n").filter { $0.contains(",randomization/friction_fraction,") }
        XCTAssertEqual(draws.count, 2, "one plant logged per 50-step episode")
        return run + "/actor.safetensors"
    }

    func testTheDefaultGridPrintsEveryConditionAndWritesCSVAndJSONThatAgree() throws {
        let policy = try trainRandomized()
        let base = directory.appendingPathComponent("report").path
        let result = try CommandRunner.armature([
            "eval", "--robot", "robots/reacher.yaml", "--policy", policy, "--perturb", "default", "--episodes", "2", "--summary",
            base + ".json",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let rows = result.stdout.split(separator: "\n").filter { !$0.hasPrefix("condition") && !$0.contains(" under ") && !$0.hasPrefix("report") }
        XCTAssertEqual(rows.count, 18, result.stdout)
        XCTAssertTrue(rows[0].hasPrefix("nominal"), String(rows[0]))
        XCTAssertTrue(rows[0].hasSuffix("0.000"), "no loss against itself: \(rows[0])")

        let csv = try String(contentsOfFile: base + ".csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.count, 19, "header and one row per condition")
        XCTAssertTrue(csv[0].hasPrefix("condition,mass_scale,rotor_inertia_scale"), String(csv[0]))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: base + ".json"))) as? [String: Any]
        let jsonRows = try XCTUnwrap(json?["rows"] as? [[String: Any]])
        XCTAssertEqual(jsonRows.count, 18)
        // The CSV's loss column is the JSON's, condition by condition.
        for (line, row) in zip(csv.dropFirst(), jsonRows) {
            let csvLoss = try XCTUnwrap(Double(String(line.split(separator: ",").last!)))
            let jsonLoss = try XCTUnwrap(row["loss_against_nominal"] as? Double)
            XCTAssertEqual(csvLoss, jsonLoss, accuracy: 1e-5 * max(1, abs(jsonLoss)), String(line))
        }
    }

    func testAGridFileIsEvaluatedInItsOwnOrderAndABadOneNamesItsLine() throws {
        let policy = try trainRandomized()
        let grid = directory.appendingPathComponent("grid.yaml").path
        try "- {name: nominal}\n- {name: heavy, rotor_inertia_scale: 1.5}\n- {name: sticky, friction_fraction: 0.1, latency_periods: 1}\n"
            .write(toFile: grid, atomically: true, encoding: .utf8)
        let result = try CommandRunner.armature([
            "eval", "--robot", "robots/reacher.yaml", "--policy", policy, "--perturb", grid, "--episodes", "1",
            "--summary", directory.appendingPathComponent("grid-report.json").path,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let names = result.stdout.split(separator: "\n").compactMap { $0.split(separator: " ").first }.filter { ["nominal", "heavy", "sticky"].contains($0) }
        XCTAssertEqual(names, ["nominal", "heavy", "sticky"], result.stdout)

        try "- {name: nominal}\n- {name: heavy, rotor_inertia_scal: 1.5}\n".write(toFile: grid, atomically: true, encoding: .utf8)
        assertUserError(
            try CommandRunner.armature(["eval", "--robot", "robots/reacher.yaml", "--policy", policy, "--perturb", grid, "--episodes", "1"]),
            mentions: "grid.yaml:2")
        try "- {name: nominal}\n- {name: weak, torque_gain_scale: -1}\n".write(toFile: grid, atomically: true, encoding: .utf8)
        assertUserError(
            try CommandRunner.armature(["eval", "--robot", "robots/reacher.yaml", "--policy", policy, "--perturb", grid, "--episodes", "1"]),
            mentions: "grid.yaml:2")
    }

    func testRandomizingARealArmIsRefused() throws {
        let result = try CommandRunner.armature([
            "train", "--robot", "robots/reacher.yaml", "--randomize", "--port", "/dev/null", "--steps", "100",
            "--out", directory.appendingPathComponent("hil").path,
        ])
        XCTAssertEqual(result.status, 1, result.stderr)
        XCTAssertTrue(result.stderr.lowercased().contains("randomiz"), result.stderr)
    }

    func testAPolicyThatObservesItsPreviousActionIsEvaluatedAndRunWithThatLayout() throws {
        let run = directory.appendingPathComponent("memory").path
        let trained = try CommandRunner.armature([
            "train", "--robot", "robots/reacher.yaml", "--observe-previous-action", "--steps", "100", "--hidden", "8,8",
            "--batch-size", "8", "--learning-starts", "50", "--checkpoint-every", "0", "--out", run,
        ])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let policy = run + "/actor.safetensors"
        for arguments in [
            ["eval", "--robot", "robots/reacher.yaml", "--policy", policy, "--episodes", "1", "--summary", run + "/eval.json"],
            ["eval", "--robot", "robots/reacher.yaml", "--policy", policy, "--episodes", "1", "--perturb", "default", "--summary", run + "/robust.json"],
            ["run", "--robot", "robots/reacher.yaml", "--policy", policy, "--sim", "--episodes", "1", "--as-fast-as-possible"],
        ] {
            let result = try CommandRunner.armature(arguments)
            XCTAssertEqual(result.status, 0, "\(arguments[0]): \(result.stderr)")
        }
        // The layout is in the file, so another program deploying it knows to append the previous action.
        let header = try Data(contentsOf: URL(fileURLWithPath: policy))
        XCTAssertNotNil(String(decoding: header.prefix(4096), as: UTF8.self).range(of: "reacher-v5+previous-action"))
    }
}
