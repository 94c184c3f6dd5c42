import CArmProto
import Logging
import MonotonicTime

/// The host side of the Armature wire protocol (firmware-protocol/PROTOCOL.md) over one serial
/// transport: handshake, sequence numbers, replies within a timeout, link faults and statistics.
///
/// One request is outstanding at a time. A reply that does not come within the timeout is *lost*.
/// One lost reply is normal on a real bus and is ridden through (below); `lostReplyLimit` of them in
/// a row, or a lost line, *fault* the link: it sends a best-effort DISABLE, stops commanding torque,
/// and every call throws until `reconnect()`. A refusal by the device (a NAK, a STATE whose result
/// is not OK) is not a link fault.
///
/// What a lost reply means: the request may never have arrived (damaged on the way out, so the
/// device did nothing), or it arrived and was carried out and only the reply was lost or late. The
/// host cannot tell which from the silence, so:
/// - every request carries a new sequence number, a request sent again included, and a reply is
///   taken only for the sequence number outstanding: a late reply to a lost request, arriving while
///   the host waits for a later one, is discarded and counted (`lateReplies`), never taken for it;
/// - requests that are safe to repeat (all but TORQUE: HELLO, ENABLE, DISABLE, HOME, HEARTBEAT, MOVE
///   ... leave the device in the same state whether they arrive once or twice; a second MOVE to the
///   same target only goes on with the same move) are sent again;
/// - a TORQUE is not sent again: in lockstep a second one would step the arm a second period, and
///   in real time its period is over and the next step commands afresh. Its step is completed by a
///   HEARTBEAT instead, whose STATE is the arm now and says by `applied_seq` whether that TORQUE took
///   effect (`DeviceReport.lostTorque`). If it did not, the torque in force is the previous one (or
///   zero after a disable), which the device's watchdog bounds in time.
/// Each of these losses counts toward the limit; the reply to a request outstanding resets the count.
///
/// Not thread-safe: one owner drives it. The control path (`torque`) does not allocate.
public final class FirmwareLink {
    /// Where the device is and how long to wait for it.
    public struct Configuration: Sendable, Equatable {
        /// Device path (`/dev/ttyACM0`, a pseudo-terminal, or a symlink to either).
        public var path: String
        /// Line rate, bit/s (ignored by pseudo-terminals).
        public var baud: Int
        /// Longest wait for a reply, s; a reply later than this is lost.
        public var timeout: Double
        /// Longest wait for the handshake, s: HELLO is sent again, with growing waits (`helloWaits`),
        /// until a HELLO_REPLY comes or this much time has passed. A device may still be starting
        /// when the port opens: many boards reset when it does and need a second or two, and
        /// QEMU's emulated board answered 0.8 s after its pty was opened.
        public var connectTimeout: Double
        /// Lost replies in a row that fault the link (at least 1: 1 faults at the first).
        public var lostReplyLimit: Int

        /// Two in a row, as a robot description's `serial.lost_replies` defaults to.
        public static let defaultLostReplyLimit = 2
        /// As a robot description's `serial.connect_timeout` defaults to: a board that resets when
        /// its port opens is up well within it.
        public static let defaultConnectTimeout = 3.0

        /// How long each HELLO waits for its reply: short at first, so a device that is up answers
        /// at once even if the first HELLO met a receiver still starting, then doubling to half a
        /// second, within what is left of `connectTimeout`.
        public func helloWaits() -> [Double] {
            var waits: [Double] = []
            var wait = 0.1
            var total = 0.0
            // A remainder of a microsecond or less is rounding, not a wait.
            while connectTimeout - total > 1e-6 {
                let next = min(wait, connectTimeout - total)
                waits.append(next)
                total += next
                wait = min(wait * 2, 0.5)
            }
            return waits
        }

        public init(
            path: String, baud: Int = SerialPorts.defaultBaud, timeout: Double = 0.02,
            connectTimeout: Double = Configuration.defaultConnectTimeout, lostReplyLimit: Int = Configuration.defaultLostReplyLimit
        ) {
            self.path = path
            self.baud = baud
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.lostReplyLimit = lostReplyLimit
        }
    }

