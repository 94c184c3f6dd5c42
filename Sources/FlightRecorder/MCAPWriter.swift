import FileAccess

/// Writes an MCAP file (specification: github.com/foxglove/mcap, website/docs/spec) chunk by chunk:
/// magic, header, the schemas and channels, then chunks (zstd or uncompressed) each followed by its message
/// indexes; `finish` adds the data end (with the data section's CRC), the summary (schemas, channels,
/// chunk indexes, metadata indexes, statistics), the summary offsets and the footer (with the summary's CRC), so that
/// readers can seek by time and topic. Until `finish`, the file holds whole chunks only (see
/// `RecordingFile`). Not thread-safe: one writer thread owns it.
final class MCAPWriter {
    struct Schema {
        var id: UInt16
        var name: String
        var encoding: String
        var data: [UInt8]
    }

    struct Channel {
        var id: UInt16
        var schemaID: UInt16
        var topic: String
        var messageEncoding: String
        var metadata: [String: String]
    }

    private struct ChunkIndex {
        var startTime: UInt64
        var endTime: UInt64
        var offset: UInt64
        var length: UInt64
        var messageIndexOffsets: [(channel: UInt16, offset: UInt64)]
        var messageIndexLength: UInt64
        var compression: ChunkCompression
        var storedSize: UInt64
        var size: UInt64
    }

    /// A chunk is written once its records reach this size or span this much log time, whichever comes
    /// first: small enough that a crash loses little, large enough that indexes stay a small part.
    let chunkBytes: Int
    let chunkNanoseconds: UInt64
    let compression: ChunkCompression

    private let file: RecordingFile
    private var dataCRC = CRC32()
    private var schemas: [Schema] = []
    private var channels: [Channel] = []
    private var chunkIndexes: [ChunkIndex] = []
    private var metadataIndexes: [(offset: UInt64, length: UInt64, name: String)] = []

    private var chunk = RecordBytes()
    private var chunkStart = UInt64.max
    private var chunkEnd = UInt64(0)
    /// Per channel id: (log time, offset in the chunk's records) of each message in the open chunk.
    private var chunkMessages: [[(time: UInt64, offset: UInt64)]] = []

    private(set) var messageCount: UInt64 = 0
    private var channelMessageCounts: [UInt64] = []
    private var firstTime = UInt64.max
    private var lastTime = UInt64(0)
    private(set) var finished = false

    init(
        file: RecordingFile, library: String, compression: ChunkCompression = .zstd, chunkBytes: Int = 256 << 10,
        chunkNanoseconds: UInt64 = 1_000_000_000
    ) throws(FileError) {
        self.file = file
        self.compression = compression
        self.chunkBytes = chunkBytes
        self.chunkNanoseconds = chunkNanoseconds
        var start = RecordBytes()
        start.raw(mcapMagic)
        start.record(.header) { header in
            header.string("")  // no well-known profile: JSON messages with JSON Schemas
            header.string(library)
        }
        try writeData(start.bytes)
    }

    /// Declares a schema; its record goes to the data section at once, before any message uses it.
    func add(_ schema: Schema) throws(FileError) {
        precondition(schema.id != 0 && !schemas.contains { $0.id == schema.id }, "schema ids are unique and not zero")
        schemas.append(schema)
        var bytes = RecordBytes()
        Self.write(schema, into: &bytes)
        try writeData(bytes.bytes)
    }

    /// Declares a channel (ids 0, 1, 2, … in order); its record goes to the data section at once.
    func add(_ channel: Channel) throws(FileError) {
        precondition(Int(channel.id) == channels.count, "channel ids are given in order from 0")
        channels.append(channel)
        chunkMessages.append([])
        channelMessageCounts.append(0)
        var bytes = RecordBytes()
        Self.write(channel, into: &bytes)
        try writeData(bytes.bytes)
    }

    /// Writes a metadata record (name and key–value pairs) to the data section, indexed in the summary.
    func addMetadata(name: String, _ values: [String: String]) throws(FileError) {
        var bytes = RecordBytes()
        bytes.record(.metadata) { m in
            m.string(name)
            m.stringMap(values)
        }
        metadataIndexes.append((file.offset, UInt64(bytes.count), name))
        try writeData(bytes.bytes)
    }

    /// Adds one message to the open chunk, writing the chunk out when it is full.
    func addMessage(channel: UInt16, sequence: UInt32, logTime: UInt64, data: [UInt8]) throws(FileError) {
        let index = Int(channel)
        chunkMessages[index].append((logTime, UInt64(chunk.count)))
        chunk.record(.message) { message in
            message.u16(channel)
            message.u32(sequence)
            message.u64(logTime)
            message.u64(logTime)  // publish time: the log time, as the specification asks when there is no other
            message.raw(data)
        }
        chunkStart = min(chunkStart, logTime)
        chunkEnd = max(chunkEnd, logTime)
        messageCount += 1
        channelMessageCounts[index] += 1
        firstTime = min(firstTime, logTime)
        lastTime = max(lastTime, logTime)
        if chunk.count >= chunkBytes || chunkEnd - chunkStart >= chunkNanoseconds { try flushChunk() }
    }

    /// Chunks written so far.
    var chunkCount: Int { chunkIndexes.count }
    /// The latest log time of any message, nil before the first.
    var lastLogTime: UInt64? { messageCount == 0 ? nil : lastTime }

    /// Whether messages wait in a chunk not yet written.
    var hasOpenChunk: Bool { chunk.count > 0 }

