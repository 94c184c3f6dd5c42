import FirmwareLink
import Foundation
import XCTest

/// Opening, raw I/O and hang-up on pseudo-terminals; error messages for ports that are not there.
final class SerialTransportTests: XCTestCase {
    private func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "armature-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))"
    }

    func testPseudoTerminalsAndLinksToThemAreOpenedWithTermios() throws {
        let link = temporaryPath("pty-link")
        let terminal = try PseudoTerminal(linkPath: link)
        defer { terminal.close() }
        XCTAssertTrue(SerialPorts.isPseudoTerminal(terminal.devicePath))
        XCTAssertTrue(SerialPorts.isPseudoTerminal(link))
        XCTAssertFalse(SerialPorts.isPseudoTerminal("/dev/ttyS0"))
        XCTAssertFalse(SerialPorts.isPseudoTerminal("/nonexistent/port"))
        XCTAssertTrue(try SerialPorts.open(path: link) is TerminalTransport)
        terminal.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: link), "closing removes the symlink")
    }

    func testEveryByteValuePassesUnchangedBothWays() throws {
        let terminal = try PseudoTerminal()
        defer { terminal.close() }
        let host = try SerialPorts.open(path: terminal.devicePath)
        defer { host.close() }
        // Raw mode: no echo, no CR/LF translation, no XON/XOFF, no signal characters.
        let bytes = (0...255).map { UInt8($0) } + [0x0D, 0x0A, 0x03, 0x11, 0x13, 0x00]
        try bytes.withUnsafeBytes { try host.write($0, timeout: 1) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        let deadline = Date().addingTimeInterval(2)
        while received.count < bytes.count && Date() < deadline {
            let count = try buffer.withUnsafeMutableBytes { try terminal.readAvailable(into: $0) }
            received += buffer[..<count]
            if count == 0 { usleep(1000) }
        }
        XCTAssertEqual(received, bytes)
        bytes.withUnsafeBytes { XCTAssertEqual(terminal.writeAvailable($0), bytes.count) }
        received.removeAll()
        while received.count < bytes.count {
            let count = try buffer.withUnsafeMutableBytes { try host.read(into: $0, timeout: 1) }
            XCTAssertGreaterThan(count, 0, "timed out after \(received.count) bytes")
            if count == 0 { break }
            received += buffer[..<count]
        }
        XCTAssertEqual(received, bytes, "nothing echoed back, nothing translated")
    }

    func testAReadTimesOutEmptyAndAHangUpIsAnError() throws {
        let terminal = try PseudoTerminal()
        let host = try SerialPorts.open(path: terminal.devicePath)
        defer { host.close() }
        var buffer = [UInt8](repeating: 0, count: 64)
        let start = Date()
        XCTAssertEqual(try buffer.withUnsafeMutableBytes { try host.read(into: $0, timeout: 0.03) }, 0)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(start), 0.025)
        terminal.close()
        XCTAssertThrowsError(try buffer.withUnsafeMutableBytes { try host.read(into: $0, timeout: 1) }) { error in
            XCTAssertNotNil(error as? SerialTransportError)
            XCTAssertTrue(String(describing: error).contains(terminal.devicePath), "\(error)")
        }
    }

    func testAPortThatIsNotThereIsNamedWithTheReason() {
        XCTAssertThrowsError(try SerialPorts.open(path: "/dev/ttyArmatureMissing0")) { error in
            guard case .openFailed(let path, let reason) = error as? SerialTransportError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/dev/ttyArmatureMissing0")
            XCTAssertFalse(reason.isEmpty)
            XCTAssertTrue(String(describing: error).contains("armature ports"))
        }
    }

    func testTheLinkSymlinkNeverReplacesARegularFile() throws {
        let path = temporaryPath("regular")
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("keep".utf8)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertThrowsError(try PseudoTerminal(linkPath: path)) { error in
            XCTAssertEqual(error as? PseudoTerminalError, .linkPathTaken(path: path))
        }
        XCTAssertEqual(FileManager.default.contents(atPath: path), Data("keep".utf8))
    }
}
