import FileAccess
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

final class FileAccessTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("FileAccessTests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func kind(_ path: String) -> mode_t {
        var info = stat()
        XCTAssertEqual(lstat(path, &info), 0, path)
        return info.st_mode & S_IFMT
    }

    private func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    // MARK: - Atomic writes

    func testAtomicWriteCreatesAndReplacesARegularFileLeavingNoTemporary() throws {
        let path = "\(directory!)/out.json"
        try AtomicFile.write(Array("first".utf8), to: path)
        try AtomicFile.write(Array("second".utf8), to: path)
        XCTAssertEqual(try contents(path), "second")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["out.json"])
    }

    func testAtomicWriteRefusesAFIFOAndLeavesItAFIFO() throws {
        let fifo = "\(directory!)/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertThrowsError(try AtomicFile.write(Array("x".utf8), to: fifo)) { error in
            XCTAssertEqual(error as? FileError, FileError(path: fifo, action: .write, .notRegularFile(.fifo)))
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("\(fifo): cannot write: it is a FIFO"), text)
            XCTAssertTrue(text.contains("give the path of a regular file"), text)
        }
        XCTAssertEqual(kind(fifo), S_IFIFO)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["pipe"], "no temporary left")
    }

    /// The refusal comes from lstat alone, before any file is opened, so /dev/null is never touched.
    func testAtomicWriteRefusesADeviceNodeWithoutTouchingIt() throws {
        XCTAssertThrowsError(try AtomicFile.write(Array("x".utf8), to: "/dev/null")) { error in
            XCTAssertEqual(error as? FileError, FileError(path: "/dev/null", action: .write, .notRegularFile(.characterDevice)))
        }
        XCTAssertEqual(kind("/dev/null"), S_IFCHR, "/dev/null is still a character device")
    }

    func testAtomicWriteFollowsASymlinkToARegularFileAndKeepsTheLink() throws {
        let target = "\(directory!)/real.csv"
        let link = "\(directory!)/latest.csv"
        try "old".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.csv")
        try AtomicFile.write(Array("new".utf8), to: link)
        XCTAssertEqual(kind(link), S_IFLNK, "the link is kept")
        XCTAssertEqual(try contents(target), "new", "the file it leads to is replaced")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: directory)), ["real.csv", "latest.csv"])
    }

    func testAtomicWriteRefusesALinkToNothingALinkToAFIFOAndADirectory() throws {
        let dangling = "\(directory!)/dangling"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: "missing")
        XCTAssertThrowsError(try AtomicFile.write([1], to: dangling)) { error in
            XCTAssertEqual((error as? FileError)?.problem, .notRegularFile(.danglingLink))
        }
        XCTAssertEqual(kind(dangling), S_IFLNK)
        let fifo = "\(directory!)/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let linkToFIFO = "\(directory!)/to-pipe"
        try FileManager.default.createSymbolicLink(atPath: linkToFIFO, withDestinationPath: "pipe")
        XCTAssertThrowsError(try AtomicFile.write([1], to: linkToFIFO)) { error in
            XCTAssertEqual((error as? FileError)?.problem, .notRegularFile(.fifo))
        }
        XCTAssertEqual(kind(fifo), S_IFIFO)
        XCTAssertThrowsError(try AtomicFile.write([1], to: directory)) { error in
            XCTAssertEqual((error as? FileError)?.problem, .notRegularFile(.directory))
            XCTAssertTrue("\(error)".contains("it is a directory"), "\(error)")
        }
    }

    func testAtomicWriteIntoAMissingDirectoryNamesTheDirectory() throws {
        let path = "\(directory!)/no/such/out.csv"
        XCTAssertThrowsError(try AtomicFile.write([1], to: path)) { error in
            XCTAssertEqual(error as? FileError, FileError(path: path, action: .write, .missingDirectory("\(directory!)/no/such")))
            XCTAssertEqual(
                "\(error)", "\(path): cannot write: the directory \(directory!)/no/such does not exist; create it or choose another location")
        }
    }

    /// Each common failure reads as what is wrong and what to do, not as the system's generic text.
    func testErrorsSayPlainlyWhatIsWrongForEachCommonErrno() {
        func text(_ code: Int32, _ action: FileError.Action = .write) -> String {
            FileError(path: "runs/x/actor.safetensors", action: action, errno: code, directory: "runs/x").description
        }
        XCTAssertEqual(
            text(EACCES),
            "runs/x/actor.safetensors: cannot write: the directory runs/x is read-only for this user (permission denied); "
                + "choose another location or make it writable")
        XCTAssertEqual(
            text(EROFS), "runs/x/actor.safetensors: cannot write: the directory runs/x is on a read-only file system; choose another location")
        XCTAssertEqual(
            text(ENOSPC), "runs/x/actor.safetensors: cannot write: no space left on the device; free some space or choose another location")
        XCTAssertEqual(
            text(ENOENT), "runs/x/actor.safetensors: cannot write: the directory runs/x does not exist; create it or choose another location")
        XCTAssertEqual(text(ENOENT, .read), "runs/x/actor.safetensors: cannot read: no such file; check the path")
        XCTAssertEqual(text(EACCES, .read), "runs/x/actor.safetensors: cannot read: permission denied; check the file's permissions")
        for code in [EACCES, EROFS, ENOSPC, ENOENT] {
            XCTAssertFalse(text(code).contains("You don"), text(code))
        }
    }

    // MARK: - Reading

    func testReadRefusesADirectoryAndAFIFOWithoutBlocking() throws {
        XCTAssertThrowsError(try RegularFile.read(directory, limit: 1 << 20)) { error in
            XCTAssertEqual("\(error)", "\(directory!): cannot read: it is a directory; give the path of a file in it")
        }
        let fifo = "\(directory!)/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        // No writer ever opens the FIFO: a blocking open would hang here.
        XCTAssertThrowsError(try RegularFile.read(fifo, limit: 1 << 20)) { error in
            XCTAssertEqual("\(error)", "\(fifo): cannot read: it is a FIFO (named pipe), not a regular file; give the path of a file")
        }
        let file = "\(directory!)/data"
        try AtomicFile.write(Array(repeating: 7, count: 100_000), to: file)
        XCTAssertEqual(try RegularFile.read(file, limit: 1 << 20), Array(repeating: 7, count: 100_000))
    }

    // MARK: - Appending

    /// A file larger than its limit is refused from its size alone: a sparse 3 GB file is
    /// refused at once, without 3 GB of memory or reading.
    func testReadRefusesAFileOverItsLimitBeforeReadingIt() throws {
        let huge = directory + "/huge"
        XCTAssertTrue(FileManager.default.createFile(atPath: huge, contents: nil))
        XCTAssertEqual(truncate(huge, 3 << 30), 0)
        let started = Date()
        XCTAssertThrowsError(try RegularFile.read(huge, limit: 1 << 20)) { error in
            XCTAssertEqual((error as? FileError)?.problem, .tooLarge(bytes: 3 << 30, limit: 1 << 20))
            XCTAssertTrue("\(error)".contains("is it the right file?"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(started), 5)
    }

    /// Lines come one at a time from a bounded buffer, whatever the file's length: CRLF endings,
    /// a last line without a break, empty lines, and progress in bytes.
    func testLinesReadAFileOfAnyLengthOneAtATime() throws {
        let path = directory + "/lines.csv"
        var text = ""
        for i in 0..<100_000 { text += "\(i),\(i * 2)\r\n" }
        text += "\nlast"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let lines = try RegularFile.Lines(path: path)
        var count = 0
        while let line = try lines.next() {
            if count < 100_000 { XCTAssertEqual(String(decoding: line, as: UTF8.self), "\(count),\(count * 2)") }
            count += 1
        }
        XCTAssertEqual(count, 100_002)
        XCTAssertEqual(lines.lineNumber, 100_002)
        XCTAssertEqual(lines.bytesRead, lines.size)
        XCTAssertNil(try lines.next(), "the end stays the end")
    }

    /// A "line-oriented" file without line breaks is refused at the first overlong line instead
    /// of being gathered into memory whole.
    func testLinesRefuseALineLongerThanTheLimit() throws {
        let path = directory + "/one-line"
        try String(repeating: "1,", count: RegularFile.Lines.longestLine).write(toFile: path, atomically: false, encoding: .utf8)
        let lines = try RegularFile.Lines(path: path)
        XCTAssertThrowsError(try lines.next()) { error in
            XCTAssertEqual((error as? FileError)?.problem, .lineTooLong(line: 1, limit: RegularFile.Lines.longestLine))
        }
    }

    func testAppendingFileRefusesAFIFOAndTruncatesOnlyWhatIsLonger() throws {
        let fifo = "\(directory!)/pipe"
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertThrowsError(try AppendingFile.open(path: fifo)) { error in
            XCTAssertEqual((error as? FileError)?.problem, .notRegularFile(.fifo))
        }
        let path = "\(directory!)/log"
        let file = try AppendingFile.open(path: path)
        var written = 0
        try file.append(Array("0123456789".utf8), written: &written)
        XCTAssertEqual(written, 10)
        XCTAssertEqual(try file.size(), 10)
        file.close()
        try AppendingFile.truncate(path: path, to: 4)
        try AppendingFile.truncate(path: path, to: 8)
        XCTAssertEqual(try contents(path), "0123", "a shorter file is not extended")
        XCTAssertNil(try AppendingFile.createNew(path: path), "createNew does not open an existing file")
    }

    // MARK: - Directory locks

    func testASecondLockOnADirectoryIsRefusedNamingTheHolderUntilReleased() throws {
        let first = try DirectoryLock(directory: directory, holder: "armature train")
        XCTAssertThrowsError(try DirectoryLock(directory: directory, holder: "armature train")) { error in
            XCTAssertEqual(
                "\(error)",
                "\(directory!): cannot lock: armature train (process \(getpid())) is using it; wait for it to finish, stop it, "
                    + "or choose another directory")
        }
        first.release()
        XCTAssertNoThrow(try DirectoryLock(directory: directory, holder: "armature train"))
    }

    /// A lock file left by a process that died is no obstacle: the kernel dropped its flock when it died.
    func testALockLeftByAKilledProcessDoesNotBlock() throws {
        let lockPath = "\(directory!)/\(DirectoryLock.fileName)"
        try "armature train (process 999999)\n".write(toFile: lockPath, atomically: false, encoding: .utf8)
        XCTAssertNoThrow(try DirectoryLock(directory: directory, holder: "armature train").release(), "a leftover file alone")

        let flock = "/usr/bin/flock"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: flock), "needs util-linux's flock(1)")
        let holder = Process()
        // The shell takes the lock on a descriptor of its own and becomes `sleep`, so killing that one process
        // is the death of the lock's holder.
        holder.executableURL = URL(fileURLWithPath: "/bin/sh")
        holder.arguments = ["-c", "exec 9>>\"$0\" && \(flock) --nonblock 9 && echo locked && exec sleep 60", lockPath]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        // The line arrives once the lock is held; no timing is assumed.
        let line = output.fileHandleForReading.availableData
        XCTAssertEqual(String(decoding: line, as: UTF8.self), "locked\n")
        XCTAssertThrowsError(try DirectoryLock(directory: directory, holder: "armature train")) { error in
            guard case .inUse = (error as? FileError)?.problem else { return XCTFail("\(error)") }
        }
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        XCTAssertNoThrow(try DirectoryLock(directory: directory, holder: "armature train"))
    }
}