    /// Writes the open chunk and its message indexes with one write, so that the file never ends inside one
    /// unless the process dies within that call.
    func flushChunk() throws(FileError) {
        guard chunk.count > 0 else { return }
        let records = chunk.bytes
        let (stored, storedAs) = compression.compress(records)
        var out = RecordBytes(reservingCapacity: stored.count + 256)
        out.record(.chunk) { c in
            c.u64(chunkStart)
            c.u64(chunkEnd)
            c.u64(UInt64(records.count))
            c.u32(CRC32.checksum(records))  // of the records themselves, before compression
            c.string(storedAs.rawValue)
            c.longBytes(stored)
        }
        let chunkOffset = file.offset
        let chunkLength = UInt64(out.count)
        var indexOffsets: [(UInt16, UInt64)] = []
        for (id, entries) in chunkMessages.enumerated() where !entries.isEmpty {
            indexOffsets.append((UInt16(id), chunkOffset + UInt64(out.count)))
            out.record(.messageIndex) { m in
                m.u16(UInt16(id))
                m.lengthPrefixed { array in
                    for entry in entries {
                        array.u64(entry.time)
                        array.u64(entry.offset)
                    }
                }
            }
        }
        chunkIndexes.append(
            ChunkIndex(
                startTime: chunkStart, endTime: chunkEnd, offset: chunkOffset, length: chunkLength, messageIndexOffsets: indexOffsets,
                messageIndexLength: UInt64(out.count) - chunkLength, compression: storedAs, storedSize: UInt64(stored.count),
                size: UInt64(records.count)))
        chunk = RecordBytes(reservingCapacity: chunkBytes + 4096)
        chunkStart = .max
        chunkEnd = 0
        for id in chunkMessages.indices { chunkMessages[id].removeAll(keepingCapacity: true) }
        try writeData(out.bytes)
    }

    /// Writes the last chunk, the data end, the summary, the summary offsets, the footer and the magic,
    /// then syncs the file to disk.
    func finish() throws(FileError) {
        precondition(!finished, "finish twice")
        try flushChunk()
        var dataEnd = RecordBytes()
        dataEnd.record(.dataEnd) { $0.u32(dataCRC.value) }
        try file.write(dataEnd.bytes)

        let summaryStart = file.offset
        var summary = RecordBytes()
        var groups: [(opcode: MCAPOpcode, start: Int, length: Int)] = []
        func group(_ opcode: MCAPOpcode, _ body: (inout RecordBytes) -> Void) {
            let start = summary.count
            body(&summary)
            if summary.count > start { groups.append((opcode, start, summary.count - start)) }
        }
        group(.schema) { for schema in schemas { Self.write(schema, into: &$0) } }
        group(.channel) { for channel in channels { Self.write(channel, into: &$0) } }
        group(.chunkIndex) { out in
            for index in chunkIndexes {
                out.record(.chunkIndex) { c in
                    c.u64(index.startTime)
                    c.u64(index.endTime)
                    c.u64(index.offset)
                    c.u64(index.length)
                    c.lengthPrefixed { map in
                        for (channel, offset) in index.messageIndexOffsets {
                            map.u16(channel)
                            map.u64(offset)
                        }
                    }
                    c.u64(index.messageIndexLength)
                    c.string(index.compression.rawValue)
                    c.u64(index.storedSize)
                    c.u64(index.size)
                }
            }
        }
        group(.metadataIndex) { out in
            for index in metadataIndexes {
                out.record(.metadataIndex) { m in
                    m.u64(index.offset)
                    m.u64(index.length)
                    m.string(index.name)
                }
            }
        }
        group(.statistics) { out in
            out.record(.statistics) { s in
                s.u64(messageCount)
                s.u16(UInt16(schemas.count))
                s.u32(UInt32(channels.count))
                s.u32(0)  // attachments
                s.u32(UInt32(metadataIndexes.count))
                s.u32(UInt32(chunkIndexes.count))
                s.u64(messageCount == 0 ? 0 : firstTime)
                s.u64(messageCount == 0 ? 0 : lastTime)
                s.lengthPrefixed { map in
                    for (id, count) in channelMessageCounts.enumerated() {
                        map.u16(UInt16(id))
                        map.u64(count)
                    }
                }
            }
        }
        let summaryOffsetStart = summaryStart + UInt64(summary.count)
        for entry in groups {
            summary.record(.summaryOffset) { o in
                o.u8(entry.opcode.rawValue)
                o.u64(summaryStart + UInt64(entry.start))
                o.u64(UInt64(entry.length))
            }
        }
        // The footer's CRC covers the summary and its offsets and the footer up to that field itself.
        summary.u8(MCAPOpcode.footer.rawValue)
        summary.u64(20)
        summary.u64(summaryStart)
        summary.u64(groups.isEmpty ? 0 : summaryOffsetStart)
        summary.u32(CRC32.checksum(summary.bytes))
        summary.raw(mcapMagic)
        try file.write(summary.bytes)
        try file.sync()
        finished = true
    }

    /// Data-section bytes: written, and counted into the data section's CRC.
    private func writeData(_ bytes: [UInt8]) throws(FileError) {
        dataCRC.update(bytes)
        try file.write(bytes)
    }

    private static func write(_ schema: Schema, into bytes: inout RecordBytes) {
        bytes.record(.schema) { s in
            s.u16(schema.id)
            s.string(schema.name)
            s.string(schema.encoding)
            s.shortBytes(schema.data)
        }
    }

    private static func write(_ channel: Channel, into bytes: inout RecordBytes) {
        bytes.record(.channel) { c in
            c.u16(channel.id)
            c.u16(channel.schemaID)
            c.string(channel.topic)
            c.string(channel.messageEncoding)
            c.stringMap(channel.metadata)
        }
    }
}
