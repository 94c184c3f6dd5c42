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

    /// The `guard interventions:` line a run prints, rebuilt from the sums of the recording's `/guard` messages.
    private func guardLine(_ check: RecordingCheck) -> String {
        func total(_ key: String) -> Int { check.guardTotals[key] ?? -1 }
        return "guard interventions: effort \(total("effort_clamps")), position \(total("position_cuts")), "
            + "velocity \(total("velocity_cuts")), non-finite \(total("non_finite_rejections")), "
            + "wrong size \(total("wrong_size_rejections")); smoothed commands \(total("smoothed_commands")), "
            + "rate-limited torques \(total("rate_limited_torques"))"
    }

    private func printedGuardLine(_ output: String) throws -> String {
        String(try XCTUnwrap(output.split(separator: "\n").first { $0.hasPrefix("guard interventions:") }, output))
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
        XCTAssertTrue(check.plants.isEmpty, "the described plant is not a drawn one: \(check.plants)")
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
        XCTAssertEqual(try printedGuardLine(run.stdout), guardLine(check))
        XCTAssertEqual(check.guardMismatches, 0)

        emulator.send(SIGTERM)
        XCTAssertTrue(emulator.waitForExit(timeout: 20))
        XCTAssertEqual(emulator.process.terminationStatus, 0, emulator.standardError)
        let device = try RecordingCheck.read(deviceRecording)
        XCTAssertGreaterThan(device.topics["/joint_state"] ?? 0, 0)
        XCTAssertEqual(device.topics["/joint_state"], device.topics["/arm"])
    }

    func testARunOnADynamixelBusAndTheBusEmulatorAreRecorded() throws {
        let directory = try temporaryDirectory()
        // The shipped XM430 arm with a patient bus (200 ms per status, 1 s watchdog): a loaded test
        // machine's late status packets must not stop the run.
        let text = try String(contentsOfFile: RepositoryFiles.path("robots/xm430-two-joint.yaml"), encoding: .utf8)
        let robot = directory + "/xm430-two-joint.yaml"
        try text.replacingOccurrences(of: "  timeout: 0.02 ", with: "  timeout: 0.2  ")
            .replacingOccurrences(of: "  watchdog_ms: 100 ", with: "  watchdog_ms: 1000")
            .write(toFile: robot, atomically: true, encoding: .utf8)
        let trained = try CommandRunner.armature([
            "train", "--robot", robot, "--steps", "50", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "25",
            "--checkpoint-every", "0", "--out", directory + "/policy",
        ])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let link = directory + "/bus"
        let deviceRecording = directory + "/servos.mcap"
        let emulator = try RunningCommand(
            ["emulate", "--robot", robot, "--bus", "dynamixel", "--link", link, "--record", deviceRecording])
        defer { if emulator.process.isRunning { emulator.send(SIGKILL) } }
        XCTAssertTrue(emulator.waitForOutput(containing: "press Ctrl-C", timeout: 20), emulator.standardError)

        let path = directory + "/run.mcap"
        let run = try CommandRunner.armature(
            ["run", "--robot", robot, "--policy", directory + "/policy/actor.safetensors", "--port", link, "--episodes", "1", "--record", path],
            timeout: 120)
        XCTAssertEqual(run.status, 0, run.stderr)
        let check = try RecordingCheck.read(path)
        assertRecording(check, matches: run.stdout)
        XCTAssertEqual(check.topics["/joint_state"], 50)
        XCTAssertEqual(check.topics["/loop_timing"], 50)
        XCTAssertEqual(try printedGuardLine(run.stdout), guardLine(check))

        emulator.send(SIGTERM)
        XCTAssertTrue(emulator.waitForExit(timeout: 20))
        XCTAssertEqual(emulator.process.terminationStatus, 0, emulator.standardError)
        XCTAssertTrue(emulator.standardOutput.contains("recording: "), emulator.standardOutput)
        let servos = try RecordingCheck.read(deviceRecording)
        // Sampled at the control rate for as long as the emulator ran, the run's episode among it.
        XCTAssertGreaterThan(servos.topics["/joint_state"] ?? 0, 50)
        XCTAssertEqual(servos.topics["/joint_state"], servos.topics["/arm"])
    }

    func testARunThroughTheActuationFiltersRecordsWhatTheFiltersAndTheGuardDid() throws {
        let directory = try temporaryDirectory()
        let policy = try CommandRunner.tinyPolicy(in: directory)
        let reacher = try String(contentsOfFile: RepositoryFiles.path("robots/reacher.yaml"), encoding: .utf8)
        let filtered = directory + "/reacher-filtered.yaml"
        // 10 N·m/s is 0.2 N·m per 50 Hz period: an untrained actor's torques are rate limited.
        try (reacher + "\nactuation:\n  action_time_constant: 0.04\n  torque_rate_limit: 10\n")
            .write(toFile: filtered, atomically: true, encoding: .utf8)
        let path = directory + "/filtered.mcap"
        let run = try CommandRunner.armature([
            "run", "--robot", filtered, "--policy", policy, "--sim", "--episodes", "1", "--as-fast-as-possible", "--record", path,
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        let check = try RecordingCheck.read(path)
        XCTAssertEqual(try printedGuardLine(run.stdout), guardLine(check))
        XCTAssertEqual(check.guardTotals["smoothed_commands"], 50, "every command of the episode is smoothed")
        XCTAssertGreaterThan(check.guardTotals["rate_limited_torques"] ?? 0, 0)
        // The requested torque is what the guard was given, after the filters: where the guard did
        // nothing it is the torque sent, however much the rate limit cut.
        XCTAssertEqual(check.guardMismatches, 0)
    }

    func testRandomizedTrainingRecordsEachRecordedEpisodesDrawnPlantAsTheRunLogsIt() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/randomized.mcap"
        let train = try CommandRunner.armature([
            "train", "--randomize", "--steps", "300", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "100",
            "--checkpoint-every", "0", "--out", directory + "/run", "--record", path, "--record-every", "2",
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        let check = try RecordingCheck.read(path)
        XCTAssertEqual(check.episodes.map(\.episode), [1, 3, 5])
        XCTAssertEqual(check.plants.keys.sorted(), ["1", "3", "5"])
        // scalars.csv (step,tag,value,wall_time) logs each finished episode's plant, episode by episode.
        let csv = try String(contentsOfFile: directory + "/run/scalars.csv", encoding: .utf8)
        var logged: [Double] = []
        for line in csv.split(separator: "\n") {
            let fields = line.split(separator: ",")
            if fields.count >= 3 && fields[1] == "randomization/damping_scale" { logged.append(Double(fields[2]) ?? .nan) }
        }
        XCTAssertGreaterThanOrEqual(logged.count, 5)
        for episode in [1, 3, 5] {
            let recorded = try XCTUnwrap(check.plants["\(episode)"]?["damping_scale"])
            // The log holds float32s.
            XCTAssertEqual(recorded, logged[episode - 1], accuracy: 1e-6 * recorded, "episode \(episode)")
        }
        XCTAssertNotEqual(check.plants["1"]?["damping_scale"], check.plants["3"]?["damping_scale"], "a new plant every episode")
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

        let perturbed = try CommandRunner.armature([
            "eval", "--policy", directory + "/none.safetensors", "--perturb", "default", "--record", directory + "/p.mcap",
        ])
        XCTAssertNotEqual(perturbed.status, 0)
        XCTAssertTrue(perturbed.stderr.contains("without --perturb"), perturbed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/p.mcap"))
    }
}
