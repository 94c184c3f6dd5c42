import CArmProto

/// A message type byte (PROTOCOL.md section 5); unknown values are kept, not rejected.
public struct MessageType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    init(_ value: Int32) { rawValue = UInt8(truncatingIfNeeded: value) }

    public static let hello = MessageType(ARMPROTO_MSG_HELLO)
    public static let enable = MessageType(ARMPROTO_MSG_ENABLE)
    public static let disable = MessageType(ARMPROTO_MSG_DISABLE)
    public static let torque = MessageType(ARMPROTO_MSG_TORQUE)
    public static let heartbeat = MessageType(ARMPROTO_MSG_HEARTBEAT)
    public static let estop = MessageType(ARMPROTO_MSG_ESTOP)
    public static let clearEstop = MessageType(ARMPROTO_MSG_CLEAR_ESTOP)
    public static let reset = MessageType(ARMPROTO_MSG_RESET)
    public static let home = MessageType(ARMPROTO_MSG_HOME)
    public static let getStats = MessageType(ARMPROTO_MSG_GET_STATS)
    /// Protocol 1.3: the device's position controller drives the arm to a pose and holds it.
    public static let move = MessageType(ARMPROTO_MSG_MOVE)
    /// Protocol 1.4: the goal for the device's own actor.
    public static let goal = MessageType(ARMPROTO_MSG_GOAL)
    public static let helloReply = MessageType(ARMPROTO_MSG_HELLO_REPLY)
    public static let ack = MessageType(ARMPROTO_MSG_ACK)
    public static let nak = MessageType(ARMPROTO_MSG_NAK)
    public static let state = MessageType(ARMPROTO_MSG_STATE)
    public static let fault = MessageType(ARMPROTO_MSG_FAULT)
    public static let stats = MessageType(ARMPROTO_MSG_STATS)

    /// The protocol's name (`TORQUE`), or `UNKNOWN(0x7f)`.
    public var description: String {
        let name = String(cString: armproto_msg_name(rawValue))
        return name == "UNKNOWN" ? "UNKNOWN(0x\(String(rawValue, radix: 16)))" : name
    }
}

/// A result code (HELLO_REPLY.result, STATE.result, NAK.error; PROTOCOL.md section 7.1).
public struct ResultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    init(_ value: Int32) { rawValue = UInt8(truncatingIfNeeded: value) }

    public static let ok = ResultCode(ARMPROTO_RESULT_OK)
    public static let unknownType = ResultCode(ARMPROTO_RESULT_UNKNOWN_TYPE)
    public static let badLength = ResultCode(ARMPROTO_RESULT_BAD_LENGTH)
    public static let badJointCount = ResultCode(ARMPROTO_RESULT_BAD_JOINT_COUNT)
    public static let notEnabled = ResultCode(ARMPROTO_RESULT_NOT_ENABLED)
    public static let estopLatched = ResultCode(ARMPROTO_RESULT_ESTOP_LATCHED)
    public static let nonFinite = ResultCode(ARMPROTO_RESULT_NON_FINITE)
    public static let staleSequence = ResultCode(ARMPROTO_RESULT_STALE_SEQUENCE)
    public static let noHandshake = ResultCode(ARMPROTO_RESULT_NO_HANDSHAKE)
    public static let versionMismatch = ResultCode(ARMPROTO_RESULT_VERSION_MISMATCH)
    public static let unsupported = ResultCode(ARMPROTO_RESULT_UNSUPPORTED)
    public static let estopActive = ResultCode(ARMPROTO_RESULT_ESTOP_ACTIVE)
    public static let boardError = ResultCode(ARMPROTO_RESULT_BOARD_ERROR)
    public static let mustBeDisabled = ResultCode(ARMPROTO_RESULT_MUST_BE_DISABLED)
    /// Protocol 1.2: HOME to a position outside the device's joint range.
    public static let outOfRange = ResultCode(ARMPROTO_RESULT_OUT_OF_RANGE)
    /// Protocol 1.4: GOAL to a device that holds no actor.
    public static let noActor = ResultCode(ARMPROTO_RESULT_NO_ACTOR)

    /// The protocol's name (`estop_latched`), or `unknown_result(N)`.
    public var description: String {
        let name = String(cString: armproto_result_name(rawValue))
        return name == "unknown_result" ? "unknown_result(\(rawValue))" : name
    }

    /// What a person can do about a refusal with this code.
    public var advice: String {
        switch self {
        case .notEnabled: return "the device is disabled (a fault or the watchdog stopped it); enable it again"
        case .estopLatched: return "the emergency stop is latched; make the arm safe, clear the e-stop, then enable again"
        case .estopActive: return "the hardware e-stop input is still pressed; release it, then clear the e-stop"
        case .nonFinite: return "a value was NaN or infinite; check the policy output and the safety guard"
        case .staleSequence: return "a torque command arrived out of order; reconnect to start a fresh session"
        case .noHandshake: return "the device has not seen HELLO (it may have restarted); reconnect"
        case .versionMismatch: return "host and firmware speak different protocol majors; update one of them"
        case .unsupported: return "the firmware cannot do this on this board"
        case .mustBeDisabled: return "this needs the motors disabled; disable first"
        case .outOfRange:
            return "a HOME position or a MOVE target is outside the joint's range on the device, or a MOVE gain, speed or "
                + "tolerance is not usable; check the robot description's position limits and its move section"
        case .badJointCount: return "the host and the device disagree on the joint count; check the robot description"
        case .boardError: return "the motor board reported an error; check power and wiring"
        case .noActor: return "the firmware holds no actor; build it with the one `armature export-firmware --policy` writes"
        default: return "see PROTOCOL.md section 7.1"
        }
    }
}