    /// What the device said about itself in HELLO_REPLY.
    public struct DeviceInfo: Sendable, Equatable {
        public var versionMajor: UInt8
        public var versionMinor: UInt8
        public var jointCount: Int
        public var firmwareID: UInt32
        public var firmwareVersion: UInt32
        /// Torque watchdog period, s.
        public var watchdogPeriod: Double
        /// Largest frame the device accepts, bytes on the wire.
        public var maxFrame: Int
        /// Per-joint torque limit, N·m (+∞ for none).
        public var torqueLimits: [Double]
        /// What the device can do (protocol 1.3; empty from an older device).
        public var capabilities: DeviceCapabilities

        /// `major.minor`.
        public var version: String { "\(versionMajor).\(versionMinor)" }
        /// Whether HOME may carry velocities (protocol ≥ 1.1). Only a device that can set them (the
        /// emulator) uses them; a physical arm ignores them, so read the state after HOME.
        public var acceptsHomeVelocity: Bool { versionMajor > 1 || versionMinor >= 1 }
        /// Whether the device drives the arm to a pose itself (MOVE, protocol 1.3).
        public var canMove: Bool { (versionMajor > 1 || versionMinor >= 3) && capabilities.contains(.move) }
        /// Whether the device holds an actor and closes the loop itself towards a GOAL (protocol 1.4).
        public var canRunActor: Bool { (versionMajor > 1 || versionMinor >= 4) && capabilities.contains(.actor) }
    }

    /// One FAULT event from the device (PROTOCOL.md section 6.9).
    public struct DeviceFault: Sendable, Equatable {
        public var code: FaultCode
        /// Joint concerned, or nil for none.
        public var joint: Int?
        public var detail: UInt32
        public var timeMicros: UInt64
        public var status: DeviceStatus
        public var sequence: UInt32
    }

    /// The protocol version this host speaks.
    public static let hostVersion = (major: UInt8(ARMPROTO_VERSION_MAJOR), minor: UInt8(ARMPROTO_VERSION_MINOR))

    /// Opens the transport for a configuration; tests substitute their own.
    public typealias TransportOpener = (Configuration) throws -> any SerialTransport

    public let configuration: Configuration
    /// The device's self-description since the last successful handshake; nil before.
    public private(set) var device: DeviceInfo?
    /// The most recent FAULT event received, if any.
    public private(set) var lastDeviceFault: DeviceFault?
    /// Why the link is faulted; nil while it is usable.
    public private(set) var fault: FirmwareLinkError?

    private let opener: TransportOpener
    private let logger: Logger
    private var transport: (any SerialTransport)?
    private var nextSequence: UInt32 = 1
    /// Whether this host enabled the motors and has not disabled them since: close() then disables.
    private var enabledByHost = false

    // Buffers sized once: a control step encodes, writes, reads and decodes without allocating.
    private var receiver = armproto_receiver()
    private var received = armproto_msg()
    private var txFrame = [UInt8](repeating: 0, count: Int(ARMPROTO_MAX_FRAME))
    private var rxBytes = [UInt8](repeating: 0, count: 1024)
    private var rxStart = 0
    private var rxEnd = 0
    private var floats = [Float](repeating: 0, count: Int(ARMPROTO_MAX_JOINTS))
    private var floats2 = [Float](repeating: 0, count: Int(ARMPROTO_MAX_JOINTS))
    private var moveMessage = armproto_msg()

    private var framesSent = 0
    /// Indexed by type byte; an array so that counting a request does not allocate.
    private var requestsByType = [Int](repeating: 0, count: 256)
    private var lostReplies = 0
    /// Lost replies since the last reply received; the link faults when it reaches the limit.
    private var lostInARow = 0
    private var mostLostInARow = 0
    private var lateReplies = 0
    private var faultEvents = 0
    private var roundTrips = RoundTripRing(capacity: 4096)

    /// A link that is not open yet; `connect()` opens it and shakes hands.
    public init(
        configuration: Configuration, logger: Logger = Logger(label: "armature.firmware-link"),
        opener: TransportOpener? = nil
    ) {
        self.configuration = configuration
        self.logger = logger
        self.opener = opener ?? { try SerialPorts.open(path: $0.path, baud: $0.baud) }
        armproto_receiver_init(&receiver)
    }

    deinit { close() }

    /// The port path, for messages.
    public var path: String { configuration.path }
    /// Whether the transport is open.
    public var isOpen: Bool { transport != nil }
    /// Whether a handshake succeeded on the open transport and the link is not faulted.
    public var isConnected: Bool { transport != nil && device != nil && fault == nil }

