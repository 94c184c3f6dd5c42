import Foundation
import TestSupport
import XCTest

@testable import Training

final class TensorBoardWriterTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("TensorBoardTests-\(UUID().uuidString)").path
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    // MARK: - Encoding against known bytes

    func testCRC32CMatchesTheStandardCheckValueAndRFC3720Vectors() {
        XCTAssertEqual(CRC32C.checksum(Array("123456789".utf8)), 0xE306_9283)
        XCTAssertEqual(CRC32C.checksum([]), 0)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0, count: 32)), 0x8A91_36AA)
        XCTAssertEqual(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)), 0x62A8_AB43)
        XCTAssertEqual(CRC32C.checksum((0..<32).map { UInt8($0) }), 0x46DD_794E)
    }

    func testMaskedCRCMatchesTensorFlow() {
        // Values from TensorFlow's masked_crc32c (via tensorboard's pure-Python copy).
        XCTAssertEqual(CRC32C.masked(CRC32C.checksum(Array("123456789".utf8))), 0xC78A_B0E5)
        XCTAssertEqual(CRC32C.masked(0), 0xA282_EAD8)
    }

    func testVarints() {
        let cases: [(UInt64, [UInt8])] = [
            (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
            (16_384, [0x80, 0x80, 0x01]),
            (UInt64.max, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
            (UInt64(bitPattern: -2), [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ]
        for (value, expected) in cases {
            var bytes = [UInt8]()
            Protobuf.appendVarint(value, to: &bytes)
            XCTAssertEqual(bytes, expected, "\(value)")
        }
    }

    func testScalarEventBytes() {
        // Event{wall_time: 1.5, step: 300, summary{value{tag: "a", simple_value: 1}}}:
        // 09 <1.5 as LE double>, 10 <varint 300>, 2A <len 10> { 0A <len 8> { 0A 01 'a', 15 <1.0 as LE float> } }
        XCTAssertEqual(
            TensorBoardEvent.scalar(tag: "a", value: 1, step: 300, wallTime: 1.5),
            [
                0x09, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F, 0x10, 0xAC, 0x02, 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x61,
                0x15, 0x00, 0x00, 0x80, 0x3F,
            ])
        // A zero value is still written (it is a oneof member); a negative step takes ten bytes.
        XCTAssertEqual(
            TensorBoardEvent.scalar(tag: "losses/qf1_loss", value: 0, step: -1, wallTime: 2),
            [
                0x09, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                0x2A, 0x18, 0x0A, 0x16, 0x0A, 0x0F,
            ] + Array("losses/qf1_loss".utf8) + [0x15, 0, 0, 0, 0])
        // Step 0 and wall time 0 are protobuf defaults and left out, as protobuf's own encoder does.
        XCTAssertEqual(
            TensorBoardEvent.scalar(tag: "t", value: -2, step: 0, wallTime: 0),
            [0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, 0x74, 0x15, 0x00, 0x00, 0x00, 0xC0])
    }

    func testFileVersionEventBytes() {
        XCTAssertEqual(
            TensorBoardEvent.fileVersion(wallTime: 1_700_000_000.25),
            [0x09, 0x00, 0x00, 0x10, 0x40, 0xFC, 0x54, 0xD9, 0x41, 0x1A, 0x0D] + Array("brain.Event:2".utf8))
    }

    func testRecordFraming() {
        let data = TensorBoardEvent.scalar(tag: "a", value: 1, step: 300, wallTime: 1.5)
        XCTAssertEqual(
            TFRecord.frame(data),
            [
                0x18, 0, 0, 0, 0, 0, 0, 0,  // length 24
                0xA3, 0x7F, 0x4B, 0x22,
            ]  // masked CRC-32C of the length bytes
                + data
                + [0xE3, 0xD5, 0x97, 0x0B])  // masked CRC-32C of the data
    }

    // MARK: - Files

    func testEventFileIsNamedByTimeAndHostAndStartsWithTheVersion() throws {
        let writer = try TensorBoardWriter(directory: directory, now: 1_700_000_000.75)
        defer { writer.close() }
        let name = URL(fileURLWithPath: writer.path).lastPathComponent
        XCTAssertTrue(name.hasPrefix("events.out.tfevents.1700000000."), name)
        XCTAssertFalse(name.dropFirst("events.out.tfevents.1700000000.".count).isEmpty, "the host name follows")
        XCTAssertEqual(
            URL(fileURLWithPath: writer.path).deletingLastPathComponent().standardizedFileURL.path,
            URL(fileURLWithPath: directory).standardizedFileURL.path)
        let records = try readRecords(writer.path)
        XCTAssertEqual(records, [TensorBoardEvent.fileVersion(wallTime: 1_700_000_000.75)])
    }

    func testRecordsAreBufferedUntilFlushAndClose() throws {
        let writer = try TensorBoardWriter(directory: directory, now: 1)
        try writer.add(scalar: 1, tag: "a", step: 1, wallTime: 2)
        XCTAssertEqual(try readRecords(writer.path).count, 1, "only the version record before a flush")
        try writer.flush()
        XCTAssertEqual(try readRecords(writer.path).count, 2)
        try writer.add(scalar: 2, tag: "a", step: 2, wallTime: 3)
        writer.close()
        let records = try readRecords(writer.path)
        XCTAssertEqual(records.last, TensorBoardEvent.scalar(tag: "a", value: 2, step: 2, wallTime: 3))
        writer.close()  // a second close does nothing
        XCTAssertThrowsError(try writer.add(scalar: 3, tag: "a", step: 3, wallTime: 4)) { error in
            XCTAssertEqual(error as? ScalarLogError, .closed(path: writer.path))
        }
    }

    func testWritersStartedInTheSameSecondGetSeparateFilesInOrder() throws {
        let paths = try (0..<12).map { _ in
            let writer = try TensorBoardWriter(directory: directory, now: 1_700_000_000)
            writer.close()
            return writer.path
        }
        XCTAssertEqual(Set(paths).count, 12)
        XCTAssertEqual(paths.sorted(), paths, "TensorBoard reads files in name order; later runs must sort later")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).count, 12)
    }

    func testErrorsNameThePath() throws {
        let blocker = "\(directory!)-file"
        XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data()))
        defer { try? FileManager.default.removeItem(atPath: blocker) }
        XCTAssertThrowsError(try TensorBoardWriter(directory: "\(blocker)/run")) { error in
            guard case .cannotCreateDirectory(let path, _) = error as? ScalarLogError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, "\(blocker)/run")
            XCTAssertTrue("\(error)".contains(path))
        }
        XCTAssertThrowsError(try ScalarLog(directory: blocker)) { error in
            guard case .cannotCreateDirectory(blocker, _) = error as? ScalarLogError else { return XCTFail("\(error)") }
        }
    }

    // MARK: - The CSV and resuming

    func testScalarLogWritesTheCSVAndResumesWithoutASecondHeader() throws {
        let first = try ScalarLog(directory: directory, now: 1_700_000_000)
        try first.add(scalar: 1.5, tag: "charts/episodic_return", step: 50, wallTime: 1_700_000_001.5)
        try first.add(scalar: 0.1, tag: "odd, \"tag\"", step: 100, wallTime: 1_700_000_002)
        first.close()
        let second = try ScalarLog(directory: directory, now: 1_700_000_000)
        try second.add(scalar: -3, tag: "charts/episodic_return", step: 150, wallTime: 1_700_000_003.25)
        second.close()
        XCTAssertNotEqual(first.eventFilePath, second.eventFilePath)
        XCTAssertEqual(
            try String(contentsOfFile: second.csvPath, encoding: .utf8),
            #"""
            step,tag,value,wall_time
            50,charts/episodic_return,1.5,1700000001.5
            100,"odd, ""tag""",0.1,1700000002.0
            150,charts/episodic_return,-3.0,1700000003.25

            """#)
    }

    func testScalarLogDropsARowCutOffByACrash() throws {
        let csv = "\(directory!)/scalars.csv"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "step,tag,value,wall_time\n1,a,1.0,5.0\n2,a,2.".write(toFile: csv, atomically: true, encoding: .utf8)
        let log = try ScalarLog(directory: directory, now: 10)
        try log.add(scalar: 3, tag: "a", step: 3, wallTime: 6)
        log.close()
        XCTAssertEqual(
            try String(contentsOfFile: csv, encoding: .utf8), "step,tag,value,wall_time\n1,a,1.0,5.0\n3,a,3.0,6.0\n")
    }

    func testScalarLogRefusesAFileItDidNotWrite() throws {
        let csv = "\(directory!)/scalars.csv"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "time,loss\n1,2\n".write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ScalarLog(directory: directory)) { error in
            XCTAssertEqual(error as? ScalarLogError, .unexpectedCSVHeader(path: csv, found: "time,loss"))
            XCTAssertTrue("\(error)".contains("move the file away"))
        }
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory), ["scalars.csv"],
            "a refused directory gets no event file")
    }

    func testScalarLogIsTheTrainersSink() throws {
        let log = try ScalarLog(directory: directory, now: 1)
        let sink: ScalarSink = log
        try sink.record(0.25, tag: "losses/actor_loss", step: 7)
        try sink.flush()
        let rows = try String(contentsOfFile: log.csvPath, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(rows.last!.hasPrefix("7,losses/actor_loss,0.25,"), String(rows.last!))
        log.close()
    }

    // MARK: - TensorBoard itself reads the files

    func testTensorBoardReadsCleanRLTagsAcrossAResume() throws {
        let tags = [
            "charts/episodic_return", "charts/episodic_length", "charts/SPS", "losses/qf1_loss",
            "losses/actor_loss", "losses/qf1_values",
        ]
        let values: [Float] = [-4.125, 50, 1234, 0.0031415, -0.5, 1e-8, 3.4e38, 0, 1.0 / 3.0, -123.456]
        var expected = [String: [[Double]]]()
        var log = try ScalarLog(directory: directory, now: 1_700_000_000)
        for step in stride(from: Int64(100), through: 2000, by: 100) {
            if step == 1100 {
                // A resumed run: the same directory, a new event file.
                log.close()
                log = try ScalarLog(directory: directory, now: 1_700_000_000)
            }
            for (index, tag) in tags.enumerated() {
                let value = values[(Int(step) / 100 + index) % values.count]
                try log.add(scalar: value, tag: tag, step: step, wallTime: 1_700_000_000 + Double(step))
                expected[tag, default: []].append([Double(step), Double(value)])
            }
        }
        log.close()

        let read = try readWithTensorBoard(directory)
        XCTAssertEqual(Set(read.keys), Set(tags))
        for tag in tags {
            let points = try XCTUnwrap(read[tag], tag)
            XCTAssertEqual(points.map { $0[0] }, expected[tag]!.map { $0[0] }, "steps of \(tag)")
            // TensorBoard hands back the float32 widened to double; narrowing it again must be exact.
            XCTAssertEqual(points.map { Float($0[1]) }, expected[tag]!.map { Float($0[1]) }, "values of \(tag)")
        }
        let csvRows = try String(contentsOfFile: "\(directory!)/scalars.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csvRows.count, 1 + 20 * tags.count)
    }

    /// A checkpoint's mark is what a resume keeps: rows logged after it (by the run that crashed, and by a resume
    /// that crashed before its own first checkpoint) are dropped from scalars.csv and from what TensorBoard shows.
    func testResumingAtACheckpointsMarkDropsWhatWasLoggedAfterIt() throws {
        func log(_ log: ScalarLog, _ steps: ClosedRange<Int>) throws {
            for step in steps {
                try log.add(scalar: Float(step), tag: "charts/episodic_return", step: Int64(step * 100), wallTime: 1_700_000_000 + Double(step))
            }
        }
        let first = try ScalarLog(directory: directory, now: 1_700_000_000)
        try log(first, 1...10)
        let mark = try first.flushToDisk()
        try log(first, 11...15)
        first.close()
        let crashedResume = try ScalarLog(directory: directory, now: 1_700_000_001, resumingAt: nil)
        try log(crashedResume, 11...12)
        crashedResume.close()

        let resumed = try ScalarLog(directory: directory, now: 1_700_000_002, resumingAt: mark)
        try log(resumed, 11...20)
        resumed.close()
        let points = try XCTUnwrap(try readWithTensorBoard(directory)["charts/episodic_return"])
        XCTAssertEqual(points.map { $0[0] }, (1...20).map { Double($0 * 100) })
        XCTAssertEqual(points.map { $0[1] }, (1...20).map { Double($0) })
        let csvRows = try String(contentsOfFile: "\(directory!)/scalars.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csvRows.dropFirst().map { Int($0.split(separator: ",")[0])! }, (1...20).map { $0 * 100 })
    }

    // MARK: - Helpers

    /// The data of every TFRecord in a file, checking both CRCs of each.
    private func readRecords(_ path: String) throws -> [[UInt8]] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        func littleEndian(_ range: Range<Int>) -> UInt64 { bytes[range].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        var records = [[UInt8]]()
        var offset = 0
        while offset < bytes.count {
            let length = Int(littleEndian(offset..<(offset + 8)))
            XCTAssertEqual(
                UInt32(littleEndian((offset + 8)..<(offset + 12))),
                CRC32C.masked(CRC32C.checksum(bytes[offset..<(offset + 8)])))
            let data = Array(bytes[(offset + 12)..<(offset + 12 + length)])
            XCTAssertEqual(
                UInt32(littleEndian((offset + 12 + length)..<(offset + 16 + length))),
                CRC32C.masked(CRC32C.checksum(data)))
            records.append(data)
            offset += 16 + length
        }
        return records
    }

    /// Runs `scripts/read-tensorboard.py` on a run directory: {tag: [[step, value], ...]}.
    private func readWithTensorBoard(_ run: String) throws -> [String: [[Double]]] {
        do {
            _ = try Python.run(["-c", "import tensorboard"])
        } catch {
            XCTFail(
                "this test needs the tensorboard package (\(Python.installHint)): \(error)")
            throw error
        }
        let output = try Python.run([RepositoryFiles.path("scripts/read-tensorboard.py"), run])
        let json = try JSONSerialization.jsonObject(with: Data(output.utf8))
        return try XCTUnwrap(json as? [String: [[Double]]], output)
    }
}
