import FirmwareLink
import MonotonicTime

/// Protocol 2.0 transactions on one serial line: a request out, its status packets in (none for
/// SYNC WRITE and broadcasts), each within `timeout`. A status packet that does not come in time
/// is lost (`DynamixelError.noStatus`); input left over from it is dropped before the next request,
/// so a late status is never taken for the next one's. Buffers are sized once: a SYNC WRITE and a
/// SYNC READ per control period do not allocate.
public final class DynamixelBus {
    public let path: String
    /// How long a request waits for its status packets, s.
    public var timeout: Double
    /// Counters since the bus was opened.
    public private(set) var statistics = BusStatistics()
    /// Ids whose last status packet carried the Alert bit (a hardware error), in arrival order; cleared by each request.
    public private(set) var alerts: [UInt8] = []

    private let transport: any SerialTransport
    private var encoder = PacketEncoder()
    private var decoder = PacketDecoder(direction: .statuses)
    private var input = [UInt8](repeating: 0, count: 1024)
    private var parameters: [UInt8] = []
    private var previousLost = false

    /// Opens `path` raw at `baud` (pseudo-terminals through termios, adapters through libserialport).
    public convenience init(path: String, baud: Int, timeout: Double) throws {
        self.init(transport: try SerialPorts.open(path: path, baud: baud), timeout: timeout)
    }

    public init(transport: any SerialTransport, timeout: Double) {
        self.transport = transport
        self.path = transport.path
        self.timeout = timeout
        parameters.reserveCapacity(1024)
        alerts.reserveCapacity(256)
    }

    deinit { transport.close() }

    /// Releases the port.
    public func close() { transport.close() }

    /// PING: the servo's Model Number and firmware version.
    public func ping(id: UInt8) throws -> (modelNumber: Int, firmware: Int) {
        try request(id: id, .ping, [])
        var data: [UInt8] = []
        try receive(from: id, instruction: .ping, field: nil, count: 3, into: &data)
        return (Int(data[0]) | Int(data[1]) << 8, Int(data[2]))
    }

    /// READ of one field.
    public func read(id: UInt8, _ field: ControlTableField) throws -> Int {
        var data: [UInt8] = []
        try read(id: id, address: field.address, length: field.size, into: &data, field: field)
        return data.withUnsafeBufferPointer { field.decode($0) }
    }

    /// READ of `length` bytes at `address`, appended to `data`.
    public func read(id: UInt8, address: UInt16, length: Int, into data: inout [UInt8], field: ControlTableField? = nil) throws {
        try request(id: id, .read, [UInt8(address & 0xFF), UInt8(address >> 8), UInt8(length & 0xFF), UInt8(length >> 8)])
        try receive(from: id, instruction: .read, field: field, count: length, into: &data)
    }

    /// WRITE of one field, waiting for the servo's status.
    public func write(id: UInt8, _ field: ControlTableField, _ value: Int) throws {
        parameters.removeAll(keepingCapacity: true)
        parameters.append(UInt8(field.address & 0xFF))
        parameters.append(UInt8(field.address >> 8))
        field.encode(value, into: &parameters)
        try request(id: id, .write, parameters)
        var none: [UInt8] = []
        try receive(from: id, instruction: .write, field: field, count: 0, into: &none)
    }

    /// SYNC WRITE of `field` to every id, one value each, in one packet; servos send no status.
    public func syncWrite(_ field: ControlTableField, ids: [UInt8], values: [Int]) throws {
        parameters.removeAll(keepingCapacity: true)
        parameters.append(UInt8(field.address & 0xFF))
        parameters.append(UInt8(field.address >> 8))
        parameters.append(UInt8(field.size & 0xFF))
        parameters.append(UInt8(field.size >> 8))
        for (id, value) in zip(ids, values) {
            parameters.append(id)
            field.encode(value, into: &parameters)
        }
        try request(id: Instruction.broadcastID, .syncWrite, parameters)
    }

