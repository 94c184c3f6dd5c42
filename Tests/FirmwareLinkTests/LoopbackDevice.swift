import CArmProto
import FirmwareLink
import Foundation

/// The C reference device behind an in-memory transport, driven on the test's own thread: a
/// request's replies are ready the moment it is written. Knobs break the line on purpose.
final class LoopbackDevice: SerialTransport {
    let path = "loopback"
    let jointCount: Int
    /// Device clock, µs; tests move it by hand.
    var clockMicros: UInt64 = 1_000_000
    var position: [Float]
    var homed: (position: [Float], velocity: [Float])?
    /// Every request the host wrote, decoded.
    private(set) var requests: [WireMessage] = []
    /// Replies to withhold entirely (the next N requests get none).
    var dropReplies = 0
    /// Holds the next reply back and puts it on the line just before the one after it: late, not lost.
    var delayNextReply = false
    private var heldReply: [UInt8] = []
    /// Bytes to put on the line before the next reply.
    var beforeNextReply: [UInt8] = []
    /// Rewrites the device's next replies (e.g. to claim another version).
    var rewrite: ((inout WireMessage) -> Void)?
    /// The other side went away: reads see end of file, writes fail.
    var hungUp = false
    private(set) var opens = 0

    private let device = UnsafeMutablePointer<armproto_device>.allocate(capacity: 1)
    private var inbox: [UInt8] = []
    private var outbox: [UInt8] = []

    init(jointCount: Int = 2) {
        self.jointCount = jointCount
        position = (0..<jointCount).map { Float($0) * 0.25 + 0.5 }
        device.initialize(to: armproto_device())
        var board = armproto_board()
        board.ctx = Unmanaged.passUnretained(self).toOpaque()
        board.now_us = { LoopbackDevice.from($0).clockMicros }
        board.set_torques = { _, _, _ in 0 }
        board.read_joints = { context, q, qd, tau, n in
            let me = LoopbackDevice.from(context)
            for i in 0..<Int(n) {
                q![i] = me.position[i]
                qd![i] = 0
                tau![i] = me.appliedTorque(i)
            }
            return 0
        }
        board.write = { context, bytes, count in
            LoopbackDevice.from(context).outbox.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
        }
        board.home_velocity = { context, q, qd, n in
            let me = LoopbackDevice.from(context)
            me.homed = ((0..<Int(n)).map { q![$0] }, (0..<Int(n)).map { qd![$0] })
            return 0
        }
        var config = armproto_device_config()
        armproto_device_config_default(&config, UInt8(jointCount))
        config.watchdog_us = 100_000
        _ = armproto_device_init(device, &board, &config)
    }

    deinit {
        device.deinitialize(count: 1)
        device.deallocate()
    }

    /// What `FirmwareLink` gets from its opener: this device, line reset.
    func reopen() -> LoopbackDevice {
        opens += 1
        inbox.removeAll()
        hungUp = false
        return self
    }

    var status: DeviceStatus { DeviceStatus(rawValue: armproto_device_status(device)) }

    func appliedTorque(_ joint: Int) -> Float {
        withUnsafeBytes(of: device.pointee.tau_out) { $0.bindMemory(to: Float.self)[joint] }
    }

    static func from(_ context: UnsafeMutableRawPointer?) -> LoopbackDevice {
        Unmanaged<LoopbackDevice>.fromOpaque(context!).takeUnretainedValue()
    }

    // MARK: SerialTransport

    func write(_ bytes: UnsafeRawBufferPointer, timeout: Double) throws {
        if hungUp { throw SerialTransportError.writeFailed(path: path, reason: "Input/output error") }
        for frame in bytes.split(separator: 0) { requests.append(try WireCodec.decode(Array(frame))) }
        outbox.removeAll()
        armproto_device_receive(device, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count)
        guard !outbox.isEmpty else { return }
        if dropReplies > 0 {
            dropReplies -= 1
            return
        }
        if delayNextReply {
            delayNextReply = false
            heldReply = outbox
            return
        }
        inbox += heldReply
        heldReply.removeAll()
        inbox += beforeNextReply
        beforeNextReply.removeAll()
        if let rewrite {
            for frame in outbox.split(separator: 0) {
                var message = try WireCodec.decode(Array(frame))
                rewrite(&message)
                inbox += try WireCodec.encode(message)
            }
        } else {
            inbox += outbox
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Double) throws -> Int {
        guard !inbox.isEmpty else {
            if hungUp { throw SerialTransportError.endOfFile(path: path) }
            // Nothing will come: let the deadline pass as a real line would.
            usleep(UInt32(max(0, timeout) * 1e6))
            return 0
        }
        let count = min(buffer.count, inbox.count)
        buffer.copyBytes(from: inbox[..<count])
        inbox.removeFirst(count)
        return count
    }

    func discardInput() { inbox.removeAll() }

    func close() {}
}
