import Foundation
import TestSupport
import XCTest

/// How `run` and `train` end when asked to: at `--duration` whatever the period, and on SIGINT,
/// SIGTERM or SIGHUP within a few milliseconds even between deadlines 100 s apart, always through
/// the clean shutdown (summary, torque off, checkpoint). Deadlines here are generous bounds far
/// below the 100 s a sleep that ignores the request would take, so machine speed does not matter.
final class StopRequestTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-stop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    func testRunEndsAtItsDurationWhenTheNextDeadlineIsLater() throws {
        let policy = try CommandRunner.tinyPolicy(in: try temporaryDirectory())
        let run = try RunningCommand(["run", "--sim", "--policy", policy, "--duration", "1", "--rate-hz", "0.01"])
        XCTAssertTrue(run.waitForExit(timeout: 20), "a 1 s run with a 100 s period must end after about 1 s")
        XCTAssertEqual(run.process.terminationReason, .exit)
        XCTAssertEqual(run.process.terminationStatus, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("stop: completed; torque off"), run.standardOutput)
    }

    func testInterruptTerminateAndHangUpWakeARunBetweenDistantDeadlines() throws {
        let policy = try CommandRunner.tinyPolicy(in: try temporaryDirectory())
        for (name, number) in [("SIGINT", SIGINT), ("SIGTERM", SIGTERM), ("SIGHUP", SIGHUP)] {
            let run = try RunningCommand(["run", "--sim", "--policy", policy, "--duration", "1000", "--rate-hz", "0.01"])
            XCTAssertTrue(run.waitForOutput(containing: "running", timeout: 20), "\(name): \(run.standardError)")
            run.send(number)
            XCTAssertTrue(run.waitForExit(timeout: 20), "\(name) must wake the run from its 100 s sleep")
            XCTAssertEqual(run.process.terminationReason, .exit, name)
            XCTAssertEqual(run.process.terminationStatus, 0, "\(name): \(run.standardError)")
            XCTAssertTrue(run.standardOutput.contains("stop: stopped on request; torque off"), "\(name): \(run.standardOutput)")
        }
    }

    func testHangUpStopsTrainingWithItsCheckpointAndLogs() throws {
        let out = try temporaryDirectory() + "/run"
        let train = try RunningCommand([
            "train", "--steps", "10000000", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "100", "--checkpoint-every", "0",
            "--out", out,
        ])
        XCTAssertTrue(train.waitForOutput(containing: "training DDPG on", timeout: 20), train.standardError)
        train.send(SIGHUP)
        XCTAssertTrue(train.waitForExit(timeout: 30), "training stops at the next episode boundary")
        XCTAssertEqual(train.process.terminationReason, .exit)
        XCTAssertEqual(train.process.terminationStatus, 0, train.standardError)
        XCTAssertTrue(train.standardOutput.contains("stopped on request"), train.standardOutput)
        let files = try FileManager.default.contentsOfDirectory(atPath: out)
        XCTAssertTrue(files.contains("checkpoint.safetensors") && files.contains("actor.safetensors"), "\(files)")
        XCTAssertTrue(files.contains { $0.hasPrefix("events.out.tfevents.") }, "\(files)")
        let csv = try String(contentsOfFile: out + "/scalars.csv", encoding: .utf8)
        XCTAssertTrue(csv.contains(",charts/episodic_return,"), "the scalar log was flushed: \(csv)")
    }
}
