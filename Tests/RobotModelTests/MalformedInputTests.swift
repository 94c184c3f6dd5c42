import DeterministicRandom
import Foundation
import RobotModel
import TestSupport
import XCTest

/// No input, however malformed, may crash the loader: it must return a description or errors.
final class MalformedInputTests: XCTestCase {
    func loadNeverCrashes(_ data: Data, file: String = "fuzz.yaml") -> Result<RobotDescription, DescriptionError> {
        do {
            return .success(try RobotDescription.parse(data: data, file: file))
        } catch {
            XCTAssertFalse(error.problems.isEmpty, "an error must carry at least one problem")
            return .failure(error)
        }
    }

    func testEmptyAndWhitespaceFilesAreErrors() {
        for text in ["", "\n\n", "   ", "# only a comment\n", "---\n", "~"] {
            guard case .failure = loadNeverCrashes(Data(text.utf8)) else { return XCTFail("accepted '\(text)'") }
        }
    }

    func testBinaryDataIsRejectedAsNotText() {
        var random = Xoshiro256(seed: 7)
        for _ in 0..<50 {
            let bytes = (0..<Int(random.next() % 4096)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if case .success = loadNeverCrashes(Data(bytes)) { XCTFail("accepted random bytes") }
        }
        let result = loadNeverCrashes(Data([0x6E, 0x61, 0x00, 0xFF, 0x01]))
        if case .failure(let error) = result { XCTAssertEqual(error.problems[0].kind, .notText) }
    }

    func testDeepNestingIsRefusedBeforeParsing() {
        for text in [
            String(repeating: "[", count: 200_000), String(repeating: "{a: ", count: 100_000),
            String(repeating: "- ", count: 200_000) + "x",
            (0..<1000).map { String(repeating: " ", count: $0) + "k:" }.joined(separator: "\n"),
        ] {
            guard case .failure(let error) = loadNeverCrashes(Data(text.utf8)) else { return XCTFail("accepted nesting") }
            XCTAssertEqual(error.problems[0].kind, .tooDeeplyNested(limit: RobotDescription.maximumNesting))
        }
    }

    func testHugeFilesAreRefusedWithTheirSize() {
        let huge = Data(repeating: UInt8(ascii: "a"), count: RobotDescription.maximumFileSize + 1)
        guard case .failure(let error) = loadNeverCrashes(huge) else { return XCTFail("accepted a huge file") }
        XCTAssertEqual(error.problems[0].kind, .tooLarge(bytes: huge.count, limit: RobotDescription.maximumFileSize))
        let longList = "joints: [" + Array(repeating: "1", count: 100_000).joined(separator: ",") + "]"
        if case .success = loadNeverCrashes(Data(longList.utf8)) { XCTFail("accepted a list of numbers as a robot") }
    }

    func testAliasBombsAreHarmless() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1..<20 { text += "a\(i): &a\(i) [*a\(i - 1), *a\(i - 1), *a\(i - 1), *a\(i - 1), *a\(i - 1)]\n" }
        text += "name: *a19\ncontrol: {rate_hz: 50}\njoints: *a19\nlinks: *a19\n"
        if case .success = loadNeverCrashes(Data(text.utf8)) { XCTFail("accepted an alias bomb") }
    }

    func testMutatedDescriptionsNeverCrash() throws {
        var random = Xoshiro256(seed: 2026)
        let originals = try ["robots/reacher.yaml", "robots/two-joint-arm.yaml", "robots/six-joint-planar.yaml"].map {
            try Data(contentsOf: URL(fileURLWithPath: RepositoryFiles.path($0)))
        }
        let interesting = Array(":-[]{},&*!|>'\"#%@`?\n \t0.-e.inf~".utf8)
        var accepted = 0
        for iteration in 0..<1500 {
            var bytes = [UInt8](originals[iteration % originals.count])
            let edits = 1 + Int(random.next() % 6)
            for _ in 0..<edits {
                let position = Int(random.next() % UInt64(max(1, bytes.count)))
                switch random.next() % 5 {
                case 0 where !bytes.isEmpty: bytes.remove(at: position)
                case 1: bytes.insert(interesting[Int(random.next() % UInt64(interesting.count))], at: position)
                case 2 where !bytes.isEmpty: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 3 where !bytes.isEmpty:
                    let end = min(bytes.count, position + Int(random.next() % 200))
                    let chunk = Array(bytes[position..<end])
                    bytes.insert(contentsOf: chunk, at: Int(random.next() % UInt64(bytes.count)))
                default:
                    if !bytes.isEmpty { bytes.removeSubrange(position..<min(bytes.count, position + Int(random.next() % 40))) }
                }
            }
            if case .success(let robot) = loadNeverCrashes(Data(bytes)) {
                accepted += 1
                // Whatever got through must still satisfy the invariants the rest of the code relies on.
                XCTAssertFalse(robot.joints.isEmpty)
                XCTAssertEqual(robot.joints.count, robot.links.count)
                for joint in robot.joints { XCTAssertLessThan(joint.torque.low, joint.torque.high) }
                for link in robot.links {
                    XCTAssertGreaterThan(link.length, 0)
                    XCTAssertGreaterThan(link.inertial.mass, 0)
                    XCTAssertTrue(link.inertial.inertia.isFinite)
                }
            }
        }
        XCTAssertLessThan(accepted, 1500, "mutations should break most files")
    }
}