    /// What the host has seen so far (cumulative over reconnects).
    public var statistics: LinkStatistics {
        var s = LinkStatistics()
        s.framesSent = framesSent
        s.framesReceived = Int(receiver.stats.rx_frames)
        s.crcErrors = Int(receiver.stats.rx_crc_errors)
        s.decodeErrors = Int(
            receiver.stats.rx_cobs_errors + receiver.stats.rx_short + receiver.stats.rx_overlong
                + receiver.stats.rx_unknown_type + receiver.stats.rx_bad_length)
        s.lostReplies = lostReplies
        s.mostLostRepliesInARow = mostLostInARow
        s.lateReplies = lateReplies
        s.faultEvents = faultEvents
        for (type, count) in requestsByType.enumerated() where count > 0 { s.requests[MessageType(rawValue: UInt8(type))] = count }
        s.roundTrips = roundTrips.total
        if let p = roundTrips.percentiles() {
            s.roundTripP50 = p.p50
            s.roundTripP99 = p.p99
            s.roundTripMax = p.max
        }
        return s
    }

    // MARK: Session

    /// Opens the transport (if needed) and shakes hands. Throws if the link is faulted.
    @discardableResult
    public func connect() throws -> DeviceInfo {
        try checkNotFaulted()
        try open()
        return try handshake()
    }

    /// Clears a fault: closes the transport, opens it again and shakes hands. The device starts
    /// disabled (HELLO disables it); enable it again before commanding torque.
    @discardableResult
    public func reconnect() throws -> DeviceInfo {
        closeTransport(disable: fault == nil)
        if let fault { logger.info("reconnecting to \(path) after: \(fault.summary)") }
        fault = nil
        return try connect()
    }

    /// Opens the transport if it is closed and terminates any partial frame in the device's receiver.
    public func open() throws {
        try checkNotFaulted()
        guard transport == nil else { return }
        let opened = try opener(configuration)
        transport = opened
        device = nil
        rxStart = 0
        rxEnd = 0
        lostInARow = 0
        // PROTOCOL.md 2.3: a lone delimiter ends whatever the device's receiver holds from before.
        txFrame[0] = 0
        try write(count: 1)
    }

    /// HELLO → HELLO_REPLY, HELLO sent again with growing waits until `connectTimeout` (a device
    /// still starting is not a lost reply: none of these count towards the lost-reply limit).
    /// Checks the major version; the caller checks the joint count.
    @discardableResult
    public func handshake() throws -> DeviceInfo {
        try checkOpen()
        let host = Self.hostVersion
        let waits = configuration.helloWaits()
        let started = MonotonicClock.nanoseconds()
        for (attempt, wait) in waits.enumerated() {
            do {
                try exchange(.hello, expecting: .helloReply, timeout: wait, countsLoss: false) { out, capacity, sequence in
                    armproto_encode_hello(out, capacity, sequence, host.major, host.minor)
                }
                break
            } catch is LostReply {
                guard attempt == waits.count - 1 else { continue }
                let waited = Double(MonotonicClock.nanoseconds() &- started) * 1e-9
                throw enterFault(.noHandshake(port: path, hellos: waits.count, seconds: waited), lineAlive: true)
            }
        }
        enabledByHost = false
        let reply = received
        if reply.version_major != host.major || reply.result == ARMPROTO_RESULT_VERSION_MISMATCH {
            throw FirmwareLinkError.versionMismatch(
                port: path, host: "\(host.major).\(host.minor)", device: "\(reply.version_major).\(reply.version_minor)")
        }
        guard reply.result == ARMPROTO_RESULT_OK else {
            throw FirmwareLinkError.refused(port: path, request: .hello, result: ResultCode(rawValue: reply.result))
        }
        var limits = reply
        let info = DeviceInfo(
            versionMajor: reply.version_major, versionMinor: reply.version_minor, jointCount: Int(reply.joint_count),
            firmwareID: reply.firmware_id, firmwareVersion: reply.firmware_version,
            watchdogPeriod: Double(reply.watchdog_us) * 1e-6, maxFrame: Int(reply.max_frame),
            torqueLimits: JointArray.read(&limits.torque_limit, count: Int(reply.joint_count)).map(Double.init),
            capabilities: DeviceCapabilities(rawValue: reply.capabilities))
        device = info
        return info
    }

    /// Best-effort DISABLE if this host enabled the motors, then closes the transport. Never throws.
    public func close() {
        closeTransport(disable: fault == nil)
        device = nil
    }

    // MARK: Requests

