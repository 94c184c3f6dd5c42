import FileAccess
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
/// `flushToDisk()` makes both files durable and returns the `Mark` a checkpoint stores, and a resume from that
/// checkpoint first cuts both logs back to it, so that nothing logged after the checkpoint appears twice.
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

    /// How far both logs reached when a checkpoint was taken; a resume from the checkpoint keeps exactly this.
    public struct Mark: Sendable, Equatable {
        /// Length of `scalars.csv`.
        public var csvBytes: Int
        /// Name (in the run directory) of the event file being written, and its length.
        public var eventFile: String
        public var eventBytes: Int

        public init(csvBytes: Int, eventFile: String, eventBytes: Int) {
            self.csvBytes = csvBytes
            self.eventFile = eventFile
            self.eventBytes = eventBytes
        }
    }

    /// Opens (or creates) the run directory's logs; `now` (Unix seconds) names the new event file. With `mark`
    /// (a resume), first drops everything logged after it: what a run wrote between its last checkpoint and
    /// its end would otherwise appear twice, once from the old run and once from the resumed one.
    public init(directory: String, now: Double = Date().timeIntervalSince1970, resumingAt mark: Mark? = nil)
        throws(ScalarLogError)
    {
        try LogFile.createDirectory(directory)
        self.directory = directory
        csvPath = "\(directory)/scalars.csv"
        if let mark { try Self.cut(directory: directory, csvPath: csvPath, to: mark) }
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

    /// Writes everything buffered, waits until the disk holds it, and returns how far both files reach. A
    /// checkpoint stores the mark after this returns, so the scalars up to it are on disk whenever it is.
    public func flushToDisk() throws(ScalarLogError) -> Mark {
        try flush()
        try tensorBoard.file.sync()
        try csv.sync()
        let eventFile = String(tensorBoard.path.split(separator: "/").last ?? "")
        return Mark(csvBytes: try csv.size(), eventFile: eventFile, eventBytes: try tensorBoard.file.size())
    }

    /// Cuts the logs back to `mark`: the CSV and the event file it names to their lengths then, and event files
    /// started after that one (by a resume that ended before its first checkpoint) removed. TensorBoard reads a
    /// directory's event files in name order, the order they were started in, so a removed file held only
    /// points after the mark.
    private static func cut(directory: String, csvPath: String, to mark: Mark) throws(ScalarLogError) {
        do throws(FileError) {
            try AppendingFile.truncate(path: csvPath, to: mark.csvBytes)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted() where name.hasPrefix(TensorBoardWriter.fileNamePrefix) {
                let path = "\(directory)/\(name)"
                if name == mark.eventFile {
                    try AppendingFile.truncate(path: path, to: mark.eventBytes)
                } else if name > mark.eventFile, unlink(path) != 0, errno != ENOENT {
                    throw FileError(path: path, action: .write, errno: errno, directory: directory)
                }
            }
        } catch {
            throw .file(error)
        }
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

    /// Largest scalars.csv reopened for appending: a row per logged scalar, so a billion-step run
    /// stays far below it.
    static let maximumCSVSize = 4 << 30

    /// Checks an existing CSV before appending to it and returns whether the header still has to be written.
    /// A last row cut off by a crash is dropped, so that appended rows start on a line of their own.
    private static func prepareForAppend(_ path: String) throws(ScalarLogError) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return true }
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(path, limit: Self.maximumCSVSize) } catch { throw .file(error) }
        if bytes.isEmpty { return true }
        var firstLine = String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        if firstLine.hasSuffix("\r") { firstLine.removeLast() }
        guard firstLine == csvHeader else {
            throw .unexpectedCSVHeader(path: path, found: String(firstLine.prefix(80)))
        }
        guard bytes.last != UInt8(ascii: "\n") else { return false }
        let complete = bytes.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        do { try AppendingFile.truncate(path: path, to: complete) } catch { throw .file(error) }
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
    /// Opening, writing or cutting back a log file failed; the error names the file.
    case file(FileError)
    /// A write after `close()`.
    case closed(path: String)
    /// `scalars.csv` exists but is not a scalar log this program wrote.
    case unexpectedCSVHeader(path: String, found: String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason):
            return "\(path): cannot create the run directory (\(reason)); check that the parent is writable "
                + "and that no file has that name"
        case .file(let error):
            return error.description
        case .closed(let path):
            return "\(path): the log was already closed; open a new one to keep logging"
        case .unexpectedCSVHeader(let path, let found):
            return "\(path): the first line is '\(found)', not '\(ScalarLog.csvHeader)', so this is not a scalar log "
                + "to append to; move the file away or choose another run directory"
        }
    }
}

/// An append-only `AppendingFile` behind a byte buffer.
final class LogFile {
    /// Buffers are written out once they pass this size, bounding memory between explicit flushes.
    static let flushThreshold = 1 << 16

    let path: String
    private let file: AppendingFile
    private var buffer = [UInt8]()

    var bufferedByteCount: Int { buffer.count }

    private init(_ file: AppendingFile) {
        self.file = file
        path = file.path
    }

    deinit { close() }

    /// Creates a file that must not exist yet; nil if it does.
    static func createNew(path: String) throws(ScalarLogError) -> LogFile? {
        do { return try AppendingFile.createNew(path: path).map(LogFile.init) } catch { throw .file(error) }
    }

    /// Opens a file for appending, creating it if missing.
    static func openForAppend(path: String) throws(ScalarLogError) -> LogFile {
        do { return LogFile(try AppendingFile.open(path: path)) } catch { throw .file(error) }
    }

    static func createDirectory(_ path: String) throws(ScalarLogError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw .cannotCreateDirectory(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    func ensureOpen() throws(ScalarLogError) {
        guard !file.isClosed else { throw .closed(path: path) }
    }

    func append(_ bytes: [UInt8]) { buffer += bytes }

    func flush() throws(ScalarLogError) {
        try ensureOpen()
        guard !buffer.isEmpty else { return }
        var written = 0
        // What was written leaves the buffer even on failure, so a retry does not duplicate it.
        defer { buffer.removeFirst(written) }
        do { try file.append(buffer, written: &written) } catch { throw .file(error) }
    }

    /// Flushes and waits until the disk holds the file's contents.
    func sync() throws(ScalarLogError) {
        try flush()
        do { try file.sync() } catch { throw .file(error) }
    }

    func size() throws(ScalarLogError) -> Int {
        do { return try file.size() } catch { throw .file(error) }
    }

    func close() {
        guard !file.isClosed else { return }
        try? flush()
        file.close()
    }
}
