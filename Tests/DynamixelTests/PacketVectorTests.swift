import Dynamixel
import TestSupport
import XCTest

/// The host codec against dynamixel-protocol/vectors.txt, which ROBOTIS's SDK also checks
/// (`DynamixelSDKTests`): every CRC, every instruction frame built byte for byte, every status
/// frame decoded to its fields, every damaged frame rejected.
final class PacketVectorTests: XCTestCase {
    private struct Vector {
        var line: Int
        var kind: String
        var name: String
        var fields: [String]
    }

    private func vectors() throws -> [Vector] {
        let text = try String(contentsOfFile: RepositoryFiles.path("dynamixel-protocol/vectors.txt"), encoding: .utf8)
        var result: [Vector] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(separator: " ").map(String.init)
            guard let kind = fields.first, !kind.hasPrefix("#") else { continue }
            result.append(Vector(line: index + 1, kind: kind, name: fields[1], fields: Array(fields.dropFirst(2))))
        }
        return result
    }

    private func bytes(_ hex: String) -> [UInt8] {
        guard hex != "-" else { return [] }
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return out
    }

    func testEveryVectorKindIsPresent() throws {
        let kinds = Set(try vectors().map(\.kind))
        XCTAssertEqual(kinds, ["crc", "instruction", "status", "damaged"])
    }

    func testCRCsMatchTheVectors() throws {
        for vector in try vectors() where vector.kind == "crc" {
            XCTAssertEqual(PacketCRC.checksum(bytes(vector.fields[0])), UInt16(vector.fields[1], radix: 16), vector.name)
        }
    }

    func testInstructionPacketsEncodeToTheVectorsFrames() throws {
        var encoder = PacketEncoder()
        for vector in try vectors() where vector.kind == "instruction" {
            let id = UInt8(vector.fields[0], radix: 16)!
            let instruction = UInt8(vector.fields[1], radix: 16)!
            bytes(vector.fields[2]).withUnsafeBufferPointer { encoder.encode(id: id, instruction: instruction, parameters: $0) }
            XCTAssertEqual(encoder.bytes, bytes(vector.fields[3]), "line \(vector.line): \(vector.name)")
        }
    }

    func testInstructionFramesDecodeBackToTheirFields() throws {
        for vector in try vectors() where vector.kind == "instruction" {
            var decoder = PacketDecoder(direction: .instructions)
            decoder.append(bytes(vector.fields[3]))
            let parameters = bytes(vector.fields[2])
            XCTAssertEqual(
                decoder.next(),
                .packet(
                    id: UInt8(vector.fields[0], radix: 16)!, instruction: UInt8(vector.fields[1], radix: 16)!, error: nil,
                    parameterCount: parameters.count), vector.name)
            XCTAssertEqual(decoder.parameters, parameters, vector.name)
            XCTAssertNil(decoder.next())
        }
    }

    func testStatusPacketsEncodeAndDecodeAsTheVectorsSay() throws {
        var encoder = PacketEncoder()
        for vector in try vectors() where vector.kind == "status" {
            let id = UInt8(vector.fields[0], radix: 16)!
            let error = UInt8(vector.fields[1], radix: 16)!
            let parameters = bytes(vector.fields[2])
            let frame = bytes(vector.fields[3])
            encoder.encode(id: id, instruction: .status, error: error, parameters: parameters)
            XCTAssertEqual(encoder.bytes, frame, "line \(vector.line): \(vector.name)")
            var decoder = PacketDecoder(direction: .statuses)
            decoder.append(frame)
            XCTAssertEqual(decoder.next(), .packet(id: id, instruction: 0x55, error: error, parameterCount: parameters.count), vector.name)
            XCTAssertEqual(decoder.parameters, parameters, vector.name)
        }
    }

    func testDamagedFramesAreReportedNotDecoded() throws {
        for vector in try vectors() where vector.kind == "damaged" {
            var decoder = PacketDecoder(direction: .statuses)
            decoder.append(bytes(vector.fields[0]))
            guard case .damaged = decoder.next() else { return XCTFail("\(vector.name) was not reported damaged") }
        }
    }

    /// Noise before a packet, a packet split across reads and two packets in one read: what a
    /// serial port delivers.
    func testTheDecoderFindsPacketsInAStreamWhateverTheReadBoundaries() throws {
        let status = try vectors().filter { $0.kind == "status" }
        let stream: [UInt8] = [0x00, 0xFF, 0x12, 0xFF, 0xFF] + status.flatMap { (vector: Vector) -> [UInt8] in bytes(vector.fields[3]) }
        for chunk in [1, 2, 3, 7, 64] {
            var decoder = PacketDecoder(direction: .statuses)
            var found: [UInt8] = []
            var offset = 0
            while offset < stream.count {
                decoder.append(Array(stream[offset..<min(offset + chunk, stream.count)]))
                offset += chunk
                while case .packet(let id, _, _, _) = decoder.next() { found.append(id) }
            }
            XCTAssertEqual(found, status.map { UInt8($0.fields[0], radix: 16)! }, "reads of \(chunk) bytes")
            XCTAssertEqual(decoder.skippedBytes, 5, "reads of \(chunk) bytes")
        }
    }

    func testStatusErrorsNameTheirKindAndAlert() {
        let error = StatusError(rawValue: 0x87)
        XCTAssertTrue(error.alert)
        XCTAssertEqual(error.kind, .access)
        XCTAssertFalse(error.succeeded)
        XCTAssertTrue(StatusError(rawValue: 0x80).succeeded, "an alert alone does not fail the instruction")
        XCTAssertTrue(error.description.contains("access error") && error.description.contains("hardware alert"))
    }
}
