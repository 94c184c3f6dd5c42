import Foundation
import TestSupport
import XCTest

/// `--record FILE.mcap` as a user runs it: every command's recording read back with the `mcap`
/// package (seeking and streaming readers, every message checked against its schema) and compared
/// with what the command printed; a run killed with SIGKILL keeps every chunk it wrote whole.
final class RecordingCommandTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    /// (episode, return, final distance) from the `episode   N  return  R  final distance D m` lines.
    private func printedEpisodes(_ output: String) -> [(Int, Double, Double)] {
        output.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            guard words.count == 8, words[0] == "episode", words[2] == "return", let episode = Int(words[1]),
                let value = Double(words[3]), let distance = Double(words[6])
            else { return nil }
            return (episode, value, distance)
        }
    }

    private func assertRecording(_ check: RecordingCheck, matches output: String, file: StaticString = #filePath, line: UInt = #line) {
        let printed = printedEpisodes(output)
        XCTAssertFalse(printed.isEmpty, output, file: file, line: line)
        XCTAssertEqual(check.episodes.map(\.episode), printed.map(\.0), file: file, line: line)
        for (recorded, (_, value, distance)) in zip(check.episodes, printed) {
            // Printed with three and four decimals.
            XCTAssertEqual(recorded.return, value, accuracy: 0.0005, file: file, line: line)
            XCTAssertEqual(recorded.finalDistance, distance, accuracy: 0.00005, file: file, line: line)
            XCTAssertEqual(check.rewardSums["\(recorded.episode)"] ?? .nan, recorded.return, accuracy: 1e-9, file: file, line: line)
        }
    }

    func testRolloutRecordingHoldsThePrintedReturns() throws {
        let path = try temporaryDirectory() + "/rollout.mcap"
        let rollout = try CommandRunner.armature(["rollout", "--episodes", "3", "--seed", "4", "--record", path])
        XCTAssertEqual(rollout.status, 0, rollout.stderr)
        XCTAssertTrue(rollout.stdout.contains("recording: "), rollout.stdout)
        let check = try RecordingCheck.read(path)
        assertRecording(check, matches: rollout.stdout)
        XCTAssertEqual(check.topics["/joint_state"], 150)
        XCTAssertEqual(check.recorder?.droppedSamples, 0)
        XCTAssertTrue(check.metadata?["command"]?.hasSuffix("rollout --episodes 3 --seed 4 --record \(path)") ?? false, "\(String(describing: check.metadata))")
    }

    func testEvalRecordingHoldsTheSummarysReturnsAndTrainingEveryNthEpisode() throws {
        let directory = try temporaryDirectory()
        let training = directory + "/train.mcap"
        let train = try CommandRunner.armature([
            "train", "--steps", "300", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "100", "--checkpoint-every", "0",
            "--out", directory + "/run", "--record", training, "--record-every", "2",
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertEqual(try RecordingCheck.read(training).episodes.map(\.episode), [1, 3, 5])

        let path = directory + "/eval.mcap"
        let summaryPath = directory + "/eval.json"
        let eval = try CommandRunner.armature([
            "eval", "--policy", directory + "/run/actor.safetensors", "--episodes", "2", "--summary", summaryPath, "--record", path,
        ])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summaryPath))) as? [String: Any]
        let returns = try XCTUnwrap(summary?["returns"] as? [Double])
        let recorded = try RecordingCheck.read(path).episodes.map(\.return)
        XCTAssertEqual(recorded.count, returns.count)
        // Foundation's JSON writes 15 to 16 digits; the recording keeps every bit.
        for (value, expected) in zip(recorded, returns) { XCTAssertEqual(value, expected, accuracy: 1e-12) }
    }

    func testRunThroughTheEmulatorRecordsTimingAndTheLinkAndTheEmulatorRecordsItsArm() throws {
        let directory = try temporaryDirectory()
        let policy = try CommandRunner.tinyPolicy(in: directory)
        let link = directory + "/arm"
        let deviceRecording = directory + "/device.mcap"
        let emulator = try RunningCommand(["emulate", "--robot", "robots/reacher.yaml", "--link", link, "--record", deviceRecording])
        defer { if emulator.process.isRunning { emulator.send(SIGKILL) } }
        XCTAssertTrue(emulator.waitForOutput(containing: "press Ctrl-C", timeout: 20), emulator.standardError)

        let path = directory + "/run.mcap"
        let run = try CommandRunner.armature(
            ["run", "--policy", policy, "--port", link, "--episodes", "2", "--record", path], timeout: 60)
        XCTAssertEqual(run.status, 0, run.stderr)
        let check = try RecordingCheck.read(path)
        assertRecording(check, matches: run.stdout)
        XCTAssertEqual(check.topics["/loop_timing"], 100)
        XCTAssertEqual(check.topics["/joint_state"], 100)
        XCTAssertGreaterThanOrEqual(check.topics["/link"] ?? 0, 2)
        // The per-step guard reports add up to the run's printed totals.
        let printed = try XCTUnwrap(run.stdout.split(separator: "\n").first { $0.hasPrefix("guard interventions:") })
        let expected =
            "guard interventions: effort \(check.guardTotals["effort_clamps"] ?? -1), position \(check.guardTotals["position_cuts"] ?? -1), "
            + "velocity \(check.guardTotals["velocity_cuts"] ?? -1), non-finite \(check.guardTotals["non_finite_rejections"] ?? -1), "
            + "wrong size \(check.guardTotals["wrong_size_rejections"] ?? -1)"
        XCTAssertEqual(String(printed), expected)
        XCTAssertEqual(check.guardMismatches, 0)

        emulator.send(SIGTERM)
        XCTAssertTrue(emulator.waitForExit(timeout: 20))
        XCTAssertEqual(emulator.process.terminationStatus, 0, emulator.standardError)
        let device = try RecordingCheck.read(deviceRecording)
        XCTAssertGreaterThan(device.topics["/joint_state"] ?? 0, 0)
        XCTAssertEqual(device.topics["/joint_state"], device.topics["/arm"])
    }

    func testARunKilledMidwayKeepsEveryChunkItWroteWhole() throws {
        let directory = try temporaryDirectory()
        let policy = try CommandRunner.tinyPolicy(in: directory)
        let path = directory + "/killed.mcap"
        let run = try RunningCommand(["run", "--sim", "--policy", policy, "--duration", "600", "--record", path])
        XCTAssertTrue(run.waitForOutput(containing: "episode   2", timeout: 60), run.standardError)
        // Two episodes have ended: more than a second of log time, so at least one chunk is on disk.
        run.send(SIGKILL)
        XCTAssertTrue(run.waitForExit(timeout: 20))
        XCTAssertEqual(run.process.terminationReason, .uncaughtSignal)
        // The script fails unless the streaming reader yields every chunk that is in the file whole.
        let check = try RecordingCheck.read(path, streaming: true)
        XCTAssertFalse(check.complete)
        XCTAssertGreaterThanOrEqual(check.chunks, 1)
        XCTAssertGreaterThan(check.topics["/joint_state"] ?? 0, 0)
        XCTAssertThrowsError(try RecordingCheck.read(path), "a file without its footer is not taken for a finished one")
    }

    func testABadRecordingPathStopsTheCommandBeforeTheArmMoves() throws {
        let directory = try temporaryDirectory()
        let missing = try CommandRunner.armature(["rollout", "--episodes", "1", "--record", directory + "/no/such/dir/x.mcap"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("does not exist"), missing.stderr)
        XCTAssertFalse(missing.stdout.contains("episode"), missing.stdout)

        let notMCAP = try CommandRunner.armature(["rollout", "--episodes", "1", "--record", directory + "/x.txt"])
        XCTAssertEqual(notMCAP.status, 1)
        XCTAssertTrue(notMCAP.stderr.contains(".mcap"), notMCAP.stderr)

        let everyAlone = try CommandRunner.armature(["train", "--out", directory + "/r", "--record-every", "5"])
        XCTAssertNotEqual(everyAlone.status, 0)
        XCTAssertTrue(everyAlone.stderr.contains("--record"), everyAlone.stderr)
    }
}