    /// ENABLE → ACK: motors on with zero torque until the first TORQUE; feeds the watchdog.
    public func enable() throws {
        try checkConnected()
        try request(.enable, expecting: .ack) { armproto_encode_enable($0, $1, $2) }
        enabledByHost = true
    }

    /// DISABLE → ACK: zero torque, motors off.
    public func disable() throws {
        try checkConnected()
        enabledByHost = false
        try request(.disable, expecting: .ack) { armproto_encode_disable($0, $1, $2) }
    }

    /// ESTOP → ACK: latches the device's emergency stop (zero torque until `clearEmergencyStop` and `enable`).
    public func emergencyStop() throws {
        try checkOpen()
        enabledByHost = false
        try request(.estop, expecting: .ack) { armproto_encode_estop($0, $1, $2) }
    }

    /// CLEAR_ESTOP → ACK: releases the latch; the device stays disabled.
    public func clearEmergencyStop() throws {
        try checkOpen()
        try request(.clearEstop, expecting: .ack) { armproto_encode_clear_estop($0, $1, $2) }
    }

    /// RESET → ACK: the device's protocol state back to power-on (handshake needed again).
    public func reset() throws {
        try checkOpen()
        enabledByHost = false
        try request(.reset, expecting: .ack) { armproto_encode_reset($0, $1, $2) }
        device = nil
    }

    /// HOME → ACK (device disabled): the arm now reads `position`; a device that can (the emulator,
    /// protocol ≥ 1.1) is also set moving at `velocity`; others ignore it. On a real arm this
    /// re-zeroes the encoders: only a person who knows where the arm is may ask for it, never an
    /// episode start (PROTOCOL.md 6.4).
    public func home(position: [Double], velocity: [Double]? = nil) throws {
        let device = try checkConnected()
        let n = device.jointCount
        guard position.count == n else { throw FirmwareLinkError.wrongJointCount(port: path, device: n, given: position.count) }
        if let velocity, velocity.count != n {
            throw FirmwareLinkError.wrongJointCount(port: path, device: n, given: velocity.count)
        }
        for i in 0..<n { floats[i] = Float(position[i]) }
        if let velocity {
            for i in 0..<n { floats2[i] = Float(velocity[i]) }
        }
        let withVelocity = velocity != nil
        try request(.home, expecting: .ack) { out, capacity, sequence in
            floats.withUnsafeBufferPointer { q in
                floats2.withUnsafeBufferPointer { qd in
                    armproto_encode_home_velocity(out, capacity, sequence, q.baseAddress, withVelocity ? qd.baseAddress : nil, UInt8(n))
                }
            }
        }
    }

    /// TORQUE → STATE: commands one torque per joint (N·m); the reply's joint values go straight into
    /// `joints` and the rest into `report`. The device may refuse (disabled, e-stop): `report.result`
    /// says so; that is not a link error.
    ///
    /// When the STATE is lost (and the limit not reached) the TORQUE is not sent again (see the type's
    /// comment): the state then comes from a HEARTBEAT, and `report.lostTorque` holds the TORQUE's
    /// sequence number, equal to `report.appliedSequence` if the torque took effect.
    public func torque(_ torques: [Double], joints: inout some JointReadings, report: inout DeviceReport) throws {
        let device = try checkConnected()
        let n = device.jointCount
        guard torques.count == n else { throw FirmwareLinkError.wrongJointCount(port: path, device: n, given: torques.count) }
        for i in 0..<n { floats[i] = Float(torques[i]) }
        do {
            try exchange(.torque, expecting: .state) { out, capacity, sequence in
                floats.withUnsafeBufferPointer { armproto_encode_torque(out, capacity, sequence, $0.baseAddress, UInt8(n)) }
            }
            readState(joints: &joints, report: &report)
        } catch let lost as LostReply {
            try request(.heartbeat, expecting: .state) { armproto_encode_heartbeat($0, $1, $2) }
            readState(joints: &joints, report: &report)
            report.lostTorque = lost.sequence
        }
    }

    /// MOVE → STATE (protocol 1.3): the device's position controller drives the arm towards the
    /// command's target and holds it; `report.status` says when it has settled. Repeat it (each
    /// feeds the watchdog) until then and to keep holding; the next TORQUE ends the move. A device
    /// may refuse (disabled, e-stop, out of range): `report.result` says so.
    public func move(_ command: MoveCommand, joints: inout some JointReadings, report: inout DeviceReport) throws {
        let device = try checkConnected()
        let n = device.jointCount
        for count in [command.target.count, command.stiffness.count, command.damping.count] where count != n {
            throw FirmwareLinkError.wrongJointCount(port: path, device: n, given: count)
        }
        guard device.canMove else { throw FirmwareLinkError.unsupported(port: path, request: .move, version: device.version) }
        moveMessage = command.cMessage()
        try request(.move, expecting: .state) { out, capacity, sequence in
            moveMessage.seq = sequence
            return armproto_encode_msg(&moveMessage, out, capacity)
        }
        readState(joints: &joints, report: &report)
    }

