import CArmProto
import FirmwareLink
import TestSupport
import XCTest

/// firmware-protocol/vectors/vectors.txt from Swift: the codec as the link sees it, byte for byte.
final class WireVectorTests: XCTestCase {
    private struct Line {
        let number: Int
        let columns: [String]
    }

    private func lines(kind: String) throws -> [Line] {
        let text = try String(contentsOfFile: RepositoryFiles.path("firmware-protocol/vectors/vectors.txt"), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            let columns = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = columns.first, first == kind else { return nil }
            return Line(number: index + 1, columns: columns)
        }
    }

    func testEveryMessageVectorEncodesToItsBytesAndDecodesToItsFields() throws {
        let vectors = try lines(kind: "msg")
        XCTAssertGreaterThanOrEqual(vectors.count, 17)
        var types = Set<UInt8>()
        for line in vectors {
            let where_ = "vectors.txt:\(line.number) \(line.columns[1])"
            XCTAssertEqual(line.columns.count, 6, where_)
            let type = try XCTUnwrap(UInt8(line.columns[2], radix: 16), where_)
            let expected = try message(type: MessageType(rawValue: type), fields: line.columns[5], where: where_)
            XCTAssertEqual(try WireCodec.payload(expected), hex(line.columns[3]), "\(where_): payload")
            let frame = hex(line.columns[4])
            XCTAssertEqual(try WireCodec.encode(expected), frame, "\(where_): frame")
            XCTAssertEqual(try WireCodec.decode(frame), expected, "\(where_): decoded fields")
            types.insert(type)
        }
        // Every type the protocol library names, so a new message cannot ship without its vectors.
        let named = Set((0...255).map { MessageType(rawValue: UInt8($0)) }.filter { !$0.description.hasPrefix("UNKNOWN") }.map(\.rawValue))
        XCTAssertEqual(named.count, 18, "the protocol's 18 message types (1.4)")
        XCTAssertEqual(types, named, "a vector for every message type")
    }

    func testEveryBadVectorIsRejectedWithItsVerdict() throws {
        let vectors = try lines(kind: "bad")
        XCTAssertGreaterThanOrEqual(vectors.count, 8)
        for line in vectors {
            XCTAssertThrowsError(try WireCodec.decode(hex(line.columns[2])), "vectors.txt:\(line.number)") { error in
                XCTAssertEqual((error as? CodecError)?.name, line.columns[3], "vectors.txt:\(line.number) \(line.columns[1])")
            }
        }
    }

    /// A device's receiver: every device-range type is unknown to it, whatever its length.
    func testEveryDeviceVectorGetsItsVerdictFromADeviceReceiver() throws {
        let vectors = try lines(kind: "device")
        XCTAssertGreaterThanOrEqual(vectors.count, 4)
        for line in vectors {
            let frame = hex(line.columns[2])
            var receiver = armproto_receiver()
            armproto_receiver_init_device(&receiver)
            var message = armproto_msg()
            var result = Int32(ARMPROTO_RX_NEED_MORE)
            var used = 0
            frame.withUnsafeBufferPointer { bytes in
                while used < bytes.count && result == ARMPROTO_RX_NEED_MORE {
                    used += armproto_receiver_feed(&receiver, bytes.baseAddress! + used, bytes.count - used, &message, &result)
                }
            }
            let verdict = result == ARMPROTO_RX_MESSAGE ? "ok" : String(cString: armproto_err_name(result))
            XCTAssertEqual(verdict, line.columns[3], "vectors.txt:\(line.number) \(line.columns[1])")
        }
    }

    func testCRCAndCOBSVectors() throws {
        for line in try lines(kind: "crc") {
            let input = hex(line.columns[2])
            let crc = input.withUnsafeBufferPointer { armproto_crc16($0.baseAddress, $0.count) }
            XCTAssertEqual(crc, UInt16(line.columns[3], radix: 16), "vectors.txt:\(line.number)")
        }
        for line in try lines(kind: "cobs") {
            let decoded = hex(line.columns[2])
            let encoded = hex(line.columns[3])
            var out = [UInt8](repeating: 0, count: 1024)
            let encodedCount = armproto_cobs_encode(decoded, decoded.count, &out, out.count)
            XCTAssertEqual(Array(out[..<max(0, Int(encodedCount))]), encoded, "vectors.txt:\(line.number) encode")
            let decodedCount = armproto_cobs_decode(encoded, encoded.count, &out, out.count)
            XCTAssertEqual(Array(out[..<max(0, Int(decodedCount))]), decoded, "vectors.txt:\(line.number) decode")
        }
    }

