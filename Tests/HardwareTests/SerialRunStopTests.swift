import Foundation
import Hardware
import TestSupport
import XCTest

/// `armature run --port` stopped from outside (the SSH session drops, the output's reader goes
/// away) still switches the arm off: the device is left disabled and the summary is printed where
/// it can be. Before, SIGHUP and SIGPIPE killed the process with a TORQUE as the last frame.
final class SerialRunStopTests: XCTestCase {
    private var directory = ""
    private var emulator: DeviceEmulator!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-serial-stop-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Lockstep, so the device steps only when the run commands it; the run's 50 Hz feeds its watchdog.
        emulator = try DeviceEmulator(
            robot: try RepositoryFiles.robot("reacher"), options: .init(timing: .lockstep, linkPath: directory + "/arm"))
    }

    override func tearDown() {
        emulator?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts `run --port` on the emulator and waits until it has finished its first episode.
    private func startRun() throws -> RunningCommand {
        let policy = try CommandRunner.tinyPolicy(in: directory)
        let run = try RunningCommand(["run", "--port", emulator.path, "--policy", policy, "--duration", "600"])
        XCTAssertTrue(run.waitForOutput(containing: "episode   1", timeout: 30), run.standardError)
        // Between episodes the host disables the device for a moment to home it; look until it is enabled again.
        let deadline = Date().addingTimeInterval(10)
        while !emulator.snapshot().status.contains(.enabled) && Date() < deadline { usleep(1_000) }
        XCTAssertTrue(emulator.snapshot().status.contains(.enabled), "the run drives the arm")
        return run
    }

    func testHangUpStopsARunOnTheSerialLinkWithTorqueOff() throws {
        let run = try startRun()
        run.send(SIGHUP)
        XCTAssertTrue(run.waitForExit(timeout: 20))
        XCTAssertEqual(run.process.terminationReason, .exit, "SIGHUP must not kill the run")
        XCTAssertEqual(run.process.terminationStatus, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("stop: stopped on request; torque off"), run.standardOutput)
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled), "the host disabled the device before exiting")
    }

    func testAClosedOutputStopsARunOnTheSerialLinkWithTorqueOff() throws {
        let run = try startRun()
        // As `armature run ... | head -2` does: the next episode line finds no reader.
        run.closeOutput()
        XCTAssertTrue(run.waitForExit(timeout: 20), "a run whose output is gone stops instead of running on unseen")
        XCTAssertEqual(run.process.terminationReason, .exit, "SIGPIPE must not kill the run")
        XCTAssertEqual(run.process.terminationStatus, 0, run.standardError)
        XCTAssertTrue(run.standardError.contains("standard output"), run.standardError)
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled), "the host disabled the device before exiting")
    }
}