/// A fault code (STATE.fault, FAULT.code; PROTOCOL.md section 7.2).
public struct FaultCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    init(_ value: Int32) { rawValue = UInt8(truncatingIfNeeded: value) }

    public static let none = FaultCode(ARMPROTO_FAULT_NONE)
    public static let watchdog = FaultCode(ARMPROTO_FAULT_WATCHDOG)
    public static let nonFinite = FaultCode(ARMPROTO_FAULT_NON_FINITE)
    public static let estop = FaultCode(ARMPROTO_FAULT_ESTOP)
    public static let sensor = FaultCode(ARMPROTO_FAULT_SENSOR)
    public static let actuator = FaultCode(ARMPROTO_FAULT_ACTUATOR)
    /// Protocol 1.4: the device's actor gave a non-finite action.
    public static let actorOutput = FaultCode(ARMPROTO_FAULT_ACTOR_OUTPUT)

    /// The protocol's name (`watchdog`), or `unknown_fault(N)`.
    public var description: String {
        let name = String(cString: armproto_fault_name(rawValue))
        return name == "unknown_fault" ? "unknown_fault(\(rawValue))" : name
    }
}

/// The device's status flags (PROTOCOL.md section 7.3); unknown bits are kept and ignored.
public struct DeviceStatus: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let enabled = DeviceStatus(rawValue: UInt32(ARMPROTO_STATUS_ENABLED))
    public static let estopLatched = DeviceStatus(rawValue: UInt32(ARMPROTO_STATUS_ESTOP_LATCHED))
    public static let watchdogTripped = DeviceStatus(rawValue: UInt32(ARMPROTO_STATUS_WATCHDOG_TRIPPED))
    public static let fault = DeviceStatus(rawValue: UInt32(ARMPROTO_STATUS_FAULT))
    public static let torqueClamped = DeviceStatus(rawValue: UInt32(ARMPROTO_STATUS_TORQUE_CLAMPED))
    public static let handshakeDone = DeviceStatus(rawValue: UInt32(ARMPROTO_STATUS_HANDSHAKE_DONE))
    public static let estopInput = DeviceStatus(rawValue: UInt32(ARMPROTO_STATUS_ESTOP_INPUT))
    /// Protocol 1.3: the device's MOVE controller drives the arm.
    public static let moving = DeviceStatus(rawValue: UInt32(ARMPROTO_STATUS_MOVING))
    /// Protocol 1.3: moving, and at the target within the MOVE's tolerances.
    public static let settled = DeviceStatus(rawValue: UInt32(ARMPROTO_STATUS_SETTLED))
    /// Protocol 1.4: the device's own actor commands the torque.
    public static let actor = DeviceStatus(rawValue: UInt32(ARMPROTO_STATUS_ACTOR))

    /// `enabled|handshake_done`, or `none`.
    public var description: String {
        let names: [(DeviceStatus, String)] = [
            (.enabled, "enabled"), (.estopLatched, "estop_latched"), (.watchdogTripped, "watchdog_tripped"),
            (.fault, "fault"), (.torqueClamped, "torque_clamped"), (.handshakeDone, "handshake_done"),
            (.estopInput, "estop_input"), (.moving, "moving"), (.settled, "settled"), (.actor, "actor"),
        ]
        let set = names.filter { contains($0.0) }.map(\.1)
        return set.isEmpty ? "none" : set.joined(separator: "|")
    }
}