    /// GOAL → STATE (protocol 1.4): the goal for the device's own actor (x, y for the reach task),
    /// which then closes the loop itself at its control period (on a lockstep device: one period per
    /// GOAL). Each accepted GOAL feeds the watchdog, and HEARTBEAT does too while the actor runs. A
    /// device may refuse (disabled, e-stop): `report.result` says so; one without an actor NAKs it.
    public func goal(_ goal: [Double], joints: inout some JointReadings, report: inout DeviceReport) throws {
        let device = try checkConnected()
        guard device.canRunActor else { throw FirmwareLinkError.unsupported(port: path, request: .goal, version: device.version) }
        guard (1...Int(ARMPROTO_ACTOR_MAX_GOAL)).contains(goal.count) else {
            throw FirmwareLinkError.wrongJointCount(port: path, device: Int(ARMPROTO_ACTOR_MAX_GOAL), given: goal.count)
        }
        for i in goal.indices { floats[i] = Float(goal[i]) }
        // Not repeated on a lost reply, as TORQUE: on a lockstep device each GOAL is a step, so a
        // repeat would step twice. The state is read with a HEARTBEAT instead.
        do {
            try exchange(.goal, expecting: .state) { out, capacity, sequence in
                floats.withUnsafeBufferPointer { armproto_encode_goal(out, capacity, sequence, $0.baseAddress, UInt8(goal.count)) }
            }
            readState(joints: &joints, report: &report)
        } catch let lost as LostReply {
            try request(.heartbeat, expecting: .state) { armproto_encode_heartbeat($0, $1, $2) }
            readState(joints: &joints, report: &report)
            report.lostTorque = lost.sequence
        }
    }

    /// HEARTBEAT → STATE: reads the state without changing anything (it feeds the watchdog only
    /// while the device's own actor runs, protocol 1.4).
    public func heartbeat(joints: inout some JointReadings, report: inout DeviceReport) throws {
        try checkConnected()
        try request(.heartbeat, expecting: .state) { armproto_encode_heartbeat($0, $1, $2) }
        readState(joints: &joints, report: &report)
    }

    /// GET_STATS → STATS: the device's own link and safety counters.
    public func deviceCounters() throws -> DeviceCounters {
        try checkOpen()
        try request(.getStats, expecting: .stats) { armproto_encode_get_stats($0, $1, $2) }
        return DeviceCounters(received.stats)
    }

    // MARK: Machinery

    private func checkNotFaulted() throws {
        if let fault { throw FirmwareLinkError.faulted(port: path, cause: fault.summary) }
    }

    private func checkOpen() throws {
        try checkNotFaulted()
        guard transport != nil else { throw FirmwareLinkError.notConnected(port: path) }
    }

    @discardableResult
    private func checkConnected() throws -> DeviceInfo {
        try checkOpen()
        guard let device else { throw FirmwareLinkError.notConnected(port: path) }
        return device
    }

    /// Sends a request that is safe to repeat and waits for its reply, left in `received`; a lost
    /// reply sends it again under a new sequence number until the lost-reply limit faults the link.
    private func request(
        _ type: MessageType, expecting reply: MessageType, timeout: Double? = nil,
        encode: (UnsafeMutablePointer<UInt8>, Int, UInt32) -> Int32
    ) throws {
        while true {
            do {
                return try exchange(type, expecting: reply, timeout: timeout, encode: encode)
            } catch is LostReply {
                // Bounded: every pass counts one more loss in a row, and the limit faults the link.
                continue
            }
        }
    }