    func testTheHostSpeaksTheVersionTheVectorsDescribe() throws {
        let text = try String(contentsOfFile: RepositoryFiles.path("firmware-protocol/vectors/vectors.txt"), encoding: .utf8)
        let version = FirmwareLink.hostVersion
        XCTAssertTrue(text.hasPrefix("# Armature wire protocol \(version.major).\(version.minor) test vectors"))
    }

    // MARK: The FIELDS column (vectors/README.md)

    private func message(type: MessageType, fields: String, where location: String) throws -> WireMessage {
        var m = WireMessage(type: type)
        var arrays: [String: [Float]] = [:]
        var goalCount = 0
        for item in fields.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            XCTAssertEqual(parts.count, 2, location)
            let (key, value) = (parts[0], parts[1])
            if ["q", "qd", "tau", "torque_limit", "kp", "kd", "target", "goal"].contains(key) {
                // MOVE lines call the target `target`; it travels in `position`, as in armproto_msg.q.
                arrays[key == "target" ? "q" : key] =
                    try value.split(separator: "/").map { try XCTUnwrap(float(String($0)), "\(location): \(key)") }
                continue
            }
            if ["max_velocity", "position_tolerance", "velocity_tolerance", "integral_time"].contains(key) {
                let number = try XCTUnwrap(float(value), "\(location): \(key)")
                switch key {
                case "max_velocity": m.maxVelocity = number
                case "position_tolerance": m.positionTolerance = number
                case "velocity_tolerance": m.velocityTolerance = number
                default: m.integralTime = number
                }
                continue
            }
            let number = try XCTUnwrap(UInt64(value), "\(location): \(key)=\(value)")
            switch key {
            case "capabilities": m.capabilities = DeviceCapabilities(rawValue: UInt32(number))
            case "seq": m.sequence = UInt32(number)
            case "goal_count": goalCount = Int(number)
            case "applied_seq": m.appliedSequence = UInt32(number)
            case "time_us": m.timeMicros = number
            case "status": m.status = DeviceStatus(rawValue: UInt32(number))
            case "result": m.result = ResultCode(rawValue: UInt8(number))
            case "fault": m.fault = FaultCode(rawValue: UInt8(number))
            case "fault_joint": m.faultJoint = UInt8(number)
            case "fault_detail": m.faultDetail = UInt32(number)
            case "joint_count": m.jointCount = Int(number)
            case "request_type": m.requestType = MessageType(rawValue: UInt8(number))
            case "version_major": m.versionMajor = UInt8(number)
            case "version_minor": m.versionMinor = UInt8(number)
            case "firmware_id": m.firmwareID = UInt32(number)
            case "firmware_version": m.firmwareVersion = UInt32(number)
            case "watchdog_us": m.watchdogMicros = UInt32(number)
            case "max_frame": m.maxFrame = UInt16(number)
            case "rx_frames": m.counters.rxFrames = UInt32(number)
            case "rx_crc_errors": m.counters.rxCRCErrors = UInt32(number)
            case "rx_cobs_errors": m.counters.rxCOBSErrors = UInt32(number)
            case "rx_overlong": m.counters.rxOverlong = UInt32(number)
            case "rx_short": m.counters.rxShort = UInt32(number)
            case "rx_unknown_type": m.counters.rxUnknownType = UInt32(number)
            case "rx_bad_length": m.counters.rxBadLength = UInt32(number)
            case "tx_frames": m.counters.txFrames = UInt32(number)
            case "watchdog_trips": m.counters.watchdogTrips = UInt32(number)
            case "torque_rejected": m.counters.torqueRejected = UInt32(number)
            default: XCTFail("\(location): unknown field \(key)")
            }
        }
        // Decoded messages hold jointCount values per array, zeros where the type has none.
        func padded(_ key: String) -> [Float] {
            let values = arrays[key] ?? []
            return values + [Float](repeating: 0, count: max(0, m.jointCount - values.count))
        }
        m.position = padded("q")
        m.velocity = padded("qd")
        m.torque = padded("tau")
        m.torqueLimit = padded("torque_limit")
        m.stiffness = padded("kp")
        m.damping = padded("kd")
        m.goal = arrays["goal"] ?? []
        XCTAssertEqual(goalCount, m.goal.count, "\(location): goal_count")
        m.hasVelocity = type == .home && arrays["qd"] != nil
        return m
    }

    private func float(_ text: String) -> Float? {
        switch text {
        case "nan": return Float(bitPattern: 0x7FC0_0000)
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: return Float(text)
        }
    }

    private func hex(_ text: String) -> [UInt8] {
        guard text != "-" else { return [] }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