/// What a device can do, from HELLO_REPLY (protocol 1.3; empty from an older device).
public struct DeviceCapabilities: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// HOME re-zeroes the position sensors.
    public static let home = DeviceCapabilities(rawValue: UInt32(ARMPROTO_CAPABILITY_HOME))
    /// HOME also sets joint velocities (a simulator).
    public static let homeVelocity = DeviceCapabilities(rawValue: UInt32(ARMPROTO_CAPABILITY_HOME_VELOCITY))
    /// MOVE drives the arm to a pose.
    public static let move = DeviceCapabilities(rawValue: UInt32(ARMPROTO_CAPABILITY_MOVE))
    /// The device clock advances only with applied TORQUE and MOVE (a lockstep simulator).
    public static let lockstep = DeviceCapabilities(rawValue: UInt32(ARMPROTO_CAPABILITY_LOCKSTEP))
    /// Protocol 1.4: the device holds an actor and runs it towards a GOAL.
    public static let actor = DeviceCapabilities(rawValue: UInt32(ARMPROTO_CAPABILITY_ACTOR))

    public var description: String {
        let names: [(DeviceCapabilities, String)] = [
            (.home, "home"), (.homeVelocity, "home_velocity"), (.move, "move"), (.lockstep, "lockstep"), (.actor, "actor"),
        ]
        let set = names.filter { contains($0.0) }.map(\.1)
        return set.isEmpty ? "none" : set.joined(separator: "|")
    }
}

/// The device's link and safety counters (the STATS message, PROTOCOL.md section 6.10).
public struct DeviceCounters: Sendable, Equatable {
    public var rxFrames: UInt32 = 0
    public var rxCRCErrors: UInt32 = 0
    public var rxCOBSErrors: UInt32 = 0
    public var rxOverlong: UInt32 = 0
    public var rxShort: UInt32 = 0
    public var rxUnknownType: UInt32 = 0
    public var rxBadLength: UInt32 = 0
    public var txFrames: UInt32 = 0
    public var watchdogTrips: UInt32 = 0
    public var torqueRejected: UInt32 = 0

    public init() {}

    /// The counters of the C struct (a device's `rx.stats`, a decoded STATS).
    public init(_ s: armproto_stats) {
        rxFrames = s.rx_frames
        rxCRCErrors = s.rx_crc_errors
        rxCOBSErrors = s.rx_cobs_errors
        rxOverlong = s.rx_overlong
        rxShort = s.rx_short
        rxUnknownType = s.rx_unknown_type
        rxBadLength = s.rx_bad_length
        txFrames = s.tx_frames
        watchdogTrips = s.watchdog_trips
        torqueRejected = s.torque_rejected
    }

    var cValue: armproto_stats {
        armproto_stats(
            rx_frames: rxFrames, rx_crc_errors: rxCRCErrors, rx_cobs_errors: rxCOBSErrors, rx_overlong: rxOverlong,
            rx_short: rxShort, rx_unknown_type: rxUnknownType, rx_bad_length: rxBadLength, tx_frames: txFrames,
            watchdog_trips: watchdogTrips, torque_rejected: torqueRejected)
    }
}

