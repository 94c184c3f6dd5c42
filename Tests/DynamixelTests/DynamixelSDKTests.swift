import Dynamixel
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

    func testTheSDKAgreesWithEveryVector() throws {
        let output = try sdk(["check-vectors", RepositoryFiles.path("dynamixel-protocol/vectors.txt")])
        XCTAssertTrue(output.contains("vectors agree with dynamixel-sdk"), output)
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
