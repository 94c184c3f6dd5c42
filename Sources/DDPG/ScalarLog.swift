import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sends each training scalar to TensorBoard event files and to `scalars.csv` in one run directory.
///
/// Resuming a run reopens the same directory: rows are appended to the existing CSV under its one header,
/// and a new event file starts beside the earlier ones (TensorBoard merges them). Writes are buffered;
/// `flush()` puts both files on disk, as a trainer should do before it writes a checkpoint.
public final class ScalarLog {
    /// The CSV's first line.
    public static let csvHeader = "step,tag,value,wall_time"

    public let directory: String
    /// `scalars.csv` in `directory`.
    public let csvPath: String
    /// The event file this log started.
    public var eventFilePath: String { tensorBoard.path }

    private let tensorBoard: TensorBoardWriter
    private let csv: LogFile

    /// Opens (or creates) the run directory's logs; `now` (Unix seconds) names the new event file.
    public init(directory: String, now: Double = Date().timeIntervalSince1970) throws(ScalarLogError) {
        try LogFile.createDirectory(directory)
        self.directory = directory
        csvPath = "\(directory)/scalars.csv"
        // The CSV is checked before an event file is created, so a refused directory is left untouched.
        let needsHeader = try Self.prepareForAppend(csvPath)
        csv = try LogFile.openForAppend(path: csvPath)
        if needsHeader {
            csv.append(Array("\(Self.csvHeader)\n".utf8))
            try csv.flush()
        }
        tensorBoard = try TensorBoardWriter(directory: directory, now: now)
    }

    deinit { close() }

    /// Records one point under `tag` (CleanRL's names, such as `charts/episodic_return`) at `step`.
    public func add(scalar: Float, tag: String, step: Int64, wallTime: Double = Date().timeIntervalSince1970)
        throws(ScalarLogError)
    {
        try tensorBoard.add(scalar: scalar, tag: tag, step: step, wallTime: wallTime)
        try csv.ensureOpen()
        csv.append(Array("\(step),\(Self.csvField(tag)),\(scalar),\(wallTime)\n".utf8))
        if csv.bufferedByteCount >= LogFile.flushThreshold { try csv.flush() }
    }

    /// Writes everything buffered to both files.
    public func flush() throws(ScalarLogError) {
        try tensorBoard.flush()
        try csv.flush()
    }

    /// Writes what is buffered and closes both files; later calls do nothing. Call `flush()` first to learn
    /// of a failure to write the last rows — `close` cannot report it.
    public func close() {
        tensorBoard.close()
        csv.close()
    }

    /// RFC 4180 quoting, needed only if a tag holds a comma, quote or line break.
    private static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Checks an existing CSV before appending to it and returns whether the header still has to be written.
    /// A last row cut off by a crash is dropped, so that appended rows start on a line of their own.
    private static func prepareForAppend(_ path: String) throws(ScalarLogError) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return true }
        let bytes: [UInt8]
        do {
            bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw .cannotOpen(path: path, reason: (error as NSError).localizedDescription)
        }
        if bytes.isEmpty { return true }
        var firstLine = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        if firstLine.hasSuffix("\r") { firstLine.removeLast() }
        guard firstLine == csvHeader else {
            throw .unexpectedCSVHeader(path: path, found: String(firstLine.prefix(80)))
        }
        guard bytes.last != UInt8(ascii: "\n") else { return false }
        let complete = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        guard truncate(path, off_t(complete)) == 0 else { throw .cannotWrite(path: path, reason: errnoText()) }
        return complete == 0
    }
}

extension ScalarLog: ScalarSink {
    /// The trainer's statistics, stamped with the current wall time; TensorBoard stores float32 either way.
    public func record(_ value: Double, tag: String, step: Int) throws(ScalarLogError) {
        try add(scalar: Float(value), tag: tag, step: Int64(step))
    }
}

/// Why a run's scalar log (event file or CSV) could not be written, naming the path.
public enum ScalarLogError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotCreateDirectory(path: String, reason: String)
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    /// A write after `close()`.
    case closed(path: String)
    /// `scalars.csv` exists but is not a scalar log this program wrote.
    case unexpectedCSVHeader(path: String, found: String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason):
            return "\(path): cannot create the run directory (\(reason)); check that the parent is writable "
                + "and that no file has that name"
        case .cannotOpen(let path, let reason):
            return "\(path): cannot open the log file (\(reason)); check the run directory's permissions"
        case .cannotWrite(let path, let reason):
            return "\(path): cannot write the log file (\(reason)); check free disk space and permissions"
        case .closed(let path):
            return "\(path): the log was already closed; open a new one to keep logging"
        case .unexpectedCSVHeader(let path, let found):
            return "\(path): the first line is '\(found)', not '\(ScalarLog.csvHeader)', so this is not a scalar log "
                + "to append to; move the file away or choose another run directory"
        }
    }
}

/// An append-only file behind a byte buffer, written with write(2) so that failures carry the system's reason
/// and short writes are completed.
final class LogFile {
    /// Buffers are written out once they pass this size, bounding memory between explicit flushes.
    static let flushThreshold = 1 << 16

    let path: String
    /// -1 once closed.
    private var descriptor: Int32
    private var buffer = [UInt8]()

    var bufferedByteCount: Int { buffer.count }

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close() }

    /// Creates a file that must not exist yet; nil if it does.
    static func createNew(path: String) throws(ScalarLogError) -> LogFile? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor < 0, errno == EEXIST { return nil }
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: errnoText()) }
        return LogFile(path: path, descriptor: descriptor)
    }

    /// Opens a file for appending, creating it if missing.
    static func openForAppend(path: String) throws(ScalarLogError) -> LogFile {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .cannotOpen(path: path, reason: errnoText()) }
        return LogFile(path: path, descriptor: descriptor)
    }

    static func createDirectory(_ path: String) throws(ScalarLogError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    func ensureOpen() throws(ScalarLogError) {
        guard descriptor >= 0 else { throw .closed(path: path) }
    }

    func append(_ bytes: [UInt8]) { buffer += bytes }

    func flush() throws(ScalarLogError) {
        try ensureOpen()
        var written = 0
        // What was written leaves the buffer even on failure, so a retry does not duplicate it.
        defer { buffer.removeFirst(written) }
        while written < buffer.count {
            let result = buffer.withUnsafeBytes {
                systemWrite(descriptor, $0.baseAddress! + written, $0.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: path, reason: errnoText())
            }
            written += result
        }
    }

    func close() {
        guard descriptor >= 0 else { return }
        try? flush()
        _ = systemClose(descriptor)
        descriptor = -1
    }
}

private func errnoText() -> String { String(cString: strerror(errno)) }

/// write(2) and close(2) under names that the types' own methods do not shadow.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
    #else
        Darwin.write(descriptor, buffer, count)
    #endif
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Glibc)
        Glibc.close(descriptor)
    #else
        Darwin.close(descriptor)
    #endif
}