/// One protocol message as Swift values (PROTOCOL.md section 6), encoded and decoded by the C codec.
///
/// Per-joint arrays hold `jointCount` values, zeros where the type has no such field. Equality is
/// the wire's: floats compare by bit pattern, so NaN equals the same NaN and −0 differs from +0.
public struct WireMessage: Sendable, CustomStringConvertible {
    public var type: MessageType
    public var sequence: UInt32 = 0
    public var result: ResultCode = .ok
    public var jointCount: Int = 0
    public var requestType = MessageType(rawValue: 0)
    public var versionMajor: UInt8 = 0
    public var versionMinor: UInt8 = 0
    public var fault: FaultCode = .none
    public var faultJoint: UInt8 = 0
    public var maxFrame: UInt16 = 0
    /// HOME only: whether `velocity` travels on the wire (protocol 1.1).
    public var hasVelocity = false
    public var appliedSequence: UInt32 = 0
    public var status: DeviceStatus = []
    public var firmwareID: UInt32 = 0
    public var firmwareVersion: UInt32 = 0
    public var watchdogMicros: UInt32 = 0
    public var faultDetail: UInt32 = 0
    /// HELLO_REPLY (protocol 1.3).
    public var capabilities: DeviceCapabilities = []
    /// MOVE: the setpoint's speed limit (rad/s), the settling tolerances (rad, rad/s) and the integral time (s).
    public var maxVelocity: Float = 0
    public var positionTolerance: Float = 0
    public var velocityTolerance: Float = 0
    public var integralTime: Float = 0
    public var timeMicros: UInt64 = 0
    public var counters = DeviceCounters()
    public var position: [Float] = []
    public var velocity: [Float] = []
    public var torque: [Float] = []
    public var torqueLimit: [Float] = []
    /// MOVE's per-joint gains (its target travels in `position`).
    public var stiffness: [Float] = []
    public var damping: [Float] = []
    /// GOAL (protocol 1.4): the goal values (1 to 4).
    public var goal: [Float] = []

    public init(type: MessageType) { self.type = type }

    /// The Swift view of a decoded C message.
    public init(_ m: armproto_msg) {
        type = MessageType(rawValue: m.type)
        sequence = m.seq
        result = ResultCode(rawValue: m.result)
        jointCount = Int(min(m.joint_count, UInt8(ARMPROTO_MAX_JOINTS)))
        requestType = MessageType(rawValue: m.request_type)
        versionMajor = m.version_major
        versionMinor = m.version_minor
        fault = FaultCode(rawValue: m.fault)
        faultJoint = m.fault_joint
        maxFrame = m.max_frame
        hasVelocity = m.has_qd != 0
        appliedSequence = m.applied_seq
        status = DeviceStatus(rawValue: m.status)
        firmwareID = m.firmware_id
        firmwareVersion = m.firmware_version
        watchdogMicros = m.watchdog_us
        faultDetail = m.fault_detail
        capabilities = DeviceCapabilities(rawValue: m.capabilities)
        maxVelocity = m.max_velocity
        positionTolerance = m.position_tolerance
        velocityTolerance = m.velocity_tolerance
        integralTime = m.integral_time
        timeMicros = m.time_us
        counters = DeviceCounters(m.stats)
        var copy = m
        position = JointArray.read(&copy.q, count: jointCount)
        velocity = JointArray.read(&copy.qd, count: jointCount)
        torque = JointArray.read(&copy.tau, count: jointCount)
        torqueLimit = JointArray.read(&copy.torque_limit, count: jointCount)
        stiffness = JointArray.read(&copy.kp, count: jointCount)
        damping = JointArray.read(&copy.kd, count: jointCount)
        goal = withUnsafeBytes(of: &copy.goal) { Array($0.bindMemory(to: Float.self).prefix(Int(min(m.goal_count, UInt8(ARMPROTO_ACTOR_MAX_GOAL))))) }
    }

