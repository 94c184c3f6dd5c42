import FileAccess

/// Reads the messages of an MCAP recording front to back — the file Armature's recorder writes
/// (zstd or uncompressed chunks), finished or cut short by a crash: reading stops at the data end or at the last
/// whole record. For `armature plot`; viewers and the tests use the real readers.
public enum RecordingReader {
    /// One message: its channel's topic, log time (ns) and JSON text.
    public struct Message {
        public var topic: String
        public var logTime: UInt64
        public var data: ArraySlice<UInt8>
    }

    /// Why a file could not be read as a recording.
    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Largest recording read whole (about an hour of a 50 Hz arm is well under it).
    public static let largest = 2 << 30

    /// Calls `body` with each message in file order.
    public static func messages(in path: String, _ body: (Message) throws -> Void) throws {
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(path, limit: largest) } catch { throw ReadError(description: error.description) }
        guard bytes.count >= 8, Array(bytes[0..<8]) == mcapMagic else {
            throw ReadError(description: "\(path): not an MCAP file (it does not start with MCAP's magic); give a recording made with --record")
        }
        var topics: [UInt16: String] = [:]
        try walk(bytes, from: 8, to: bytes.count, topics: &topics, path: path, body)
    }

    private static func walk(
        _ bytes: [UInt8], from start: Int, to end: Int, topics: inout [UInt16: String], path: String, _ body: (Message) throws -> Void
    ) throws {
        var offset = start
        while offset + 9 <= end {
            let opcode = bytes[offset]
            let length = Int(clamping: integer(bytes, offset + 1, UInt64.self))
            let content = offset + 9
            guard length <= end - content else { return }  // a record cut short: the file ends here
            switch MCAPOpcode(rawValue: opcode) {
            case .channel:
                let id = integer(bytes, content, UInt16.self)
                let topicLength = Int(integer(bytes, content + 4, UInt32.self))
                topics[id] = String(decoding: bytes[(content + 8)..<(content + 8 + topicLength)], as: UTF8.self)
            case .message:
                let channel = integer(bytes, content, UInt16.self)
                let time = integer(bytes, content + 6, UInt64.self)
                if let topic = topics[channel] {
                    try body(Message(topic: topic, logTime: time, data: bytes[(content + 22)..<(content + length)]))
                }
            case .chunk:
                let size = Int(clamping: integer(bytes, content + 16, UInt64.self))
                let nameLength = Int(integer(bytes, content + 28, UInt32.self))
                let name = String(decoding: bytes[(content + 32)..<min(content + 32 + nameLength, end)], as: UTF8.self)
                guard let compression = ChunkCompression(rawValue: name) else {
                    throw ReadError(description: "\(path): has \(name) chunks; armature reads the zstd or uncompressed recordings it writes")
                }
                let storedLength = Int(clamping: integer(bytes, content + 32 + nameLength, UInt64.self))
                let stored = content + 40 + nameLength
                guard let records = compression.decompress(bytes[stored..<min(stored + storedLength, content + length)], size: size) else {
                    throw ReadError(description: "\(path): a chunk at byte \(offset) does not decompress; the file is damaged")
                }
                try walk(records, from: 0, to: records.count, topics: &topics, path: path, body)
            case .dataEnd, .footer:
                return
            default:
                break
            }
            offset = content + length
        }
    }

    private static func integer<T: FixedWidthInteger>(_ bytes: [UInt8], _ offset: Int, _ type: T.Type) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + i]) << (8 * i) }
        return value
    }
}