    /// SYNC READ of `length` bytes at `address` from every id: one request, one status per id in
    /// order; their data is appended to `data` in id-list order. A missing status is a lost one.
    public func syncRead(address: UInt16, length: Int, ids: [UInt8], into data: inout [UInt8]) throws {
        parameters.removeAll(keepingCapacity: true)
        parameters.append(UInt8(address & 0xFF))
        parameters.append(UInt8(address >> 8))
        parameters.append(UInt8(length & 0xFF))
        parameters.append(UInt8(length >> 8))
        parameters.append(contentsOf: ids)
        try request(id: Instruction.broadcastID, .syncRead, parameters)
        for id in ids { try receive(from: id, instruction: .syncRead, field: nil, count: length, into: &data) }
    }

    /// REBOOT: the servo restarts, which clears a hardware error and turns torque off.
    public func reboot(id: UInt8) throws {
        try request(id: id, .reboot, [])
        var none: [UInt8] = []
        try receive(from: id, instruction: .reboot, field: nil, count: 0, into: &none)
    }

    // MARK: Wire

    private func request(id: UInt8, _ instruction: Instruction, _ parameters: [UInt8]) throws {
        alerts.removeAll(keepingCapacity: true)
        if previousLost || decoder.hasPendingBytes {
            // What a lost or late status left behind must not be read as this request's.
            transport.discardInput()
            decoder.reset()
            previousLost = false
        }
        parameters.withUnsafeBufferPointer { encoder.encode(id: id, instruction: instruction.rawValue, parameters: $0) }
        try encoder.bytes.withUnsafeBytes { try transport.write($0, timeout: timeout) }
        statistics.requests += 1
        statistics.lastRequestTime = MonotonicClock.seconds()
    }

    /// Waits for the status packet from `id` with `count` bytes of data, appends them to `data`, and
    /// throws on its error field. A status with another amount of data (or another id) is not this
    /// request's: a late one from an earlier request, which status packets cannot otherwise be told
    /// from, is counted and skipped. (A refused request's status carries no data.)
    private func receive(
        from id: UInt8, instruction: Instruction, field: ControlTableField?, count: Int, into data: inout [UInt8]
    ) throws {
        let start = MonotonicClock.seconds()
        let deadline = start + timeout
        while true {
            while let packet = decoder.next() {
                switch packet {
                case .damaged:
                    statistics.damagedStatuses += 1
                case .packet(let from, let kind, let error, let parameterCount):
                    guard from == id, kind == Instruction.status.rawValue, let error else {
                        statistics.strayPackets += 1
                        continue
                    }
                    let status = StatusError(rawValue: error)
                    guard parameterCount == count || (!status.succeeded && parameterCount == 0) else {
                        statistics.strayPackets += 1
                        continue
                    }
                    statistics.statuses += 1
                    statistics.lastRoundTrip = MonotonicClock.seconds() - start
                    if status.alert { alerts.append(from) }
                    guard status.succeeded else {
                        throw DynamixelError.statusError(port: path, id: id, instruction: instruction, field: field, error: status)
                    }
                    data.append(contentsOf: decoder.parameters)
                    return
                }
            }
            let remaining = deadline - MonotonicClock.seconds()
            if remaining <= 0 { break }
            let count = try input.withUnsafeMutableBytes { try transport.read(into: $0, timeout: remaining) }
            if count > 0 { input.withUnsafeBytes { decoder.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) } }
        }
        statistics.lostStatuses += 1
        previousLost = true
        throw DynamixelError.noStatus(port: path, id: id, instruction: instruction, timeout: timeout)
    }
}

/// What happened on a bus.
public struct BusStatistics: Sendable, Equatable {
    public var requests = 0
    public var statuses = 0
    public var lostStatuses = 0
    public var damagedStatuses = 0
    /// Well-formed packets that were not the awaited status (another id's, a late one with another
    /// amount of data, or an echo).
    public var strayPackets = 0
    /// From the request written to its (last) status decoded, s.
    public var lastRoundTrip = 0.0
    /// When the last request went out (`MonotonicClock.seconds()`): what the servos' watchdogs last heard.
    public var lastRequestTime = 0.0
}
