import Dynamixel
import FirmwareLink
import Foundation
import TestSupport
import XCTest

/// ROBOTIS's own Python SDK (dynamixel-sdk, from .venv) as the independent party: it re-derives
/// the vectors our codec is tested on, and decodes frames our codec builds.
final class DynamixelSDKTests: XCTestCase {
    private let script = RepositoryFiles.path("scripts/dynamixel-sdk-host.py")

    private func sdk(_ arguments: [String]) throws -> String {
        do {
            return try Python.run([script] + arguments)
        } catch {
            XCTFail("this test needs ROBOTIS's dynamixel-sdk package (\(Python.installHint)): \(error)")
            throw error
        }
    }

    /// The SDK as the host of the emulated bus: PING, READ of Model Number, WRITE of Torque Enable,
    /// SYNC WRITE of Goal Current and SYNC READ across both servos, as a user's own script would.
    func testTheSDKDrivesTheEmulatedBus() throws {
        let emulator = try BusEmulator(robot: try RepositoryFiles.robot("xm430-two-joint"), options: .init(timing: .realTime))
        defer { emulator.stop() }
        // The SDK's PortHandler starts in position mode's world; current mode is one WRITE away.
        let bus = try DynamixelBus(path: emulator.path, baud: 1_000_000, timeout: 0.2)
        for id: UInt8 in [1, 2] { try bus.write(id: id, XSeriesControlTable.operatingMode, 0) }
        bus.close()
        let output = try sdk(["session", emulator.path, "1,2"])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [String: Any]], output)
        XCTAssertEqual(json["ping"]?["1"] as? Int, 1020)
        XCTAssertEqual(json["ping"]?["2"] as? Int, 1020)
        XCTAssertEqual(json["model"]?["2"] as? Int, 1020)
        XCTAssertEqual(json["torque_enable"]?["1"] as? Int, 1)
        let read = try XCTUnwrap(json["sync_read"] as? [String: [String: Int]], output)
        XCTAssertEqual(read["1"]?["goal_current"], 10)
        XCTAssertEqual(read["2"]?["goal_current"], 20)
        XCTAssertNotNil(read["2"]?["present_position"])
        let snapshot = emulator.snapshot()
        XCTAssertEqual(snapshot.servos.map(\.torqueEnable), [0, 0], "the session ends with torque off")
        XCTAssertEqual(snapshot.damagedPackets, 0, "every packet the SDK sent decoded")
    }

    func testTheSDKAgreesWithEveryVector() throws {
        let output = try sdk(["check-vectors", RepositoryFiles.path("dynamixel-protocol/vectors.txt")])
        XCTAssertTrue(output.contains("vectors agree with dynamixel-sdk"), output)
    }

    /// What `DynamixelBus` actually writes to the line, captured on a pseudo-terminal nobody answers,
    /// is byte for byte what the SDK's own request builders make for the same requests.
    func testRequestsCapturedFromOurHostAreTheFramesTheSDKBuilds() throws {
        let terminal = try PseudoTerminal()
        defer { terminal.close() }
        let bus = try DynamixelBus(path: terminal.devicePath, baud: 1_000_000, timeout: 0.002)
        defer { bus.close() }
        let table = XSeriesControlTable.self
        let requests: [(instruction: String, id: String, parameters: String, send: () throws -> Void)] = [
            ("01", "03", "-", { _ = try bus.ping(id: 3) }),
            ("02", "01", "84000400", { _ = try bus.read(id: 1, table.presentPosition) }),
            ("03", "02", "400001", { try bus.write(id: 2, table.torqueEnable, 1) }),
            ("03", "01", "6600ecff", { try bus.write(id: 1, table.goalCurrent, -20) }),
            ("08", "01", "-", { try bus.reboot(id: 1) }),
            ("83", "fe", "660002000164000218fc", { try bus.syncWrite(table.goalCurrent, ids: [1, 2], values: [100, -1000]) }),
            ("82", "fe", "7e000a000102", { var data: [UInt8] = []; try bus.syncRead(address: 126, length: 10, ids: [1, 2], into: &data) }),
        ]
        var buffer = [UInt8](repeating: 0, count: 512)
        for request in requests {
            try? request.send()  // nobody answers; only the frame on the line matters
            usleep(2000)
            let count = try buffer.withUnsafeMutableBytes { try terminal.readAvailable(into: $0) }
            let captured = buffer[..<count].map { String(format: "%02x", $0) }.joined()
            let built = try sdk(["frame", request.instruction, request.id, request.parameters]).trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(captured, built, "instruction \(request.instruction) to \(request.id)")
        }
    }

    /// Status packets as the bus emulator builds them (stuffing included) decode with the SDK's receiver.
    func testStatusFramesFromOurEncoderDecodeWithTheSDKsReceiver() throws {
        var encoder = PacketEncoder()
        let cases: [(id: UInt8, error: UInt8, parameters: [UInt8])] = [
            (1, 0, [0xFC, 0x03, 0x2D]), (2, 0x04, []), (7, 0x80, [0xFF, 0xFF, 0xFD, 0x00, 0xFF, 0xFF, 0xFD]),
            (252, 0, Array(0...255).map { UInt8($0) }),
        ]
        var frames: [String] = []
        for item in cases {
            encoder.encode(id: item.id, instruction: .status, error: item.error, parameters: item.parameters)
            frames.append(encoder.bytes.map { String(format: "%02x", $0) }.joined())
        }
        let lines = try sdk(["decode"] + frames).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, cases.count)
        for (line, item) in zip(lines, cases) {
            let hex = item.parameters.isEmpty ? "-" : item.parameters.map { String(format: "%02x", $0) }.joined()
            XCTAssertEqual(line, "\(item.id) \(String(format: "%02x", item.error)) \(hex)")
        }
    }
}
