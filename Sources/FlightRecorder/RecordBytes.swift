/// MCAP's serialization (specification, "Serialization"): little-endian integers, strings and byte
/// arrays with a length prefix, maps with a byte-length prefix, each record as opcode, uint64 content
/// length, content.
struct RecordBytes {
    var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    var count: Int { bytes.count }

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u16(_ value: UInt16) { littleEndian(value) }
    mutating func u32(_ value: UInt32) { littleEndian(value) }
    mutating func u64(_ value: UInt64) { littleEndian(value) }

    private mutating func littleEndian<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// uint32 byte length, then UTF-8.
    mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// uint32-prefixed bytes (a schema's data).
    mutating func shortBytes(_ data: [UInt8]) {
        u32(UInt32(data.count))
        bytes.append(contentsOf: data)
    }

    /// uint64-prefixed bytes (a chunk's records).
    mutating func longBytes(_ data: [UInt8]) {
        u64(UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func raw(_ data: [UInt8]) { bytes.append(contentsOf: data) }

    /// A map or array: its entries written by `body`, preceded by their uint32 byte length.
    mutating func lengthPrefixed(_ body: (inout RecordBytes) -> Void) {
        let start = bytes.count
        u32(0)
        body(&self)
        let length = UInt32(bytes.count - start - 4)
        withUnsafeBytes(of: length.littleEndian) { source in
            for i in 0..<4 { bytes[start + i] = source[i] }
        }
    }

    /// `Map<string, string>`, keys in sorted order so a file is the same from run to run.
    mutating func stringMap(_ map: [String: String]) {
        lengthPrefixed { entries in
            for key in map.keys.sorted() {
                entries.string(key)
                entries.string(map[key]!)
            }
        }
    }

    /// One record: opcode, uint64 content length, the content `body` writes.
    mutating func record(_ opcode: MCAPOpcode, _ body: (inout RecordBytes) -> Void) {
        u8(opcode.rawValue)
        let lengthAt = bytes.count
        u64(0)
        body(&self)
        let length = UInt64(bytes.count - lengthAt - 8)
        withUnsafeBytes(of: length.littleEndian) { source in
            for i in 0..<8 { bytes[lengthAt + i] = source[i] }
        }
    }
}

/// Record opcodes (specification, "Records").
enum MCAPOpcode: UInt8 {
    case header = 0x01
    case footer = 0x02
    case schema = 0x03
    case channel = 0x04
    case message = 0x05
    case chunk = 0x06
    case messageIndex = 0x07
    case chunkIndex = 0x08
    case statistics = 0x0B
    case metadata = 0x0C
    case metadataIndex = 0x0D
    case summaryOffset = 0x0E
    case dataEnd = 0x0F
}

/// The magic bytes at both ends of an MCAP file: 0x89 "MCAP" major version "0" CR LF.
let mcapMagic: [UInt8] = [0x89, 0x4D, 0x43, 0x41, 0x50, 0x30, 0x0D, 0x0A]
