/// Protocol 2.0 framing, both directions:
///
///     FF FF FD 00 | id | length (LE16) | instruction | [error] | parameters… | CRC (LE16)
///
/// `length` counts the bytes after itself: instruction, error (status packets only), parameters
/// after stuffing, and the CRC. Stuffing keeps a header out of the payload: from the instruction
/// on, every FF FF FD gets an extra FD (FF FF FD FD), which the receiver drops. The CRC
/// (`PacketCRC`) covers everything before it, stuffed.
public enum Packet {
    public static let header: [UInt8] = [0xFF, 0xFF, 0xFD, 0x00]
    /// Header, id, length, instruction and CRC: the smallest packet (a PING), bytes.
    public static let minimumSize = 10
    /// The longest payload either side accepts (the SDK's own limit is 1 KiB for a whole packet).
    public static let maximumLength = 1000
}

/// Builds packets into one buffer that is reused, so that encoding in a control loop does not allocate.
public struct PacketEncoder: Sendable {
    /// The last packet built.
    public private(set) var bytes: [UInt8]
    private var run = 0

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// An instruction packet (`error` nil) or a status packet (`instruction` .status with `error`).
    public mutating func encode(id: UInt8, instruction: UInt8, error: UInt8? = nil, parameters: UnsafeBufferPointer<UInt8>) {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: Packet.header)
        bytes.append(id)
        bytes.append(0)
        bytes.append(0)
        run = 0
        appendStuffed(instruction)
        if let error { appendStuffed(error) }
        for byte in parameters { appendStuffed(byte) }
        let length = bytes.count - 7 + 2
        bytes[5] = UInt8(truncatingIfNeeded: length)
        bytes[6] = UInt8(truncatingIfNeeded: length >> 8)
        let crc = bytes.withUnsafeBufferPointer { PacketCRC.update(0, $0) }
        bytes.append(UInt8(truncatingIfNeeded: crc))
        bytes.append(UInt8(truncatingIfNeeded: crc >> 8))
    }

    public mutating func encode(id: UInt8, instruction: Instruction, error: UInt8? = nil, parameters: [UInt8] = []) {
        parameters.withUnsafeBufferPointer { encode(id: id, instruction: instruction.rawValue, error: error, parameters: $0) }
    }

    /// Appends a payload byte, then the stuffing FD if it completed FF FF FD.
    private mutating func appendStuffed(_ byte: UInt8) {
        bytes.append(byte)
        if byte == 0xFF {
            run = min(run + 1, 2)
        } else if byte == 0xFD && run == 2 {
            bytes.append(0xFD)
            run = 0
        } else {
            run = 0
        }
    }
}

/// What `PacketDecoder` found in the bytes so far.
public enum DecodedPacket: Sendable, Equatable {
    /// A whole packet with a good CRC; its parameters (unstuffed) are in the decoder's `parameters`.
    case packet(id: UInt8, instruction: UInt8, error: UInt8?, parameterCount: Int)
    /// A whole packet whose CRC does not match (a servo answers it with a CRC error); `id` as received.
    case damaged(id: UInt8)
}

/// Finds packets in a byte stream: skips bytes before a header, waits for the whole packet, checks
/// the CRC and removes stuffing. Buffers are sized once; decoding does not allocate.
public struct PacketDecoder: Sendable {
    /// Status packets carry an error byte after the instruction; instruction packets do not.
    public enum Direction: Sendable { case instructions, statuses }

    public let direction: Direction
    /// The parameters of the packet last returned, unstuffed (valid until the next call).
    public private(set) var parameters: [UInt8]
    /// Bytes dropped while looking for a header (line noise, or the rest of a damaged packet).
    public private(set) var skippedBytes = 0
    private var pending: [UInt8]
    private let capacity = Packet.maximumLength + 16

    public init(direction: Direction) {
        self.direction = direction
        parameters = []
        parameters.reserveCapacity(capacity)
        pending = []
        pending.reserveCapacity(2 * capacity)
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        // A stream that never forms a packet must not grow without bound.
        if pending.count + bytes.count > 2 * capacity { skip(pending.count) }
        pending.append(contentsOf: bytes.bindMemory(to: UInt8.self))
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// Forgets every byte received so far.
    public mutating func reset() { pending.removeAll(keepingCapacity: true) }

    /// Whether bytes of an unfinished packet (or noise) are waiting.
    public var hasPendingBytes: Bool { !pending.isEmpty }

    /// The next whole packet, or nil when more bytes are needed.
    public mutating func next() -> DecodedPacket? {
        while true {
            guard let start = headerStart() else {
                // The last three bytes may begin a header that the next read completes.
                skip(max(0, pending.count - 3))
                return nil
            }
            skip(start)
            guard pending.count >= 7 else { return nil }
            let length = Int(pending[5]) | Int(pending[6]) << 8
            let minimum = direction == .statuses ? 4 : 3
            guard length >= minimum, length <= Packet.maximumLength else {
                skip(1)  // not a real header: look further on
                continue
            }
            let total = 7 + length
            guard pending.count >= total else { return nil }
            let id = pending[4]
            let received = UInt16(pending[total - 2]) | UInt16(pending[total - 1]) << 8
            let computed = pending.withUnsafeBufferPointer { PacketCRC.update(0, UnsafeBufferPointer(rebasing: $0[..<(total - 2)])) }
            guard received == computed else {
                // The length may be as damaged as the rest: resynchronise on the next header.
                skip(1)
                return .damaged(id: id)
            }
            // Unstuff the payload (instruction, error, parameters) as the sender stuffed it: an FD
            // right after FF FF FD was added and is dropped.
            parameters.removeAll(keepingCapacity: true)
            var run = 0
            var index = 7
            while index < total - 2 {
                let byte = pending[index]
                index += 1
                parameters.append(byte)
                if byte == 0xFF {
                    run = min(run + 1, 2)
                } else if byte == 0xFD && run == 2 {
                    if index < total - 2 && pending[index] == 0xFD { index += 1 }
                    run = 0
                } else {
                    run = 0
                }
            }
            pending.removeFirst(total)
            let header = direction == .statuses ? 2 : 1
            guard parameters.count >= header else { continue }
            let instruction = parameters[0]
            let error: UInt8? = direction == .statuses ? parameters[1] : nil
            parameters.removeFirst(header)
            return .packet(id: id, instruction: instruction, error: error, parameterCount: parameters.count)
        }
    }

    /// Index of the first FF FF FD 00, or nil.
    private func headerStart() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4)
        where pending[i] == 0xFF && pending[i + 1] == 0xFF && pending[i + 2] == 0xFD && pending[i + 3] == 0x00 {
            return i
        }
        return nil
    }

    /// Drops bytes that are not part of a packet.
    private mutating func skip(_ count: Int) {
        guard count > 0 else { return }
        skippedBytes += count
        pending.removeFirst(count)
    }
}