    /// The C message for the codec; arrays shorter than `jointCount` are padded with zeros.
    public func cMessage() throws -> armproto_msg {
        let arrays = [position, velocity, torque, torqueLimit, stiffness, damping]
        guard jointCount >= 0, jointCount <= Int(ARMPROTO_MAX_JOINTS), arrays.allSatisfy({ $0.count <= jointCount }),
            goal.count <= Int(ARMPROTO_ACTOR_MAX_GOAL)
        else { throw CodecError.invalidArgument }
        var m = armproto_msg()
        armproto_msg_init(&m, type.rawValue)
        m.seq = sequence
        m.result = result.rawValue
        m.joint_count = UInt8(jointCount)
        m.request_type = requestType.rawValue
        m.version_major = versionMajor
        m.version_minor = versionMinor
        m.fault = fault.rawValue
        m.fault_joint = faultJoint
        m.max_frame = maxFrame
        m.has_qd = hasVelocity ? 1 : 0
        m.applied_seq = appliedSequence
        m.status = status.rawValue
        m.firmware_id = firmwareID
        m.firmware_version = firmwareVersion
        m.watchdog_us = watchdogMicros
        m.fault_detail = faultDetail
        m.capabilities = capabilities.rawValue
        m.max_velocity = maxVelocity
        m.position_tolerance = positionTolerance
        m.velocity_tolerance = velocityTolerance
        m.integral_time = integralTime
        m.time_us = timeMicros
        m.stats = counters.cValue
        JointArray.write(position, to: &m.q)
        JointArray.write(velocity, to: &m.qd)
        JointArray.write(torque, to: &m.tau)
        JointArray.write(torqueLimit, to: &m.torque_limit)
        JointArray.write(stiffness, to: &m.kp)
        JointArray.write(damping, to: &m.kd)
        m.goal_count = UInt8(goal.count)
        withUnsafeMutableBytes(of: &m.goal) { raw in
            let floats = raw.bindMemory(to: Float.self)
            for (i, value) in goal.enumerated() { floats[i] = value }
        }
        return m
    }

    public var description: String {
        "\(type) seq=\(sequence)" + (jointCount > 0 ? " n=\(jointCount)" : "")
    }
}

extension WireMessage: Equatable {
    public static func == (a: WireMessage, b: WireMessage) -> Bool {
        func same(_ x: [Float], _ y: [Float]) -> Bool { x.map(\.bitPattern) == y.map(\.bitPattern) }
        return a.type == b.type && a.sequence == b.sequence && a.result == b.result && a.jointCount == b.jointCount
            && a.requestType == b.requestType && a.versionMajor == b.versionMajor && a.versionMinor == b.versionMinor
            && a.fault == b.fault && a.faultJoint == b.faultJoint && a.maxFrame == b.maxFrame
            && a.hasVelocity == b.hasVelocity && a.appliedSequence == b.appliedSequence && a.status == b.status
            && a.firmwareID == b.firmwareID && a.firmwareVersion == b.firmwareVersion
            && a.watchdogMicros == b.watchdogMicros && a.faultDetail == b.faultDetail && a.timeMicros == b.timeMicros
            && a.capabilities == b.capabilities && same([a.maxVelocity, a.positionTolerance, a.velocityTolerance, a.integralTime],
                [b.maxVelocity, b.positionTolerance, b.velocityTolerance, b.integralTime])
            && a.counters == b.counters && same(a.position, b.position) && same(a.velocity, b.velocity)
            && same(a.torque, b.torque) && same(a.torqueLimit, b.torqueLimit)
            && same(a.stiffness, b.stiffness) && same(a.damping, b.damping) && same(a.goal, b.goal)
    }
}

