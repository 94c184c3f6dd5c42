import Foundation
import TestSupport
import XCTest

/// A description's `actuation` section as a user meets it: described, trained and run through, counted in `run`'s report.
final class ActuationCommandTests: XCTestCase {
    func testAPolicyTrainsEvaluatesAndRunsThroughTheFiltersAndRunCountsThem() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-actuation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let reacher = try String(contentsOfFile: RepositoryFiles.path("robots/reacher.yaml"), encoding: .utf8)
        let filtered = directory.appendingPathComponent("reacher-filtered.yaml").path
        // 10 N·m/s is 0.2 N·m per 50 Hz period: any action of an untrained actor is rate limited.
        try (reacher + "\nactuation:\n  action_time_constant: 0.04\n  torque_rate_limit: 10\n")
            .write(toFile: filtered, atomically: true, encoding: .utf8)

        let described = try CommandRunner.armature(["describe", filtered])
        XCTAssertEqual(described.status, 0, described.stderr)
        XCTAssertTrue(described.stdout.contains("actuation: action low-pass 0.04 s, torque rate limit 10, 10 N·m/s"), described.stdout)

        let run = directory.appendingPathComponent("run").path
        let trained = try CommandRunner.armature([
            "train", "--robot", filtered, "--steps", "50", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "25",
            "--checkpoint-every", "0", "--out", run,
        ])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let policy = run + "/actor.safetensors"

        let evaluated = try CommandRunner.armature([
            "eval", "--robot", filtered, "--policy", policy, "--episodes", "1", "--summary", run + "/eval.json",
        ])
        XCTAssertEqual(evaluated.status, 0, evaluated.stderr)

        let simulatedRun = ["--policy", policy, "--sim", "--episodes", "1", "--as-fast-as-possible"]
        let ran = try CommandRunner.armature(["run", "--robot", filtered] + simulatedRun)
        XCTAssertEqual(ran.status, 0, ran.stderr)
        XCTAssertFalse(ran.stderr.contains("description changed"), "trained with the same filters: \(ran.stderr)")
        let report = try XCTUnwrap(ran.stdout.split(separator: "\n").first { $0.hasPrefix("guard interventions:") })
        XCTAssertTrue(report.contains("smoothed commands 50,"), "every command of the 50-step episode is smoothed: \(report)")
        let rateLimited = try XCTUnwrap(report.split(separator: " ").last.flatMap { Int($0) })
        XCTAssertGreaterThan(rateLimited, 0, String(report))

        let unfiltered = try CommandRunner.armature(["run", "--robot", "robots/reacher.yaml"] + simulatedRun)
        XCTAssertEqual(unfiltered.status, 0, unfiltered.stderr)
        XCTAssertTrue(
            unfiltered.stderr.contains("the description changed since training"), "a policy meeting other filters is warned about: \(unfiltered.stderr)")
        XCTAssertTrue(unfiltered.stdout.contains("smoothed commands 0, rate-limited torques 0"), unfiltered.stdout)
    }
}