    /// One request under a new sequence number and the wait for the reply carrying it, left in
    /// `received`. Throws `LostReply` for a lost reply under the limit, and faults the link at it.
    /// `countsLoss` false: a missing reply is only reported (`LostReply`), not counted as lost (the handshake's retries).
    private func exchange(
        _ type: MessageType, expecting reply: MessageType, timeout: Double? = nil, countsLoss: Bool = true,
        encode: (UnsafeMutablePointer<UInt8>, Int, UInt32) -> Int32
    ) throws {
        let sequence = nextSequence
        nextSequence &+= 1
        let count = txFrame.withUnsafeMutableBufferPointer { encode($0.baseAddress!, $0.count, sequence) }
        // Only a joint count outside 1...16 can fail here, and DeviceInfo never holds one.
        guard count > 0 else { throw FirmwareLinkError.wrongJointCount(port: path, device: device?.jointCount ?? 0, given: 0) }
        let start = MonotonicClock.nanoseconds()
        try write(count: Int(count))
        requestsByType[Int(type.rawValue)] += 1
        let limit = timeout ?? configuration.timeout
        let deadline = start &+ UInt64(max(0, limit) * 1e9)
        while true {
            while rxStart < rxEnd {
                var result: Int32 = 0
                let used = rxBytes.withUnsafeBufferPointer { bytes in
                    armproto_receiver_feed(&receiver, bytes.baseAddress! + rxStart, rxEnd - rxStart, &received, &result)
                }
                rxStart += used
                // Damaged frames (negative results) are counted by the receiver itself.
                if result == ARMPROTO_RX_MESSAGE, try isReply(to: type, sequence: sequence, expecting: reply) {
                    roundTrips.record(nanoseconds: MonotonicClock.nanoseconds() &- start)
                    lostInARow = 0
                    return
                }
            }
            rxStart = 0
            rxEnd = 0
            let now = MonotonicClock.nanoseconds()
            guard now < deadline else {
                guard countsLoss else { throw LostReply(sequence: sequence) }
                lostReplies += 1
                lostInARow += 1
                mostLostInARow = max(mostLostInARow, lostInARow)
                if lostInARow >= configuration.lostReplyLimit {
                    throw enterFault(
                        .timeout(port: path, request: type, sequence: sequence, seconds: limit, inARow: lostInARow), lineAlive: true)
                }
                logger.warning(
                    "no reply to \(type) seq \(sequence) from \(path) within \(milliseconds(limit)) (\(lostInARow) lost in a row, the link faults at \(configuration.lostReplyLimit))")
                throw LostReply(sequence: sequence)
            }
            rxEnd = try read(timeout: Double(deadline - now) * 1e-9)
        }
    }

    /// Whether `received` answers the outstanding request; events and strays are recorded and skipped.
    private func isReply(to type: MessageType, sequence: UInt32, expecting reply: MessageType) throws -> Bool {
        let kind = MessageType(rawValue: received.type)
        if kind == .fault {
            // Unsolicited and may arrive between a request and its reply (PROTOCOL.md 5).
            faultEvents += 1
            let event = DeviceFault(
                code: FaultCode(rawValue: received.fault),
                joint: received.fault_joint == UInt8(ARMPROTO_NO_JOINT) ? nil : Int(received.fault_joint),
                detail: received.fault_detail, timeMicros: received.time_us, status: DeviceStatus(rawValue: received.status),
                sequence: received.seq)
            lastDeviceFault = event
            logger.warning("device on \(path) reported fault \(event.code) (detail \(event.detail), status \(event.status))")
            return false
        }
        guard received.seq == sequence else {
            lateReplies += 1
            return false
        }
        if kind == reply { return true }
        if kind == .nak && received.request_type == type.rawValue {
            throw FirmwareLinkError.refused(port: path, request: type, result: ResultCode(rawValue: received.result))
        }
        lateReplies += 1
        return false
    }

    /// The STATE in `received`: joint values straight into the caller's readings (as many as both
    /// hold; the handshake checked that the counts agree), the rest into `report`.
    private func readState(joints: inout some JointReadings, report: inout DeviceReport) {
        let n = min(Int(min(received.joint_count, UInt8(ARMPROTO_MAX_JOINTS))), joints.position.count, joints.velocity.count,
            joints.torque.count)
        report.lostTorque = nil
        report.sequence = received.seq
        report.appliedSequence = received.applied_seq
        report.timeMicros = received.time_us
        report.status = DeviceStatus(rawValue: received.status)
        report.result = ResultCode(rawValue: received.result)
        report.fault = FaultCode(rawValue: received.fault)
        JointArray.withFloats(&received.q) { q in
            for i in 0..<n { joints.position[i] = Double(q[i]) }
        }
        JointArray.withFloats(&received.qd) { qd in
            for i in 0..<n { joints.velocity[i] = Double(qd[i]) }
        }
        JointArray.withFloats(&received.tau) { tau in
            for i in 0..<n { joints.torque[i] = Double(tau[i]) }
        }
        joints.time = Double(received.time_us) * 1e-6
    }

