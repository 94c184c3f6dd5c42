import Foundation
import TestSupport
import XCTest

/// Numbers a careless user or a damaged file supplies: each is refused with its bound named, before
/// anything runs, and never ends in a trap or a run that "succeeds" with NaN.
final class HostileValueTests: XCTestCase {
    func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory
    }

    /// A NaN γ, a negative τ or an infinite learning rate trains an actor of NaN whose clamped
    /// exploration actions are full torque: refused before anything runs or is written.
    func testTrainingRefusesNonFiniteAndOutOfRangeHyperparameters() throws {
        let out = try temporaryDirectory().appendingPathComponent("run").path
        let cases: [([String], String)] = [
            (["--gamma", "nan"], "--gamma must be at least 0.0 and at most 1.0 (got nan)"),
            (["--tau=-1"], "--tau must be greater than 0.0"),
            (["--actor-learning-rate", "inf"], "--actor-learning-rate must be greater than 0.0"),
            (["--critic-learning-rate", "0"], "--critic-learning-rate"),
            (["--noise-sigma", "nan"], "--noise-sigma"),
            (["--buffer-size", "0"], "--buffer-size must be from 1"),
            (["--batch-size", "1000000000000"], "--batch-size must be from 1 to 65536"),
            (["--hidden", "100000000"], "--hidden must be 1 to 8 widths"),
            (["--learning-starts=-5"], "--learning-starts"),
            (["--steps", "9223372036854775807"], "--steps must be from 1"),
        ]
        for (options, message) in cases {
            assertUsageError(try CommandRunner.armature(["train", "--out", out, "--steps", "100"] + options), mentions: message)
            XCTAssertFalse(FileManager.default.fileExists(atPath: out), "\(options): nothing may be written")
        }
    }

    /// Counts and durations past what the loop can represent used to trap (status 132/134).
    func testRunAndRolloutRefuseAbsurdCountsAndDurations() throws {
        let policy = "runs/none.safetensors"
        let cases: [([String], String)] = [
            (["run", "--sim", "--policy", policy, "--episodes", "9223372036854775807"], "--episodes must be from 1 to 1000000000"),
            (["run", "--sim", "--policy", policy, "--duration", "inf"], "--duration must be more than 0"),
            (["run", "--sim", "--policy", policy, "--duration", "1e300"], "at most 31536000 s"),
            (["run", "--sim", "--policy", policy, "--rate-hz", "1e-300"], "--rate-hz must be at least 0.01"),
            (["rollout", "--latency", "1000000000000"], "--latency must be from 0 to 1000"),
            (["rollout", "--stiffness", "nan"], "--stiffness"),
            (["eval", "--policy", policy, "--episodes", "9223372036854775807"], "--episodes"),
            (["bench", "--seconds", "inf"], "--seconds"),
            (["emulate", "--robot", "robots/reacher.yaml", "--watchdog-ms", "1e300"], "--watchdog-ms"),
            (["run", "--port", "/dev/null", "--policy", policy, "--lost-replies", "0"], "--lost-replies must be from 1 to 10"),
            (["run", "--sim", "--policy", policy, "--lost-replies", "2"], "--lost-replies is about the serial link; give --port"),
            (["train", "--out", "runs/none", "--port", "/dev/null", "--lost-replies", "11"], "--lost-replies must be from 1 to 10"),
        ]
        for (arguments, message) in cases {
            assertUsageError(try CommandRunner.armature(arguments, timeout: 30), mentions: message)
        }
    }

    /// A rate of 1e-300 Hz crashed `describe`, a timeout of 1e11 s crashed `run --port`, and a
    /// torque range of ±1e308 or a density of 1e300 passed `validate` and made `rollout` print NaN.
    func testDescriptionsPastPhysicalBoundsAreRefusedByEveryCommand() throws {
        let reacher = try String(contentsOfFile: RepositoryFiles.path("robots/reacher.yaml"), encoding: .utf8)
        let directory = try temporaryDirectory()
        let edits: [(String, String, String, String)] = [
            ("rate_hz: 50", "rate_hz: 1e-300", "control.rate_hz", "allowed from 0.01 to 100000 Hz"),
            ("{low: -200, high: 200}", "{low: -1e308, high: 1e308}", "torque.low", "allowed from -1000000 to 1000000 N·m"),
            ("density: 1000", "density: 1e300", "density", "allowed from 0.01 to 100000 kg/m³"),
        ]
        for (original, replacement, field, bound) in edits {
            XCTAssertTrue(reacher.contains(original), "reacher.yaml no longer contains '\(original)'")
            let path = directory.appendingPathComponent("\(field).yaml").path
            try reacher.replacingOccurrences(of: original, with: replacement).write(toFile: path, atomically: true, encoding: .utf8)
            for command in [["validate", path], ["describe", path], ["rollout", "--robot", path, "--episodes", "1"]] {
                let result = try CommandRunner.armature(command, timeout: 30)
                assertUserError(result, mentions: bound)
                XCTAssertTrue(result.stderr.contains(field), result.stderr)
                XCTAssertFalse(result.stdout.lowercased().contains("nan"), result.stdout)
            }
        }
    }

    /// A multi-gigabyte file given where a robot description or a policy belongs is refused from
    /// its size before a byte is read (a sparse file here, so the test costs no disk).
    func testHugeInputFilesAreRefusedBeforeTheyAreRead() throws {
        let directory = try temporaryDirectory()
        let huge = directory.appendingPathComponent("huge").path
        XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: nil))
        XCTAssertEqual(truncate(huge, 3 << 30), 0)
        // 1.5 GB of address space: reading the file whole first fails with a meaningless error.
        let limit = 1_500_000_000
        assertUserError(
            try CommandRunner.armature(["describe", huge], timeout: 20, addressSpaceLimit: limit),
            mentions: "3221225472 bytes; a robot description is at most 1048576")
        assertUserError(
            try CommandRunner.armature(["eval", "--policy", huge, "--episodes", "1"], timeout: 20, addressSpaceLimit: limit),
            mentions: "more than the 1073741824")
    }

    /// `replay` streams: rows are read, simulated and written one at a time, so a long action file
    /// needs no memory in proportion to it; CRLF files and a last line without a break are read,
    /// and a bad row leaves no output behind.
    func testReplayStreamsLongActionFilesAndLeavesNothingOnABadRow() throws {
        let directory = try temporaryDirectory()
        let actions = directory.appendingPathComponent("actions.csv").path
        let out = directory.appendingPathComponent("trajectory.csv").path
        var text = "a0,a1\r\n"
        for i in 0..<20_000 { text += "\(Double(i % 7) / 7),-0.5\r\n" }
        text += "0.1,0.1"
        try text.write(toFile: actions, atomically: true, encoding: .utf8)
        let result = try CommandRunner.armature(["replay", "--robot", "robots/reacher.yaml", "--actions", actions, "--out", out], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("20001 steps"), result.stdout)
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 20_002)
        XCTAssertTrue(lines.last!.hasPrefix("20001,"), String(lines.last!))

        try (text + "\r\n0.2,nan").write(toFile: actions, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: out)
        assertUserError(
            try CommandRunner.armature(["replay", "--robot", "robots/reacher.yaml", "--actions", actions, "--out", out], timeout: 120),
            mentions: "actions.csv:20003: column a1: 'nan' is not a finite number")
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no partial trajectory")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted(), ["actions.csv"], "no temporary file left")
    }
}
