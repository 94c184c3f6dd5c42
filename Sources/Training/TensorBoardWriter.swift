import FileAccess
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes scalars to a TensorBoard event file in a run directory, with no TensorFlow or protobuf dependency.
///
/// The file is `events.out.tfevents.<unix seconds>.<hostname>`: TFRecord-framed `tensorflow.Event`
/// messages, the first carrying the file version. Records are buffered and reach the disk on `flush()`,
/// `close()`, or when the buffer grows large. A writer opened on a directory that already has event files
/// (a resumed run) starts a new file beside them; TensorBoard reads a directory's files in name order and
/// merges them into one run.
public final class TensorBoardWriter {
    /// The start of every event file's name; TensorBoard reads the files whose names contain `tfevents`.
    public static let fileNamePrefix = "events.out.tfevents."

    /// The event file this writer appends to.
    public let path: String
    let file: LogFile

    /// Creates `directory` if needed and starts a new event file in it, named after `now` (Unix seconds).
    public init(directory: String, now: Double = Date().timeIntervalSince1970) throws(ScalarLogError) {
        try LogFile.createDirectory(directory)
        // A nonsensical clock must not trap in the conversion; the name only has to be unique and ordered.
        let seconds = now.isFinite && abs(now) < 1e15 ? Int64(now.rounded(.down)) : 0
        (file, path) = try Self.createEventFile(stem: "\(directory)/\(Self.fileNamePrefix)\(seconds).\(Self.hostName())")
        file.append(TFRecord.frame(TensorBoardEvent.fileVersion(wallTime: now)))
        // Written at once so that the file is a valid, readable event file from the start.
        try file.flush()
    }

    deinit { close() }

    /// Appends one scalar point; `wallTime` is Unix seconds, the x axis of TensorBoard's "relative" view.
    public func add(scalar: Float, tag: String, step: Int64, wallTime: Double = Date().timeIntervalSince1970)
        throws(ScalarLogError)
    {
        try file.ensureOpen()
        file.append(TFRecord.frame(TensorBoardEvent.scalar(tag: tag, value: scalar, step: step, wallTime: wallTime)))
        if file.bufferedByteCount >= LogFile.flushThreshold { try file.flush() }
    }

    /// Writes buffered records to the file.
    public func flush() throws(ScalarLogError) { try file.flush() }

    /// Writes what is buffered and closes the file; later calls do nothing. Call `flush()` first to learn of
    /// a failure to write the last records — `close` cannot report it.
    public func close() { file.close() }

    /// Two writers started in the same second (a quick resume) must not share a file. A zero-padded suffix
    /// keeps each later file sorting after the earlier ones, which is the order TensorBoard reads them in.
    private static func createEventFile(stem: String) throws(ScalarLogError) -> (LogFile, String) {
        if let file = try LogFile.createNew(path: stem) { return (file, stem) }
        for attempt in 1...9999 {
            let digits = String(attempt)
            let candidate = "\(stem).\(String(repeating: "0", count: 4 - digits.count))\(digits)"
            if let file = try LogFile.createNew(path: candidate) { return (file, candidate) }
        }
        throw .file(
            FileError(path: stem, action: .write, .system(code: EEXIST, text: "9,999 event files were already started in this second")))
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // The name becomes part of a file name; a separator in it would point elsewhere.
        let safe = name.replacingOccurrences(of: "/", with: "_")
        return safe.isEmpty ? "localhost" : safe
    }
}

/// The two `tensorflow.Event` messages Armature writes, hand-encoded as protobuf.
///
/// Event { double wall_time = 1; int64 step = 2; oneof what { string file_version = 3; Summary summary = 5; } }
/// Summary { repeated Value value = 1; }  Value { string tag = 1; oneof value { float simple_value = 2; } }
/// Fields outside a oneof are left out when zero, as protobuf's own encoder does; oneof members are always
/// written, because their presence is what says which one is set.
enum TensorBoardEvent {
    static let version = "brain.Event:2"

    static func fileVersion(wallTime: Double) -> [UInt8] {
        var event = [UInt8]()
        if wallTime != 0 { Protobuf.appendDouble(wallTime, field: 1, to: &event) }
        Protobuf.appendBytes(Array(version.utf8), field: 3, to: &event)
        return event
    }

    static func scalar(tag: String, value: Float, step: Int64, wallTime: Double) -> [UInt8] {
        var summaryValue = [UInt8]()
        if !tag.isEmpty { Protobuf.appendBytes(Array(tag.utf8), field: 1, to: &summaryValue) }
        Protobuf.appendFloat(value, field: 2, to: &summaryValue)
        var summary = [UInt8]()
        Protobuf.appendBytes(summaryValue, field: 1, to: &summary)
        var event = [UInt8]()
        if wallTime != 0 { Protobuf.appendDouble(wallTime, field: 1, to: &event) }
        if step != 0 { Protobuf.appendVarint(UInt64(bitPattern: step), field: 2, to: &event) }
        Protobuf.appendBytes(summary, field: 5, to: &event)
        return event
    }
}

/// The few protobuf wire-format primitives the event messages need.
enum Protobuf {
    enum WireType: UInt64 {
        case varint = 0
        case fixed64 = 1
        case lengthDelimited = 2
        case fixed32 = 5
    }

    /// Base-128 varint, least significant group first; negative int64 values take ten bytes.
    static func appendVarint(_ value: UInt64, to bytes: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    static func appendKey(field: UInt64, _ wireType: WireType, to bytes: inout [UInt8]) {
        appendVarint(field << 3 | wireType.rawValue, to: &bytes)
    }

    static func appendVarint(_ value: UInt64, field: UInt64, to bytes: inout [UInt8]) {
        appendKey(field: field, .varint, to: &bytes)
        appendVarint(value, to: &bytes)
    }

    static func appendDouble(_ value: Double, field: UInt64, to bytes: inout [UInt8]) {
        appendKey(field: field, .fixed64, to: &bytes)
        appendLittleEndian(value.bitPattern, to: &bytes)
    }

    static func appendFloat(_ value: Float, field: UInt64, to bytes: inout [UInt8]) {
        appendKey(field: field, .fixed32, to: &bytes)
        appendLittleEndian(value.bitPattern, to: &bytes)
    }

    /// A string, bytes or embedded message: the length, then the bytes.
    static func appendBytes(_ value: [UInt8], field: UInt64, to bytes: inout [UInt8]) {
        appendKey(field: field, .lengthDelimited, to: &bytes)
        appendVarint(UInt64(value.count), to: &bytes)
        bytes += value
    }
}

/// TFRecord framing: u64 length, masked CRC-32C of the length, the data, masked CRC-32C of the data (all LE).
enum TFRecord {
    static func frame(_ data: [UInt8]) -> [UInt8] {
        var record = [UInt8]()
        record.reserveCapacity(data.count + 16)
        appendLittleEndian(UInt64(data.count), to: &record)
        appendLittleEndian(CRC32C.masked(CRC32C.checksum(record)), to: &record)
        record += data
        appendLittleEndian(CRC32C.masked(CRC32C.checksum(data)), to: &record)
        return record
    }
}

/// CRC-32C (Castagnoli), the checksum TFRecord uses, computed a byte at a time from a table.
enum CRC32C {
    /// Remainders of each byte value under the reflected polynomial 0x82F63B78.
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    /// TFRecord stores CRCs rotated and offset, because a CRC over data that itself holds CRCs is weak.
    static func masked(_ crc: UInt32) -> UInt32 { ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8 }
}

private func appendLittleEndian<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
    var value = value.littleEndian
    withUnsafeBytes(of: &value) { bytes.append(contentsOf: $0) }
}