    private func write(count: Int) throws {
        guard let transport else { throw FirmwareLinkError.notConnected(port: path) }
        do {
            try txFrame.withUnsafeBytes { try transport.write(UnsafeRawBufferPointer(rebasing: $0[..<count]), timeout: configuration.timeout) }
            if count > 1 { framesSent += 1 }
        } catch let error as SerialTransportError {
            throw enterFault(.linkLost(port: path, reason: error.summary), lineAlive: false)
        }
    }

    private func read(timeout: Double) throws -> Int {
        guard let transport else { throw FirmwareLinkError.notConnected(port: path) }
        do {
            return try rxBytes.withUnsafeMutableBytes { try transport.read(into: $0, timeout: timeout) }
        } catch let error as SerialTransportError {
            throw enterFault(.linkLost(port: path, reason: error.summary), lineAlive: false)
        }
    }

    /// Records the fault and stops commanding torque: a DISABLE if the line may still carry it, else
    /// the port is closed (the device's watchdog zeroes the torque on its own).
    private func enterFault(_ error: FirmwareLinkError, lineAlive: Bool) -> FirmwareLinkError {
        fault = error
        logger.error("link to \(path) faulted: \(error.summary)")
        if lineAlive, let transport {
            sendDisableWithoutWaiting(on: transport)
        } else {
            transport?.close()
            transport = nil
        }
        enabledByHost = false
        device = nil
        return error
    }

    /// Writes a DISABLE without waiting for its ACK: a fault or a close must not wait on a device
    /// that may be gone. Counted as sent only when the write succeeded.
    private func sendDisableWithoutWaiting(on transport: any SerialTransport) {
        let sequence = nextSequence
        nextSequence &+= 1
        let count = txFrame.withUnsafeMutableBufferPointer { armproto_encode_disable($0.baseAddress, $0.count, sequence) }
        guard count > 0 else { return }
        let sent = txFrame.withUnsafeBytes {
            (try? transport.write(UnsafeRawBufferPointer(rebasing: $0[..<Int(count)]), timeout: configuration.timeout)) != nil
        }
        if sent {
            framesSent += 1
            requestsByType[Int(MessageType.disable.rawValue)] += 1
        }
    }

    private func closeTransport(disable: Bool) {
        guard let transport else { return }
        if disable && enabledByHost { sendDisableWithoutWaiting(on: transport) }
        enabledByHost = false
        transport.close()
        self.transport = nil
        device = nil
    }
}

/// Where a STATE's joint values go (Hardware's `JointState`): the caller's own type, filled in place,
/// so a control step copies each value once, from the wire into the state the loop reads.
public protocol JointReadings {
    /// rad
    var position: [Double] { get set }
    /// rad/s
    var velocity: [Double] { get set }
    /// Measured torque, N·m.
    var torque: [Double] { get set }
    /// Device clock, s.
    var time: Double { get set }
}

/// What one STATE says besides the joint values (PROTOCOL.md section 6.8): the reply to TORQUE,
/// MOVE or HEARTBEAT.
public struct DeviceReport: Sendable, Equatable {
    /// The request this answers.
    public var sequence: UInt32 = 0
    /// The TORQUE whose torque is in force.
    public var appliedSequence: UInt32 = 0
    /// Device clock when the joints were sampled, µs.
    public var timeMicros: UInt64 = 0
    public var status: DeviceStatus = []
    /// OK, or why the request was not carried out.
    public var result: ResultCode = .ok
    /// The latched fault, `.none` if none.
    public var fault: FaultCode = .none
    /// Set when this state answers a HEARTBEAT sent because the TORQUE's own STATE was lost: that
    /// TORQUE's sequence number. It took effect if and only if it equals `appliedSequence`.
    public var lostTorque: UInt32?

    public init() {}
}

