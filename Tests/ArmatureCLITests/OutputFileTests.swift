import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// What the commands do with the paths they write and read when those are not plain files, and how they say
/// what is wrong.
final class OutputFileTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock {
            chmod(directory.path, 0o755)
            try? FileManager.default.removeItem(at: directory)
        }
        return directory.path
    }

    private func kind(_ path: String) -> mode_t {
        var info = stat()
        XCTAssertEqual(lstat(path, &info), 0, path)
        return info.st_mode & S_IFMT
    }

    private func replay(out: String, honouringPermissions: Bool = false) throws -> CommandRunner.Result {
        try CommandRunner.armature(
            [
                "replay", "--robot", "robots/reacher.yaml", "--actions", "reference/mujoco/random_uniform_seed1.actions.csv",
                "--initial-q", "0.3,-0.5", "--out", out,
            ], honouringPermissions: honouringPermissions)
    }

    private let small = ["--hidden", "16,16", "--batch-size", "16", "--learning-starts", "100", "--seed", "3"]

    // MARK: - Item 6: only regular files are replaced

    func testReplayOutRefusesAFIFOAndLeavesItAFIFO() throws {
        let fifo = try temporaryDirectory() + "/trajectory.csv"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let result = try replay(out: fifo)
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertTrue(result.stderr.contains("\(fifo): cannot write: it is a FIFO"), result.stderr)
        XCTAssertEqual(kind(fifo), S_IFIFO, "the FIFO is not replaced by a regular file")
    }

    func testReplayOutThroughASymlinkReplacesTheFileItLeadsToAndKeepsTheLink() throws {
        let directory = try temporaryDirectory()
        try "old\n".write(toFile: directory + "/real.csv", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/latest.csv", withDestinationPath: "real.csv")
        let result = try replay(out: directory + "/latest.csv")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(kind(directory + "/latest.csv"), S_IFLNK, "the link is kept")
        XCTAssertTrue(try String(contentsOfFile: directory + "/real.csv", encoding: .utf8).hasPrefix("step,q0,q1"))
    }

    func testEvalSummaryRefusesAFIFOAndLeavesItAFIFO() throws {
        let directory = try temporaryDirectory()
        let run = directory + "/run"
        let trained = try CommandRunner.armature(["train", "--steps", "100", "--out", run] + small)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let fifo = directory + "/summary.json"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let result = try CommandRunner.armature(["eval", "--policy", run + "/actor.safetensors", "--episodes", "1", "--summary", fifo])
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertTrue(result.stderr.contains("\(fifo): cannot write: it is a FIFO"), result.stderr)
        XCTAssertEqual(kind(fifo), S_IFIFO)
    }

    // MARK: - Item 12: messages that say what is wrong and what to do

    func testPolicyThatIsADirectoryOrAFIFOSaysWhatItIs() throws {
        let directory = try temporaryDirectory()
        let asDirectory = try CommandRunner.armature(["eval", "--policy", directory, "--episodes", "1"])
        XCTAssertEqual(asDirectory.status, 1)
        XCTAssertEqual(asDirectory.stderr, "error: \(directory): cannot read: it is a directory; give the path of a file in it\n")
        let fifo = directory + "/actor.safetensors"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let asFIFO = try CommandRunner.armature(["eval", "--policy", fifo, "--episodes", "1"])
        XCTAssertEqual(asFIFO.status, 1)
        XCTAssertEqual(asFIFO.stderr, "error: \(fifo): cannot read: it is a FIFO (named pipe), not a regular file; give the path of a file\n")
    }

    func testOutputIntoAMissingDirectorySaysWhichDirectoryIsMissing() throws {
        let missing = try temporaryDirectory() + "/no/such"
        let result = try replay(out: missing + "/trajectory.csv")
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(
            result.stderr.contains("\(missing)/trajectory.csv: cannot write: the directory \(missing) does not exist; create it or choose another"),
            result.stderr)
    }

    func testOutputIntoAReadOnlyDirectorySaysTheDirectoryIsReadOnly() throws {
        try XCTSkipIf(geteuid() == 0 && !FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), "as root this needs setpriv")
        let directory = try temporaryDirectory()
        XCTAssertEqual(chmod(directory, 0o555), 0)
        let result = try replay(out: directory + "/trajectory.csv", honouringPermissions: true)
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertTrue(result.stderr.contains("the directory \(directory) is read-only for this user"), result.stderr)
        XCTAssertFalse(result.stderr.contains("You don"), result.stderr)
    }

    // MARK: - Item 7: one train per run directory

    func testTrainRefusesARunDirectoryAnotherProcessHolds() throws {
        let run = try temporaryDirectory()
        // The lock as another `armature train` holds it: an flock on armature.lock in the run directory.
        let descriptor = open(run + "/armature.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        XCTAssertGreaterThanOrEqual(descriptor, 0)
        defer { close(descriptor) }
        XCTAssertEqual(flock(descriptor, LOCK_EX | LOCK_NB), 0)
        _ = "armature train (process 4242)\n".withCString { write(descriptor, $0, strlen($0)) }
        let result = try CommandRunner.armature(["train", "--steps", "100", "--out", run] + small)
        XCTAssertEqual(result.status, 1, result.stdout)
        XCTAssertEqual(
            result.stderr,
            "error: \(run): cannot lock: armature train (process 4242) is using it; wait for it to finish, stop it, or choose another directory\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: run), ["armature.lock"], "nothing written beside the lock")
    }

    // MARK: - Item 10: scalars on disk with each checkpoint, none duplicated by a resume

    /// A run killed after a checkpoint has its scalars up to that checkpoint on disk; the lock it held does not
    /// block the resume; the resume drops what was logged after the checkpoint, so no step appears twice.
    func testAKilledRunKeepsItsScalarsToTheCheckpointAndResumesWithoutDuplicates() throws {
        let run = try temporaryDirectory() + "/run"
        let process = Process()
        process.executableURL = CommandRunner.executable
        process.arguments = ["train", "--steps", "1000000", "--buffer-size", "20000", "--checkpoint-every", "200", "--out", run] + small
        process.currentDirectoryURL = RepositoryFiles.root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let checkpoint = run + "/checkpoint.safetensors"
        let deadline = Date().addingTimeInterval(120)
        while !FileManager.default.fileExists(atPath: checkpoint), process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let step = try checkpointStep(checkpoint)
        XCTAssertGreaterThanOrEqual(step, 200)

        let rows = try csvRows(run + "/scalars.csv")
        let returns = rows.filter { $0.tag == "charts/episodic_return" }.map(\.step)
        XCTAssertTrue(returns.contains(step), "the checkpoint's last episode is on disk: \(returns.suffix(5)) at checkpoint \(step)")

        let resumed = try CommandRunner.armature(["train", "--steps", String(step + 300), "--resume", "--out", run] + small)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        for (tag, steps) in Dictionary(grouping: try csvRows(run + "/scalars.csv"), by: \.tag).mapValues({ $0.map(\.step) }) {
            XCTAssertEqual(steps, Array(Set(steps)).sorted(), "scalars.csv: \(tag) steps increase and none repeats")
        }
        for (tag, points) in try readWithTensorBoard(run) {
            let steps = points.map { Int($0[0]) }
            XCTAssertEqual(steps, Array(Set(steps)).sorted(), "TensorBoard: \(tag) steps increase and none repeats")
        }
    }

    /// Resuming from an earlier checkpoint than the run's last (the crash case, made deterministic) drops the
    /// scalars logged after it, in scalars.csv and in what TensorBoard shows.
    func testResumingFromAnEarlierCheckpointDropsTheScalarsLoggedAfterIt() throws {
        let run = try temporaryDirectory() + "/run"
        let checkpoint = run + "/checkpoint.safetensors"
        XCTAssertEqual(try CommandRunner.armature(["train", "--steps", "300", "--checkpoint-every", "0", "--out", run] + small).status, 0)
        let rowsAt300 = try csvRows(run + "/scalars.csv")
        let saved = try Data(contentsOf: URL(fileURLWithPath: checkpoint))
        XCTAssertEqual(
            try CommandRunner.armature(["train", "--steps", "600", "--checkpoint-every", "0", "--resume", "--out", run] + small).status, 0)
        try saved.write(to: URL(fileURLWithPath: checkpoint))
        let resumed = try CommandRunner.armature(["train", "--steps", "600", "--checkpoint-every", "0", "--resume", "--out", run] + small)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let rows = try csvRows(run + "/scalars.csv")
        XCTAssertEqual(Array(rows.prefix(rowsAt300.count)), rowsAt300, "the rows up to the checkpoint are kept")
        XCTAssertEqual(rows.filter { $0.tag == "charts/episodic_return" }.map(\.step), Array(stride(from: 50, through: 600, by: 50)))
        for (tag, points) in try readWithTensorBoard(run) {
            let steps = points.map { Int($0[0]) }
            XCTAssertEqual(steps, Array(Set(steps)).sorted(), "TensorBoard: \(tag) steps increase and none repeats")
            XCTAssertEqual(steps.last.map { $0 > 300 }, true, tag)
        }
    }

    // MARK: - Helpers

    private struct Row: Equatable {
        var step: Int
        var tag: String
    }

    private func csvRows(_ path: String) throws -> [Row] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map { line in
            let cells = line.split(separator: ",")
            return Row(step: Int(cells[0]) ?? -1, tag: String(cells[1]))
        }
    }

    /// The trainer's step recorded in a checkpoint's metadata (the safetensors header is JSON).
    private func checkpointStep(_ path: String) throws -> Int {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let length = bytes[0..<8].reversed().reduce(0) { $0 << 8 | Int($1) }
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + length)])) as? [String: Any])
        let metadata = try XCTUnwrap(header["__metadata__"] as? [String: String])
        let counters = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(try XCTUnwrap(metadata["counters"]).utf8)) as? [String: Any])
        return try XCTUnwrap(counters["step"] as? Int)
    }

    private func readWithTensorBoard(_ run: String) throws -> [String: [[Double]]] {
        let output = try Python.run([RepositoryFiles.path("scripts/read-tensorboard.py"), run])
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [[Double]]], output)
    }
}
