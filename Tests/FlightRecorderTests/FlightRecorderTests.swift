import FileAccess
import Foundation
import Hardware
import RobotModel
import Tasks
import TestSupport
import XCTest

@testable import FlightRecorder

final class FlightRecorderTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-recorder-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    /// Evaluates the scripted reacher for `episodes` episodes with a recorder watching the environment.
    private func recordEvaluation(
        robot name: String = "reacher", episodes: Int, recordEvery: Int = 1, compression: ChunkCompression = .zstd, to path: String
    ) throws -> (ReachEvaluation, RecordingReport) {
        let robot = try RepositoryFiles.robot(name)
        let environment = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
        let recorder = try FlightRecorder(
            path: path, robot: robot, pacing: .simulated(period: robot.control.period), recordEvery: recordEvery, compression: compression)
        environment.observer = recorder
        let scripted = ScriptedReacher(linkLengths: robot.links.map(\.length), stiffness: 20, damping: 0.06)
        let result = try environment.evaluate(episodes: episodes, seed: 3, act: { scripted.act(observation: $0, into: &$1) })
        return (result, recorder.close())
    }

    func testCRC32GivesTheStandardCheckValue() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        var pieces = CRC32()
        pieces.update(Array("1234".utf8))
        pieces.update(Array("56789".utf8))
        XCTAssertEqual(pieces.value, 0xCBF4_3926)
    }

    func testARecordedEvaluationReadsBackThroughTheMCAPPackageWithItsReturns() throws {
        let path = try temporaryDirectory() + "/eval.mcap"
        let (result, report) = try recordEvaluation(episodes: 3, to: path)
        XCTAssertNil(report.error)
        XCTAssertEqual(report.dropped, 0)

        let check = try RecordingCheck.read(path)
        XCTAssertTrue(check.complete)
        XCTAssertEqual(check.episodes.map(\.episode), [1, 2, 3])
        XCTAssertEqual(check.episodes.map(\.steps), [50, 50, 50])
        // JSON numbers are the doubles' shortest round-trip text: the recording holds the exact values.
        XCTAssertEqual(check.episodes.map(\.return), result.returns)
        XCTAssertEqual(check.episodes.map(\.finalDistance), result.finalDistances)
        for (index, value) in result.returns.enumerated() {
            XCTAssertEqual(check.rewardSums["\(index + 1)"] ?? .nan, value, accuracy: 1e-9)
        }
        XCTAssertEqual(check.topics["/joint_state"], 150)
        XCTAssertEqual(check.topics["/command"], 150)
        XCTAssertEqual(check.topics["/guard"], 150)
        XCTAssertEqual(check.topics["/reach"], 150)
        XCTAssertEqual(check.topics["/episode"], 6)
        XCTAssertEqual(check.topics["/arm"], 153)
        XCTAssertEqual(check.tipMismatch, 0, accuracy: 1e-12)
        XCTAssertTrue(check.schemas.contains("foxglove.SceneUpdate"))
        XCTAssertEqual(check.recorder?.samples, report.samples)
        XCTAssertEqual(check.metadata?["robot"], "reacher")
        XCTAssertEqual(check.metadata?["joint_names"], "shoulder,elbow")
        XCTAssertEqual(check.metadata?["control_period_s"], "0.02")
        // A simulated run's log times advance one control period (20 ms, in nanoseconds) per step.
        XCTAssertEqual(check.jointStateIntervals, [20_000_000])
        XCTAssertEqual(check.chunks, report.chunks)
    }

    func testZstdAndUncompressedChunksHoldTheSameMessages() throws {
        let directory = try temporaryDirectory()
        _ = try recordEvaluation(episodes: 2, compression: .zstd, to: directory + "/zstd.mcap")
        _ = try recordEvaluation(episodes: 2, compression: .none, to: directory + "/plain.mcap")
        let zstd = try RecordingCheck.read(directory + "/zstd.mcap")
        let plain = try RecordingCheck.read(directory + "/plain.mcap")
        XCTAssertEqual(zstd.compressions, ["zstd"])
        XCTAssertEqual(plain.compressions, [""])
        XCTAssertEqual(zstd.topics, plain.topics)
        XCTAssertEqual(zstd.episodes, plain.episodes)
        let sizes = try [directory + "/zstd.mcap", directory + "/plain.mcap"].map {
            try XCTUnwrap(FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int)
        }
        XCTAssertLessThan(sizes[0] * 3, sizes[1], "JSON compresses well")
    }

    func testTrainingKeepsEveryNthEpisode() throws {
        let path = try temporaryDirectory() + "/every.mcap"
        _ = try recordEvaluation(episodes: 5, recordEvery: 2, to: path)
        let check = try RecordingCheck.read(path)
        XCTAssertEqual(check.episodes.map(\.episode), [1, 3, 5])
        XCTAssertEqual(check.topics["/joint_state"], 150)
    }

    func testASixJointVerticalArmIsRecordedToo() throws {
        let path = try temporaryDirectory() + "/six.mcap"
        let (result, _) = try recordEvaluation(robot: "six-joint-planar", episodes: 1, to: path)
        let check = try RecordingCheck.read(path)
        XCTAssertEqual(check.episodes.map(\.return), result.returns)
        XCTAssertEqual(check.tipMismatch, 0, accuracy: 1e-12)
    }

    func testAFileCutShortAnywhereKeepsEveryChunkWrittenWhole() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/whole.mcap"
        // Small chunks, so that cuts fall between and inside many of them.
        let (_, report) = try recordEvaluation(episodes: 4, to: path)
        XCTAssertGreaterThan(report.chunks, 3)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        var reads: [Int] = []
        for fraction in [0.05, 0.3, 0.45, 0.5, 0.63, 0.77, 0.9, 0.99] {
            let cut = directory + "/cut.mcap"
            try bytes.prefix(Int(Double(bytes.count) * fraction)).write(to: URL(fileURLWithPath: cut))
            // The script fails unless the streaming reader yields exactly the chunks that are in the file whole.
            let check = try RecordingCheck.read(cut, streaming: true)
            XCTAssertFalse(check.complete)
            if fraction >= 0.3 { XCTAssertGreaterThanOrEqual(check.chunks, 1, "cut at \(fraction)") }
            reads.append(check.topics["/joint_state"] ?? 0)
        }
        XCTAssertEqual(reads, reads.sorted())
        XCTAssertLessThan(reads[1], 200)
        // The last 1 % is the summary: every step is in a whole chunk before it.
        XCTAssertEqual(reads.last, 200)
    }

    func testARealTimeRecorderDropsAndCountsWhatTheWriterCannotTake() throws {
        let path = try temporaryDirectory() + "/drops.mcap"
        let robot = try RepositoryFiles.robot("reacher")
        // Four rows: the loop outpaces the writer many times over and must not wait for it.
        let recorder = try FlightRecorder(path: path, robot: robot, pacing: .realTime, capacity: 4)
        let state = JointState(position: [0.1, 0.2], velocity: [0, 0], torque: [0, 0], time: 0)
        let attempts = 20_000
        for _ in 0..<attempts { recorder.record(deviceState: state, appliedTorque: [0.01, -0.01]) }
        let report = recorder.close()
        XCTAssertEqual(report.samples + report.dropped, attempts)
        XCTAssertGreaterThan(report.dropped, 0)
        let check = try RecordingCheck.read(path)
        XCTAssertEqual(check.recorder?.droppedSamples, report.dropped)
        XCTAssertEqual(check.topics["/joint_state"], report.samples)
    }

    func testASimulatedRecorderWaitsInsteadOfDropping() throws {
        let path = try temporaryDirectory() + "/lossless.mcap"
        let robot = try RepositoryFiles.robot("reacher")
        let recorder = try FlightRecorder(path: path, robot: robot, pacing: .simulated(period: 0.02), capacity: 4)
        let state = JointState(position: [0.1, 0.2], velocity: [0, 0], torque: [0, 0], time: 0)
        for _ in 0..<400 { recorder.record(deviceState: state, appliedTorque: [0.01, -0.01]) }
        let report = recorder.close()
        XCTAssertEqual(report.dropped, 0)
        XCTAssertEqual(try RecordingCheck.read(path).topics["/joint_state"], 400)
    }

    func testAWriteErrorEndsTheRecordingButNotTheRunAndKeepsTheChunksBeforeIt() throws {
        let path = try temporaryDirectory() + "/full.mcap"
        let robot = try RepositoryFiles.robot("reacher")
        // A file-size limit stands in for a full disk: writes past it fail (EFBIG) as ENOSPC would.
        var previous = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &previous)
        let oldHandler = signal(SIGXFSZ, SIG_IGN)
        var limited = previous
        limited.rlim_cur = 120_000
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limited)
        let report: RecordingReport
        do {
            defer {
                setrlimit(Int32(RLIMIT_FSIZE.rawValue), &previous)
                signal(SIGXFSZ, oldHandler)
            }
            let recorder = try FlightRecorder(path: path, robot: robot, pacing: .simulated(period: 0.02))
            let state = JointState(position: [0.1, 0.2], velocity: [0, 0], torque: [0, 0], time: 0)
            // About 800 bytes a sample: the limit is passed after a few chunks. The loop goes on regardless.
            for _ in 0..<2_000 { recorder.record(deviceState: state, appliedTorque: [0.01, -0.01]) }
            report = recorder.close()
        }
        XCTAssertEqual(report.samples, 2_000)
        let error = try XCTUnwrap(report.error)
        XCTAssertEqual(error.problem, .system(code: EFBIG, text: errnoText(EFBIG)))
        XCTAssertTrue(report.description.contains("recording stopped early"), report.description)
        let check = try RecordingCheck.read(path, streaming: true)
        XCTAssertFalse(check.complete)
        XCTAssertGreaterThanOrEqual(check.chunks, 1)
        XCTAssertLessThan(check.topics["/joint_state"] ?? 0, 2_000)
    }

    private func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }

    func testAPathThatCannotHoldARecordingIsRefusedBeforeAnything() throws {
        let directory = try temporaryDirectory()
        let robot = try RepositoryFiles.robot("reacher")
        XCTAssertThrowsError(try FlightRecorder(path: directory + "/missing/run.mcap", robot: robot, pacing: .realTime)) { error in
            XCTAssertEqual((error as? FileError)?.problem, .missingDirectory(directory + "/missing"))
        }
        XCTAssertThrowsError(try FlightRecorder(path: directory, robot: robot, pacing: .realTime)) { error in
            XCTAssertEqual((error as? FileError)?.problem, .notRegularFile(.directory))
        }
    }

    func testAnEarlierRecordingUnderTheSameNameIsReplaced() throws {
        let path = try temporaryDirectory() + "/again.mcap"
        _ = try recordEvaluation(episodes: 3, to: path)
        _ = try recordEvaluation(episodes: 1, to: path)
        XCTAssertEqual(try RecordingCheck.read(path).episodes.count, 1)
    }
}
