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

    /// Starts `armature emulate --lockstep --link PATH` and waits for the symlink (one that no
    /// longer points at `replacing`, if given).
    private func startEmulator(link: String, replacing stale: String? = nil) throws -> Process {
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["emulate", "--robot", RepositoryFiles.path("robots/reacher.yaml"), "--lockstep", "--link", link]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        func made() -> Bool {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { return false }
            return target != stale
        }
        while !made() && Date() < deadline && process.isRunning {
            usleep(10_000)
        }
        guard made() else {
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
            case .linkLost(let port, _), .timeout(let port, _, _, _, _):
                XCTAssertEqual(port, link)
            default:
                XCTFail("expected the link to be lost, got \(error)")
            }
        }
        // A hang-up is seen at once; silence only after the limit of lost replies in a row.
        XCTAssertLessThan(Date().timeIntervalSince(start), Double(arm.link.configuration.lostReplyLimit) * timeout + 0.2)
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

    func testSIGHUPStopsTheEmulatorCleanlyAndRemovesTheLink() throws {
        let link = linkPath()
        let process = try startEmulator(link: link)
        kill(process.processIdentifier, SIGHUP)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit, "a dropped SSH session must not kill the emulator")
        XCTAssertEqual(process.terminationStatus, 0)
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: link), "no link left to a pty number another terminal may reuse")
    }

    func testASecondEmulatorRefusesALinkThatALiveEmulatorServes() throws {
        let link = linkPath()
        let first = try startEmulator(link: link)
        defer {
            first.terminate()
            first.waitUntilExit()
            unlink(link)
        }
        let served = try FileManager.default.destinationOfSymbolicLink(atPath: link)
        let second = try RunningCommand(["emulate", "--robot", "robots/reacher.yaml", "--lockstep", "--link", link])
        XCTAssertTrue(second.waitForExit(timeout: 20), "the second emulator refuses at once instead of taking the link")
        XCTAssertEqual(second.process.terminationStatus, 1)
        XCTAssertTrue(second.standardError.contains(link) && second.standardError.contains("another emulator"), second.standardError)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), served, "the first emulator keeps its link")
    }

    func testAStaleLinkToAnUnrelatedPseudoTerminalIsReplaced() throws {
        // What an emulator killed with SIGKILL leaves: a link to a pty number that another terminal now holds.
        let unrelated = try UnrelatedPseudoTerminal()
        let link = linkPath()
        XCTAssertEqual(symlink(unrelated.devicePath, link), 0)
        let process = try startEmulator(link: link, replacing: unrelated.devicePath)
        defer {
            process.terminate()
            process.waitUntilExit()
            unlink(link)
        }
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: link)
        XCTAssertNotEqual(target, unrelated.devicePath)
        XCTAssertTrue(target.hasPrefix("/dev/pts/"), target)
    }

    func testEmulateRefusesASymlinkToAnotherDevice() throws {
        // Someone's own name for a real port: replacing it would send their host to the emulator.
        let link = linkPath()
        XCTAssertEqual(symlink("/dev/null", link), 0)
        defer { unlink(link) }
        let result = try RunningCommand(["emulate", "--robot", "robots/reacher.yaml", "--link", link])
        XCTAssertTrue(result.waitForExit(timeout: 20))
        XCTAssertEqual(result.process.terminationStatus, 1)
        XCTAssertTrue(result.standardError.contains("not a pseudo-terminal"), result.standardError)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "/dev/null")
    }

    func testEmulateRefusesALinkPathThatIsNotASymlink() throws {
        let link = linkPath()
        XCTAssertTrue(FileManager.default.createFile(atPath: link, contents: Data("notes".utf8)))
        defer { unlink(link) }
        let result = try RunningCommand(["emulate", "--robot", "robots/reacher.yaml", "--link", link])
        XCTAssertTrue(result.waitForExit(timeout: 20))
        XCTAssertEqual(result.process.terminationStatus, 1)
        XCTAssertTrue(result.standardError.contains("not a symlink"), result.standardError)
        XCTAssertEqual(try String(contentsOfFile: link, encoding: .utf8), "notes", "the file is left alone")
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

/// A pseudo-terminal that no emulator serves, as an SSH session's terminal would be: the controller
/// side opened through the C library, the device side never locked.
private final class UnrelatedPseudoTerminal {
    let controller: Int32
    let devicePath: String

    struct Failed: Error {}

    init() throws {
        typealias IntToInt = @convention(c) (Int32) -> Int32
        typealias NameCall = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
        // Glibc declares these only under _XOPEN_SOURCE; look them up in the C library already loaded.
        guard let library = dlopen(nil, RTLD_NOW) else { throw Failed() }
        defer { dlclose(library) }
        guard let open = dlsym(library, "posix_openpt"), let grant = dlsym(library, "grantpt"),
            let unlock = dlsym(library, "unlockpt"), let name = dlsym(library, "ptsname_r")
        else { throw Failed() }
        controller = unsafeBitCast(open, to: IntToInt.self)(O_RDWR | O_NOCTTY)
        guard controller >= 0 else { throw Failed() }
        var buffer = [CChar](repeating: 0, count: 128)
        guard unsafeBitCast(grant, to: IntToInt.self)(controller) == 0, unsafeBitCast(unlock, to: IntToInt.self)(controller) == 0,
            unsafeBitCast(name, to: NameCall.self)(controller, &buffer, buffer.count) == 0
        else {
            close(controller)
            throw Failed()
        }
        devicePath = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { close(controller) }
}