/// Why the codec refused to encode or decode (the C library's ARMPROTO_ERR_* codes).
public enum CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    case capacity, invalidArgument, cobs, short, crc, overlong, unknownType, badLength, jointCount
    case other(Int32)

    init(code: Int32) {
        switch code {
        case ARMPROTO_ERR_CAPACITY: self = .capacity
        case ARMPROTO_ERR_ARG: self = .invalidArgument
        case ARMPROTO_ERR_COBS: self = .cobs
        case ARMPROTO_ERR_SHORT: self = .short
        case ARMPROTO_ERR_CRC: self = .crc
        case ARMPROTO_ERR_OVERLONG: self = .overlong
        case ARMPROTO_ERR_UNKNOWN_TYPE: self = .unknownType
        case ARMPROTO_ERR_BAD_LENGTH: self = .badLength
        case ARMPROTO_ERR_JOINT_COUNT: self = .jointCount
        default: self = .other(code)
        }
    }

    /// The verdict's name as PROTOCOL.md and vectors.txt spell it (`crc`, `bad_length`).
    public var name: String {
        switch self {
        case .capacity: return "capacity"
        case .invalidArgument: return "arg"
        case .cobs: return "cobs"
        case .short: return "short"
        case .crc: return "crc"
        case .overlong: return "overlong"
        case .unknownType: return "unknown_type"
        case .badLength: return "bad_length"
        case .jointCount: return "joint_count"
        case .other(let code): return String(cString: armproto_err_name(code))
        }
    }

    public var description: String {
        switch self {
        case .capacity: return "the frame does not fit the buffer (at most 256 bytes on the wire)"
        case .invalidArgument: return "the message cannot be encoded: a joint count outside 1...16 or a per-joint array longer than it"
        case .cobs: return "damaged frame: invalid COBS stuffing"
        case .short: return "damaged frame: shorter than type and CRC"
        case .crc: return "damaged frame: CRC mismatch"
        case .overlong: return "damaged frame: longer than 256 bytes"
        case .unknownType: return "valid frame of a type this protocol version does not define"
        case .badLength: return "valid frame whose payload is too short for its type"
        case .jointCount: return "valid frame with a joint count of 0 or above 16"
        case .other(let code): return "codec error \(code)"
        }
    }
}

/// Frames to messages and back through the C reference codec (for tests and tools; the link's
/// control path uses the C structs directly so that a step does not allocate).
public enum WireCodec {
    /// The complete wire frame, trailing 0x00 included.
    public static func encode(_ message: WireMessage) throws -> [UInt8] {
        var m = try message.cMessage()
        var frame = [UInt8](repeating: 0, count: Int(ARMPROTO_MAX_FRAME))
        let count = frame.withUnsafeMutableBufferPointer { armproto_encode_msg(&m, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw CodecError(code: count) }
        return Array(frame[..<Int(count)])
    }

    /// The payload alone (no type byte, no CRC), as PROTOCOL.md section 6 lays it out.
    public static func payload(_ message: WireMessage) throws -> [UInt8] {
        var m = try message.cMessage()
        var payload = [UInt8](repeating: 0, count: Int(ARMPROTO_MAX_PAYLOAD))
        let count = payload.withUnsafeMutableBufferPointer { armproto_pack_payload(&m, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw CodecError(code: count) }
        return Array(payload[..<Int(count)])
    }

    /// Decodes one frame (the bytes between delimiters; one trailing 0x00 is tolerated).
    public static func decode(_ frame: [UInt8]) throws -> WireMessage {
        var m = armproto_msg()
        let result = frame.withUnsafeBufferPointer { armproto_decode_msg($0.baseAddress, $0.count, &m) }
        guard result == 0 else { throw CodecError(code: result) }
        return WireMessage(m)
    }
}

/// Access to the C struct's fixed arrays, which Swift imports as 16-element tuples.
enum JointArray {
    static let capacity = Int(ARMPROTO_MAX_JOINTS)

    @inline(__always)
    static func withFloats<T, R>(_ tuple: inout T, _ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        // A homogeneous tuple is laid out as a C array of its element type.
        try withUnsafeMutableBytes(of: &tuple) { try body($0.bindMemory(to: Float.self)) }
    }

    static func read<T>(_ tuple: inout T, count: Int) -> [Float] {
        withFloats(&tuple) { Array($0[..<count]) }
    }

    static func write<T>(_ values: [Float], to tuple: inout T) {
        withFloats(&tuple) { floats in
            for (i, value) in values.enumerated() where i < floats.count { floats[i] = value }
        }
    }
}
