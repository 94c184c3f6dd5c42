import Foundation
import Hardware
import TestSupport
import XCTest

/// `armature run --port` rides through a lost reply and stops at a run of them; stopped from
/// outside (the SSH session drops, the output's reader goes away) it still switches the arm off:
/// the device is left disabled and the summary is printed where it can be. Before, SIGHUP and
/// SIGPIPE killed the process with a TORQUE as the last frame.
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
    private func startRun(_ extra: [String] = []) throws -> RunningCommand {
        let policy = try CommandRunner.tinyPolicy(in: directory)
        let run = try RunningCommand(["run", "--port", emulator.path, "--policy", policy, "--duration", "600"] + extra)
        XCTAssertTrue(run.waitForOutput(containing: "episode   1", timeout: 30), run.standardError)
        // The episode line comes just before the next episode's reset (DISABLE, HOME, ENABLE): look
        // again until that reset is over rather than catch the arm disabled in the middle of it.
        let deadline = Date().addingTimeInterval(5)
        while !emulator.snapshot().status.contains(.enabled) && Date() < deadline { usleep(1000) }
        XCTAssertTrue(emulator.snapshot().status.contains(.enabled), "the run drives the arm")
        return run
    }

    /// One lost reply now and then is a real bus, not a fault: the run completes and says how many it rode through.
    func testARunWithOccasionalDroppedRepliesCompletesAndCountsThem() throws {
        let policy = try CommandRunner.tinyPolicy(in: directory)
        // Seeded: the emulator draws once per frame it sends, so this seed's drops come one at a time.
        // The device's watchdog must outlast the host's wait for a lost reply (timeout × tolerated
        // losses), as on a real arm, or riding through a loss would trip it.
        var options = DeviceEmulator.Options(timing: .lockstep, linkPath: directory + "/noisy-arm", seed: 1, impairments: .init(drop: 0.03))
        options.watchdogPeriod = 2
        let noisy = try DeviceEmulator(robot: try RepositoryFiles.robot("reacher"), options: options)
        defer { noisy.stop() }
        // A timeout far above any round trip on a busy machine: only the drops are lost.
        let robot = directory + "/reacher.yaml"
        let reacher = try String(contentsOfFile: RepositoryFiles.path("robots/reacher.yaml"), encoding: .utf8)
        try (reacher + "\nserial: {port: \(noisy.path), timeout: 0.25}\n").write(toFile: robot, atomically: true, encoding: .utf8)
        let result = try CommandRunner.armature(
            ["run", "--robot", robot, "--port", noisy.path, "--policy", policy, "--episodes", "2", "--as-fast-as-possible"], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        let dropped = noisy.snapshot().droppedFrames
        XCTAssertGreaterThanOrEqual(dropped, 2, "the seed should exercise a few losses")
        XCTAssertTrue(result.stdout.contains("\(dropped) lost replies (at most 1 in a row)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("stop: completed"), result.stdout)
        XCTAssertFalse(noisy.snapshot().status.contains(.enabled))
    }

    /// Lost replies in a row up to the limit are a broken line: the run stops at once, torque off.
    func testDroppedRepliesInARowStopARunWithTorqueOff() throws {
        let run = try startRun()
        emulator.setImpairments(.init(drop: 1))
        XCTAssertTrue(run.waitForExit(timeout: 20))
        XCTAssertEqual(run.process.terminationStatus, 1, run.standardError)
        XCTAssertTrue(run.standardError.contains("2 lost replies in a row") && run.standardError.contains("torque is off"), run.standardError)
        XCTAssertTrue(run.standardOutput.contains("lost replies (at most 2 in a row)"), run.standardOutput)
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled), "the DISABLE sent on the fault reached the device")
        XCTAssertEqual(emulator.snapshot().appliedTorque, [0, 0])
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

    /// How long the torque stayed on after the page's e-stop arrived, as the run reports it ("DISABLE
    /// acknowledged 0.8 ms after the page's request arrived"): logged, for BENCHMARKS.md, not bounded.
    private func torqueOffDelay(_ output: String, file: StaticString = #filePath, line: UInt = #line) -> Double? {
        guard let range = output.range(of: #"DISABLE acknowledged [0-9.]+ ms after the page's request arrived"#, options: .regularExpression)
        else {
            XCTFail("the run says when the torque went off: \(output)", file: file, line: line)
            return nil
        }
        let milliseconds = Double(output[range].split(separator: " ")[2])
        print("e-stop: torque off \(milliseconds.map { "\($0)" } ?? "?") ms after the page's request arrived")
        return milliseconds
    }

    /// The live page's e-stop, pressed as the page presses it (its WebSocket message): the run stops, the
    /// host disables the device and sends the protocol's ESTOP, and the device's e-stop is latched.
    func testTheLivePagesEStopLatchesTheDevicesEStop() throws {
        do { _ = try Python.run(["-c", "import websockets"]) } catch {
            // The test command installs it: missing, it is a broken setup to fix, not a test to skip.
            throw Python.Failure(description: "the live page's client needs the websockets package (\(Python.installHint)): \(error)")
        }
        let run = try startRun(["--live", "127.0.0.1:0"])
        XCTAssertFalse(emulator.snapshot().status.contains(.estopLatched))
        let line = try XCTUnwrap(run.standardOutputSoFar.split(separator: "\n").first { $0.hasPrefix("live page: http://") })
        let url = String(line.dropFirst("live page: ".count))
        let seen = directory + "/seen.json"
        let watched = try Python.run([RepositoryFiles.path("scripts/live-client.py"), "watch", url, seen, "--states", "5", "--estop"])
        XCTAssertTrue(watched.contains(#""torque": "off""#), watched)
        XCTAssertTrue(run.waitForExit(timeout: 20), "the e-stop ends the run")
        XCTAssertEqual(run.process.terminationStatus, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("ESTOP sent, the device's emergency stop is latched; torque off"), run.standardOutput)
        XCTAssertTrue(run.standardOutput.contains("stop: stopped on request; torque off"), run.standardOutput)
        _ = torqueOffDelay(run.standardOutput)
        let status = emulator.snapshot().status
        XCTAssertTrue(status.contains(.estopLatched), "the device latched the ESTOP: \(status)")
        XCTAssertFalse(status.contains(.enabled))
        XCTAssertEqual(emulator.snapshot().appliedTorque, [0, 0])
    }

    /// The same in a real browser: headless Chromium loads the page during the emulator run, sees the arm
    /// drawing and the charts update, and its E-STOP button is clicked (skipped where Chromium is absent).
    func testTheLivePageInHeadlessChromiumLatchesTheEStop() throws {
        do { _ = try Python.run(["-c", "import websockets"]) } catch {
            throw Python.Failure(description: "the browser driver needs the websockets package (\(Python.installHint)): \(error)")
        }
        guard ["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains(where: FileManager.default.isExecutableFile) else {
            throw XCTSkip("no headless Chromium: scripts/install-system-packages chromium")
        }
        let run = try startRun(["--live", "127.0.0.1:0"])
        let line = try XCTUnwrap(run.standardOutputSoFar.split(separator: "\n").first { $0.hasPrefix("live page: http://") })
        let url = String(line.dropFirst("live page: ".count))
        let output = try Python.run([RepositoryFiles.path("scripts/live-browser.py"), url])
        let seen = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], output)
        let before = try XCTUnwrap(seen["before"] as? [String: Any], output)
        let after = try XCTUnwrap(seen["after"] as? [String: Any], output)
        XCTAssertGreaterThanOrEqual(before["distinct_tips"] as? Int ?? 0, 5, "the arm drawing moves: \(output)")
        XCTAssertGreaterThanOrEqual(before["points"] as? Int ?? 0, 20, "the charts fill: \(output)")
        XCTAssertEqual(after["status"] as? String, "stopped: stopped on request; torque off", output)
        XCTAssertTrue(run.waitForExit(timeout: 20), "the e-stop ends the run")
        XCTAssertEqual(run.process.terminationStatus, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("ESTOP sent, the device's emergency stop is latched; torque off"), run.standardOutput)
        _ = torqueOffDelay(run.standardOutput)
        XCTAssertTrue(emulator.snapshot().status.contains(.estopLatched), "the emulator's e-stop is latched")
        XCTAssertEqual(emulator.snapshot().appliedTorque, [0, 0])
    }
}
