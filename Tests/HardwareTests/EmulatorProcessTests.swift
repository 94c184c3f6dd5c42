import FirmwareLink
import Foundation
import Hardware
import TestSupport
import XCTest

private struct EmulatorDidNotStart: Error, CustomStringConvertible {
    let link: String
    var description: String { "armature emulate did not make \(link) within 10 s" }
}

/// `armature emulate` as a separate process: the symlink, clean stops, and a host that survives
/// the emulator being killed mid-episode.
final class EmulatorProcessTests: XCTestCase {
    private func linkPath() -> String {
        NSTemporaryDirectory() + "armature-emulate-\(getpid())-\(UUID().uuidString.prefix(8))"
    }

    /// Starts `armature emulate --lockstep --link PATH` and waits for the symlink.
    private func startEmulator(link: String) throws -> Process {
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["emulate", "--robot", RepositoryFiles.path("robots/reacher.yaml"), "--lockstep", "--link", link]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == nil && Date() < deadline && process.isRunning {
            usleep(10_000)
        }
        guard (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) != nil else {
            process.terminate()
            throw EmulatorDidNotStart(link: link)
        }
        return process
    }

    func testKillingTheEmulatorMidEpisodeFailsTheNextStepQuickly() throws {
        let link = linkPath()
        let process = try startEmulator(link: link)
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            unlink(link)
        }
        let robot = try RepositoryFiles.robot("reacher")
        let timeout = 0.1
        let arm = try SerialArm(robot: robot, port: link, timeout: timeout)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        for _ in 0..<10 { try arm.step(torques: [1, -1], state: &state) }
        XCTAssertEqual(state.torque, [1, -1])

        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let start = Date()
        XCTAssertThrowsError(try arm.step(torques: [1, -1], state: &state)) { error in
            switch error as? FirmwareLinkError {
            case .linkLost(let port, _), .timeout(let port, _, _, _):
                XCTAssertEqual(port, link)
            default:
                XCTFail("expected the link to be lost, got \(error)")
            }
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), timeout + 0.2)
        XCTAssertFalse(arm.isActive)
        XCTAssertThrowsError(try arm.activate(state: &state)) { error in
            guard case .faulted = error as? FirmwareLinkError else { return XCTFail("\(error)") }
        }
        arm.deactivate()
    }

    func testSIGTERMStopsTheEmulatorCleanlyAndRemovesTheLink() throws {
        let link = linkPath()
        let process = try startEmulator(link: link)
        process.terminate()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: link))
    }

    func testEmulateHelpTeachesTheOptions() throws {
        let result = try CommandRunner.armature(["emulate", "--help"])
        XCTAssertEqual(result.status, 0)
        for option in ["--robot", "--link", "--lockstep", "--seed"] {
            XCTAssertTrue(result.stdout.contains(option), "help mentions \(option)")
        }
    }

    func testEmulateRefusesAMissingRobot() throws {
        let result = try CommandRunner.armature(["emulate", "--robot", "robots/no-such-robot.yaml"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("no-such-robot"), result.stderr)
    }
}
