import Dynamixel
import Foundation
import RobotModel
import TestSupport
import XCTest

/// `armature run --port`, `train --port` and `calibrate` on a description with a Dynamixel bus,
/// against the bus emulator: a run completes; Ctrl-C, SIGTERM, lost status packets and a hardware
/// error all end it with Torque Enable 0 on every servo.
final class DynamixelCommandTests: XCTestCase {
    private var directory = ""
    private var emulator: BusEmulator!
    private let shipped = "robots/xm430-two-joint.yaml"
    /// The shipped arm with a patient bus (200 ms per status, 1 s watchdog), so that a loaded test
    /// machine's late status packets are not lost ones.
    private var robot = ""

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-dynamixel-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        robot = directory + "/xm430-two-joint.yaml"
        let text = try String(contentsOfFile: RepositoryFiles.path(shipped), encoding: .utf8)
        try text.replacingOccurrences(of: "  timeout: 0.02 ", with: "  timeout: 0.2  ")
            .replacingOccurrences(of: "  watchdog_ms: 100 ", with: "  watchdog_ms: 1000")
            .write(toFile: robot, atomically: true, encoding: .utf8)
        XCTAssertEqual(try RobotDescription.load(path: robot).bus?.timeout, 0.2)
        emulator = try BusEmulator(
            robot: try RepositoryFiles.robot("xm430-two-joint"), options: .init(timing: .lockstep, linkPath: directory + "/bus"))
    }

    override func tearDown() {
        emulator?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func assertTorqueOff(file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(emulator.snapshot().servos.map(\.torqueEnable), [0, 0], "Torque Enable on every servo", file: file, line: line)
    }

    /// A small actor for the XM430 arm (not a good one: deploying is what is tested).
    private func policy() throws -> String {
        let result = try CommandRunner.armature([
            "train", "--robot", robot, "--steps", "50", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "25",
            "--checkpoint-every", "0", "--out", directory + "/policy",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        return directory + "/policy/actor.safetensors"
    }

    /// Starts `run --port` on the emulator and waits until its first episode is over and the arm driven again.
    private func startRun() throws -> RunningCommand {
        let run = try RunningCommand(["run", "--robot", robot, "--port", emulator.path, "--policy", try policy(), "--duration", "600"])
        XCTAssertTrue(run.waitForOutput(containing: "episode   1", timeout: 60), run.standardError)
        // The episode line comes before the next episode's move-to: wait until the arm is driven by
        // current (the end of episode 1, or episode 2 after its move). One snapshot decides and is
        // the one checked: the next instant may already be the move, in position mode. The lockstep
        // bus advances with the host's status reads, so on a loaded machine this takes a while.
        let deadline = Date().addingTimeInterval(60)
        func driven(_ servos: [BusEmulator.ServoSnapshot]) -> Bool {
            servos.map(\.torqueEnable) == [1, 1] && servos.map(\.operatingMode) == [0, 0]
        }
        var servos = emulator.snapshot().servos
        while !driven(servos) && Date() < deadline {
            usleep(1000)
            servos = emulator.snapshot().servos
        }
        XCTAssertEqual(servos.map(\.operatingMode), [0, 0], "the run drives the arm in current mode")
        return run
    }

    func testARunThroughTheDynamixelBusCompletesWithTorqueOff() throws {
        let result = try CommandRunner.armature(
            ["run", "--robot", robot, "--port", emulator.path, "--policy", try policy(), "--episodes", "2", "--as-fast-as-possible"],
            timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("(Dynamixel bus \(emulator.path))"), result.stdout)
        XCTAssertTrue(result.stdout.contains("0 lost status packets"), result.stdout)
        XCTAssertTrue(result.stdout.contains("stop: completed; torque off"), result.stdout)
        assertTorqueOff()
    }

    /// Episodes on the bus start by moving the arm (the default) or from where it is; never by
    /// placing it, and never by re-zeroing its encoders.
    func testRunsOnTheBusStartEpisodesByMovingOrFromWhereTheArmIs() throws {
        let policy = try policy()
        for start in ["move", "measured"] {
            let result = try CommandRunner.armature(
                [
                    "run", "--robot", robot, "--port", emulator.path, "--policy", policy, "--episodes", "2", "--as-fast-as-possible",
                    "--episode-start", start,
                ], timeout: 120)
            XCTAssertEqual(result.status, 0, "\(start): \(result.stderr)")
            XCTAssertTrue(result.stdout.contains("stop: completed; torque off"), result.stdout)
            assertTorqueOff()
        }
        XCTAssertEqual(emulator.snapshot().servos.map(\.homingOffset), [0, 0], "no episode re-zeroes the encoders")
        assertUsageError(
            try CommandRunner.armature(
                ["run", "--robot", robot, "--port", emulator.path, "--policy", policy, "--episodes", "1", "--episode-start", "place"]),
            mentions: "needs the simulator")
    }

    /// `armature move` drives the servos to the pose with their own position loop, then switches them off.
    func testMoveDrivesTheServosToThePoseThenSwitchesThemOff() throws {
        let result = try CommandRunner.armature(["move", "--robot", robot, "--port", emulator.path, "--to", "0.3,-0.2"], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("settled at"), result.stdout)
        let reached = emulator.snapshot().position
        XCTAssertEqual(reached[0], 0.3, accuracy: 0.006)
        XCTAssertEqual(reached[1], -0.2, accuracy: 0.006)
        assertTorqueOff()
        assertUserError(
            try CommandRunner.armature(["move", "--robot", robot, "--port", emulator.path, "--to", "0,3"], timeout: 60),
            mentions: "outside its range")
        assertTorqueOff()
    }

    /// A Dynamixel arm's zero is its servos' offsets: `home` points to `calibrate` and sends nothing.
    func testHomeOnADynamixelArmPointsToCalibrate() throws {
        assertUserError(
            try CommandRunner.armature(["home", "--robot", robot, "--port", emulator.path, "--pose", "0,0", "--confirm"]),
            mentions: "armature calibrate")
        XCTAssertEqual(emulator.snapshot().instructionsReceived, 0)
    }

    func testCtrlCStopsARunWithTorqueOff() throws {
        let run = try startRun()
        run.send(SIGINT)
        XCTAssertTrue(run.waitForExit(timeout: 20))
        XCTAssertEqual(run.process.terminationStatus, 0, run.standardError)
        XCTAssertTrue(run.standardOutput.contains("stop: stopped on request; torque off"), run.standardOutput)
        assertTorqueOff()
    }

    func testSIGTERMStopsARunWithTorqueOff() throws {
        let run = try startRun()
        run.send(SIGTERM)
        XCTAssertTrue(run.waitForExit(timeout: 20))
        XCTAssertEqual(run.process.terminationReason, .exit)
        XCTAssertEqual(run.process.terminationStatus, 0, run.standardError)
        assertTorqueOff()
    }

    func testLostStatusPacketsStopARunWithTorqueOff() throws {
        let run = try startRun()
        emulator.setDropStatus(1)
        XCTAssertTrue(run.waitForExit(timeout: 30))
        XCTAssertEqual(run.process.terminationStatus, 1, run.standardError)
        XCTAssertTrue(run.standardError.contains("2 status packets lost in a row"), run.standardError)
        assertTorqueOff()
    }

    func testAHardwareErrorStopsARunWithTorqueOff() throws {
        let run = try startRun()
        emulator.injectHardwareError(id: 2, .electricalShock)
        XCTAssertTrue(run.waitForExit(timeout: 30))
        XCTAssertEqual(run.process.terminationStatus, 1, run.standardError)
        XCTAssertTrue(run.standardError.contains("servo 2") && run.standardError.contains("electrical shock"), run.standardError)
        assertTorqueOff()
    }

    func testTrainingThroughTheLockstepBusRunsAndEndsWithTorqueOff() throws {
        let result = try CommandRunner.armature(
            [
                "train", "--robot", robot, "--port", emulator.path, "--lockstep", "--steps", "120", "--hidden", "8,8", "--batch-size", "8",
                "--learning-starts", "60", "--checkpoint-every", "0", "--out", directory + "/hil",
            ], timeout: 120)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("lost status packets"), result.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/hil/actor.safetensors"))
        assertTorqueOff()
    }

    func testDescribeShowsTheBusAndEachJointsServo() throws {
        let result = try CommandRunner.armature(["describe", shipped])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("bus: dynamixel on /dev/ttyUSB0 at 1000000 baud"), result.stdout)
        XCTAssertTrue(result.stdout.contains("bus watchdog 100 ms, return delay 0 µs"), result.stdout)
        XCTAssertTrue(result.stdout.contains("  elbow: id 2, XM430-W350, 1.78 N·m/A, offset 2048 ticks"), result.stdout)
    }

    func testEmulateRefusesOptionsThatDoNotFitTheBus() throws {
        assertUsageError(
            try CommandRunner.armature(["emulate", "--robot", robot, "--bus", "dynamixel", "--noise", "0.1"]), mentions: "use --drop")
        assertUsageError(
            try CommandRunner.armature(["emulate", "--robot", robot, "--bus", "dynamixel", "--watchdog-ms", "50"]),
            mentions: "bus.watchdog_ms")
        assertUsageError(try CommandRunner.armature(["emulate", "--robot", robot, "--baud", "4000000"]), mentions: "give --bus dynamixel")
        assertUsageError(
            try CommandRunner.armature(["emulate", "--robot", robot, "--bus", "dynamixel", "--lockstep", "--latency-timer-ms", "16"]),
            mentions: "drop --lockstep")
        assertUserError(
            try CommandRunner.armature(["emulate", "--robot", "robots/reacher.yaml", "--bus", "dynamixel"]),
            mentions: "no `bus: {type: dynamixel}` section")
    }

    /// The arm held at its zero pose reads its servos' mounting: those become the offsets. The EEPROM
    /// (Homing Offset) changes only when asked.
    func testCalibrateRecordsTheOffsetsAtTheZeroPoseAndTouchesEEPROMOnlyWhenAsked() throws {
        let mounted = try BusEmulator(
            robot: try RepositoryFiles.robot("xm430-two-joint"),
            options: .init(timing: .lockstep, linkPath: directory + "/mounted", mountingTicks: [1234, -567]))
        defer { mounted.stop() }
        let out = directory + "/calibrated.yaml"
        var result = try CommandRunner.armature(["calibrate", "--robot", shipped, "--port", mounted.path, "--out", out])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try RobotDescription.load(path: out).bus?.servos.map(\.offset), [1234, -567])
        XCTAssertEqual(mounted.snapshot().servos.map(\.homingOffset), [0, 0], "no EEPROM write without the flag")
        XCTAssertEqual(mounted.snapshot().servos.map(\.torqueEnable), [0, 0])
        let original = try String(contentsOfFile: RepositoryFiles.path(shipped), encoding: .utf8)
        XCTAssertEqual(
            try String(contentsOfFile: out, encoding: .utf8),
            original.replacingOccurrences(of: "direction: 1, offset: 2048}\n    - {id: 2", with: "direction: 1, offset: 1234}\n    - {id: 2")
                .replacingOccurrences(of: "offset: 2048}", with: "offset: -567}"),
            "only the offsets change")

        result = try CommandRunner.armature(["calibrate", "--robot", shipped, "--port", mounted.path, "--out", out, "--write-homing-offset"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(mounted.snapshot().servos.map(\.homingOffset), [-1234, 567])
        XCTAssertEqual(try RobotDescription.load(path: out).bus?.servos.map(\.offset), [0, 0])

        result = try CommandRunner.armature(["calibrate", "--robot", "robots/reacher.yaml", "--port", mounted.path, "--out", out])
        assertUserError(result, mentions: "no `bus: {type: dynamixel}` section")
    }
}