/// Why a link call failed. The limit of lost replies in a row and lost lines fault the link until `reconnect()`.
public enum FirmwareLinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A command before `connect()` (or after `close()`).
    case notConnected(port: String)
    /// No reply within the timeout, the `inARow`th lost reply in a row and the limit; the link is faulted.
    case timeout(port: String, request: MessageType, sequence: UInt32, seconds: Double, inARow: Int)
    /// No HELLO_REPLY to any of `hellos` HELLOs within the connect timeout; the link is faulted.
    case noHandshake(port: String, hellos: Int, seconds: Double)
    /// The line failed (end of file, I/O error, write error); the link is faulted.
    case linkLost(port: String, reason: String)
    /// A call on a faulted link.
    case faulted(port: String, cause: String)
    /// The device speaks another protocol major.
    case versionMismatch(port: String, host: String, device: String)
    /// The device answered NAK (or HELLO_REPLY not OK).
    case refused(port: String, request: MessageType, result: ResultCode)
    /// Per-joint values that do not match the device's joint count.
    case wrongJointCount(port: String, device: Int, given: Int)
    /// The device's protocol version or capabilities lack the request.
    case unsupported(port: String, request: MessageType, version: String)

    public var description: String {
        switch self {
        case .notConnected(let port):
            return "the link to \(port) is not connected; connect (open the port and shake hands) before sending commands"
        case .timeout(let port, let request, let sequence, let seconds, let inARow):
            return "no reply to \(request) (seq \(sequence)) from \(port) within \(milliseconds(seconds)), \(lostInARowText(inARow)); "
                + "the link is faulted and no torque is commanded (DISABLE sent). Check the cable, the baud rate and that the "
                + "firmware or emulator is running, then reconnect (a noisy line may need a longer serial.timeout or a higher "
                + "serial.lost_replies in the robot description)"
        case .noHandshake(let port, let hellos, let seconds):
            return "no answer from a device on \(port): \(hellos) HELLOs over \(Int((seconds * 1000).rounded())) ms went without a "
                + "HELLO_REPLY. Check that the firmware (or `armature emulate`) is running on that port at the description's baud "
                + "rate and that nothing else holds the port; a board that resets when its port opens and takes longer to start "
                + "needs a longer serial.connect_timeout in the robot description (or --connect-timeout)"
        case .linkLost(let port, let reason):
            return "lost the link to \(port): \(reason); no torque is commanded (the device's watchdog stops the motors). "
                + "Check the device, its cable and power (or restart the emulator), then reconnect"
        case .faulted(let port, let cause):
            return "the link to \(port) is faulted (\(cause)); nothing is sent until it is reconnected"
        case .versionMismatch(let port, let host, let device):
            let major = host.split(separator: ".").first.map(String.init) ?? host
            return "the device on \(port) speaks protocol \(device) but this host speaks \(host); the major versions must match. "
                + "Update the firmware (or armature) so that both speak \(major).x"
        case .refused(let port, let request, let result):
            return "the device on \(port) refused \(request): \(result); \(result.advice)"
        case .wrongJointCount(let port, let device, let given):
            return "\(given) joint values for the device on \(port), which has \(device) joints; pass one value per joint"
        case .unsupported(let port, let request, let version):
            return "the device on \(port) speaks protocol \(version) and cannot do \(request) (protocol 1.3 adds MOVE); "
                + "update its firmware, or start episodes from the measured pose (--episode-start measured)"
        }
    }

    /// One line for logs and for `faulted(cause:)`.
    public var summary: String {
        switch self {
        case .timeout(_, let request, let sequence, let seconds, let inARow):
            return "no reply to \(request) seq \(sequence) within \(milliseconds(seconds)), \(lostInARowText(inARow))"
        case .noHandshake(_, let hellos, let seconds):
            return "no HELLO_REPLY to \(hellos) HELLOs over \(Int((seconds * 1000).rounded())) ms"
        case .linkLost(_, let reason): return reason
        case .faulted(_, let cause): return cause
        default: return description
        }
    }
}

extension SerialTransportError {
    /// The reason without the advice, for the link's own messages.
    var summary: String {
        switch self {
        case .openFailed(_, let reason): return "open failed: \(reason)"
        case .configureFailed(_, let setting, let reason): return "cannot set \(setting): \(reason)"
        case .writeFailed(_, let reason): return "write failed: \(reason)"
        case .writeTimedOut(_, let seconds): return "write did not finish within \(milliseconds(seconds))"
        case .readFailed(_, let reason): return "read failed: \(reason)"
        case .endOfFile: return "the other side closed the line"
        case .closed: return "the port is closed"
        }
    }
}

private func lostInARowText(_ count: Int) -> String {
    count == 1 ? "the first lost reply" : "\(count) lost replies in a row"
}

/// A lost reply under the limit: the link is still usable. Never leaves `FirmwareLink`.
private struct LostReply: Error {
    /// The request whose reply was lost.
    let sequence: UInt32
}
