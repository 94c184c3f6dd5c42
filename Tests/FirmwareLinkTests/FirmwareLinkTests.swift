@testable import FirmwareLink
import XCTest

/// The host side of the protocol against the C reference device on an in-memory line.
final class FirmwareLinkTests: XCTestCase {
    private func link(_ device: LoopbackDevice, timeout: Double = 0.02) -> FirmwareLink {
        FirmwareLink(configuration: .init(path: device.path, timeout: timeout, connectTimeout: timeout)) { _ in device.reopen() }
    }

    func testHandshakeReportsTheDevice() throws {
        let device = LoopbackDevice(jointCount: 3)
        let link = link(device)
        let info = try link.connect()
        XCTAssertEqual(info.jointCount, 3)
        XCTAssertEqual(info.version, "1.4")
        XCTAssertTrue(info.acceptsHomeVelocity)
        XCTAssertEqual(info.watchdogPeriod, 0.1, accuracy: 1e-12)
        XCTAssertEqual(info.torqueLimits, [.infinity, .infinity, .infinity])
        XCTAssertTrue(link.isConnected)
        XCTAssertEqual(device.requests.first?.type, .hello)
        XCTAssertEqual(device.requests.first?.versionMajor, FirmwareLink.hostVersion.major)
        XCTAssertTrue(device.status.contains(.handshakeDone))
    }

    func testVersionMismatchNamesBothVersionsAndWhatToDo() throws {
        let device = LoopbackDevice()
        device.rewrite = { reply in
            reply.versionMajor = 2
            reply.versionMinor = 3
            reply.result = .versionMismatch
        }
        let link = link(device)
        XCTAssertThrowsError(try link.connect()) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .versionMismatch(port: "loopback", host: "1.4", device: "2.3"))
            let text = String(describing: error)
            XCTAssertTrue(text.contains("2.3") && text.contains("1.4") && text.contains("loopback") && text.contains("Update"), text)
        }
        XCTAssertNil(link.fault, "a version mismatch is the device's answer, not a broken line")
    }

    func testTorqueGetsTheStateOfThatRequest() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        try link.enable()
        var state = StateReply(jointCount: 2)
        try link.torque([1.5, -0.25], state: &state)
        XCTAssertEqual(state.result, .ok)
        XCTAssertEqual(state.sequence, device.requests.last?.sequence)
        XCTAssertEqual(state.appliedSequence, state.sequence)
        XCTAssertEqual(state.torque, [1.5, -0.25])
        XCTAssertEqual(state.position, device.position.map(Double.init))
        XCTAssertEqual(state.timeMicros, 1_000_000)
        XCTAssertTrue(state.status.contains([.enabled, .handshakeDone]))
        XCTAssertEqual(link.statistics.roundTrips, 3)
        XCTAssertNotNil(link.statistics.roundTripP99)
    }

    func testLateRepliesAndFaultEventsAreSkippedAndCounted() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        try link.enable()
        var stale = WireMessage(type: .state)
        stale.sequence = 1  // the HELLO's, long answered
        stale.jointCount = 2
        var fault = WireMessage(type: .fault)
        fault.fault = .estop
        fault.faultJoint = 0xFF
        device.beforeNextReply = try WireCodec.encode(stale) + WireCodec.encode(fault)
        var state = StateReply(jointCount: 2)
        try link.torque([0.5, 0.5], state: &state)
        XCTAssertEqual(state.result, .ok)
        XCTAssertEqual(state.torque, [0.5, 0.5])
        XCTAssertEqual(link.statistics.lateReplies, 1)
        XCTAssertEqual(link.statistics.faultEvents, 1)
        XCTAssertEqual(link.lastDeviceFault?.code, .estop)
        XCTAssertNil(link.lastDeviceFault?.joint)
    }

    func testDamagedFramesAreCountedAndTheLinkCarriesOn() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        try link.enable()
        var heartbeat = WireMessage(type: .state)
        heartbeat.jointCount = 2
        var damaged = try WireCodec.encode(heartbeat)
        damaged[3] ^= 0x10
        device.beforeNextReply = damaged + [0x05, 0x11, 0x22, 0x00] + [0xFF, 0xFE, 0xFD, 0x00]
        var state = StateReply(jointCount: 2)
        try link.torque([0.1, 0.2], state: &state)
        XCTAssertEqual(state.result, .ok)
        let statistics = link.statistics
        XCTAssertEqual(statistics.crcErrors, 1)
        XCTAssertEqual(statistics.decodeErrors, 2, "one COBS overrun, one short frame")
        XCTAssertEqual(statistics.lostReplies, 0)
    }

    func testOneLostTorqueReplyIsCountedAndTheStepCompletedByAHeartbeat() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        try link.enable()
        device.dropReplies = 1
        var state = StateReply(jointCount: 2)
        try link.torque([1.5, -0.5], state: &state)
        let torque = device.requests[device.requests.count - 2]
        XCTAssertEqual(torque.type, .torque)
        XCTAssertEqual(device.requests.last?.type, .heartbeat, "the TORQUE is not sent again")
        XCTAssertEqual(state.sequence, device.requests.last?.sequence)
        XCTAssertEqual(state.lostTorque, torque.sequence)
        XCTAssertEqual(state.appliedSequence, torque.sequence, "the TORQUE arrived; only its STATE was lost")
        XCTAssertEqual(state.torque, [1.5, -0.5])
        XCTAssertNil(link.fault)
        XCTAssertEqual(link.statistics.lostReplies, 1)
        XCTAssertEqual(link.statistics.mostLostRepliesInARow, 1)
        // A reply resets the count: one more loss later is again only one in a row.
        try link.torque([0, 0], state: &state)
        XCTAssertNil(state.lostTorque)
        device.dropReplies = 1
        try link.torque([0.5, 0.5], state: &state)
        XCTAssertNil(link.fault)
        XCTAssertEqual(link.statistics.lostReplies, 2)
        XCTAssertEqual(link.statistics.mostLostRepliesInARow, 1)
    }

    func testALateReplyIsDiscardedNotTakenForTheNextRequest() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        try link.enable()
        device.delayNextReply = true
        var state = StateReply(jointCount: 2)
        try link.torque([1, 1], state: &state)
        // The TORQUE's STATE comes in just before the HEARTBEAT's, under the TORQUE's sequence number.
        XCTAssertEqual(state.sequence, device.requests.last?.sequence)
        XCTAssertEqual(device.requests.last?.type, .heartbeat)
        XCTAssertNotEqual(state.sequence, state.lostTorque)
        XCTAssertEqual(link.statistics.lateReplies, 1)
        XCTAssertEqual(link.statistics.lostReplies, 1)
    }

    func testARequestSafeToRepeatIsSentAgainUnderANewSequenceNumber() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        device.dropReplies = 1
        try link.enable()
        let enables = device.requests.filter { $0.type == .enable }
        XCTAssertEqual(enables.count, 2)
        XCTAssertEqual(enables[1].sequence, enables[0].sequence + 1)
        XCTAssertTrue(device.status.contains(.enabled))
        XCTAssertEqual(link.statistics.lostReplies, 1)
        XCTAssertNil(link.fault)
    }

    func testLostRepliesInARowUpToTheLimitFaultTheLinkUntilReconnect() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        try link.enable()
        // The TORQUE's STATE and the HEARTBEAT's after it: two in a row, the default limit.
        device.dropReplies = 2
        var state = StateReply(jointCount: 2)
        let start = Date()
        XCTAssertThrowsError(try link.torque([1, 1], state: &state)) { error in
            guard case .timeout(let port, let request, _, let seconds, let inARow) = error as? FirmwareLinkError else {
                return XCTFail("expected a timeout, got \(error)")
            }
            XCTAssertEqual(port, "loopback")
            XCTAssertEqual(request, .heartbeat)
            XCTAssertEqual(seconds, 0.02)
            XCTAssertEqual(inARow, 2)
            let text = String(describing: error)
            XCTAssertTrue(text.contains("reconnect") && text.contains("2 lost replies in a row") && text.contains("lost_replies"), text)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.5)
        XCTAssertEqual(device.requests.last?.type, .disable, "a faulting link stops commanding torque")
        XCTAssertFalse(device.status.contains(.enabled))
        XCTAssertEqual(link.statistics.lostReplies, 2)
        XCTAssertEqual(link.statistics.mostLostRepliesInARow, 2)
        // Every call now says the link is faulted, without touching the line.
        let sent = device.requests.count
        XCTAssertThrowsError(try link.torque([1, 1], state: &state)) { error in
            guard case .faulted(_, let cause) = error as? FirmwareLinkError else { return XCTFail("\(error)") }
            XCTAssertTrue(cause.contains("HEARTBEAT"), cause)
        }
        XCTAssertThrowsError(try link.enable())
        XCTAssertThrowsError(try link.connect())
        XCTAssertEqual(device.requests.count, sent)
        // The reply withheld earlier never arrives; the late DISABLE's ACK is discarded on reconnect.
        try link.reconnect()
        XCTAssertNil(link.fault)
        try link.enable()
        try link.torque([1, 1], state: &state)
        XCTAssertEqual(state.result, .ok)
        XCTAssertEqual(device.opens, 2)
    }

    func testALimitOfOneFaultsTheLinkAtTheFirstLostReply() throws {
        let device = LoopbackDevice()
        let link = FirmwareLink(configuration: .init(path: device.path, timeout: 0.02, lostReplyLimit: 1)) { _ in device.reopen() }
        try link.connect()
        try link.enable()
        device.dropReplies = 1
        var state = StateReply(jointCount: 2)
        XCTAssertThrowsError(try link.torque([1, 1], state: &state)) { error in
            guard case .timeout(_, .torque, _, _, 1) = error as? FirmwareLinkError else { return XCTFail("\(error)") }
            XCTAssertTrue(String(describing: error).contains("the first lost reply"))
        }
        XCTAssertEqual(device.requests.last?.type, .disable)
        XCTAssertNotNil(link.fault)
    }

    func testADisableThatCannotBeWrittenIsNotCountedAsSent() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        try link.enable()
        let sent = link.statistics.framesSent
        device.hungUp = true
        link.close()
        XCTAssertEqual(link.statistics.framesSent, sent)
    }

    func testLostLineFaultsTheLink() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        device.hungUp = true
        var state = StateReply(jointCount: 2)
        XCTAssertThrowsError(try link.heartbeat(state: &state)) { error in
            guard case .linkLost(let port, let reason) = error as? FirmwareLinkError else { return XCTFail("\(error)") }
            XCTAssertEqual(port, "loopback")
            XCTAssertTrue(reason.contains("Input/output error"), reason)
        }
        XCTAssertFalse(link.isOpen)
        XCTAssertThrowsError(try link.heartbeat(state: &state)) { error in
            guard case .faulted = error as? FirmwareLinkError else { return XCTFail("\(error)") }
        }
        try link.reconnect()
        try link.heartbeat(state: &state)
    }

    func testRefusalsAreTheDevicesAnswerNotALinkFault() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        try link.emergencyStop()
        XCTAssertThrowsError(try link.enable()) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .refused(port: "loopback", request: .enable, result: .estopLatched))
            XCTAssertTrue(String(describing: error).contains("clear the e-stop"))
        }
        XCTAssertNil(link.fault)
        var state = StateReply(jointCount: 2)
        try link.torque([1, 1], state: &state)
        XCTAssertEqual(state.result, .estopLatched)
        XCTAssertEqual(state.fault, .estop)
        try link.clearEmergencyStop()
        try link.enable()
        try link.torque([1, 1], state: &state)
        XCTAssertEqual(state.result, .ok)
        XCTAssertEqual(try link.deviceCounters().torqueRejected, 1)
    }

    func testHomeSendsVelocitiesOnlyWhenGiven() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        try link.home(position: [0.25, -1], velocity: [0.125, -0.5])
        XCTAssertEqual(device.homed?.position, [0.25, -1])
        XCTAssertEqual(device.homed?.velocity, [0.125, -0.5])
        XCTAssertEqual(device.requests.last?.hasVelocity, true)
        try link.home(position: [0.5, 0.5])
        XCTAssertEqual(device.homed?.velocity, [0, 0], "a device that can set velocity rests the arm when none is given")
        XCTAssertEqual(device.requests.last?.hasVelocity, false)
        try link.enable()
        XCTAssertThrowsError(try link.home(position: [0, 0])) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .refused(port: "loopback", request: .home, result: .mustBeDisabled))
        }
    }

    func testWrongJointCountIsRefusedBeforeSending() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        let sent = device.requests.count
        var state = StateReply(jointCount: 2)
        XCTAssertThrowsError(try link.torque([1, 2, 3], state: &state)) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .wrongJointCount(port: "loopback", device: 2, given: 3))
        }
        XCTAssertEqual(device.requests.count, sent)
        XCTAssertNil(link.fault)
    }

    func testHomeNamesTheCountOfTheValuesThatAreWrong() throws {
        let device = LoopbackDevice()
        let link = link(device)
        try link.connect()
        XCTAssertThrowsError(try link.home(position: [0, 0], velocity: [0, 0, 0])) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .wrongJointCount(port: "loopback", device: 2, given: 3))
        }
        XCTAssertThrowsError(try link.home(position: [0], velocity: [0, 0])) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .wrongJointCount(port: "loopback", device: 2, given: 1))
        }
    }

    func testCommandsBeforeConnectingSayWhatToDo() {
        let link = link(LoopbackDevice())
        var state = StateReply(jointCount: 2)
        XCTAssertThrowsError(try link.torque([0, 0], state: &state)) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .notConnected(port: "loopback"))
            XCTAssertTrue(String(describing: error).contains("connect"))
        }
    }

    func testRoundTripPercentilesUseTheMostRecentSamples() {
        var ring = RoundTripRing(capacity: 100)
        XCTAssertNil(ring.percentiles())
        for _ in 0..<1000 { ring.record(nanoseconds: 9_000_000) }  // pushed out below
        for i in 1...100 { ring.record(nanoseconds: UInt64(i) * 1000) }
        let p = ring.percentiles()
        XCTAssertEqual(p?.p50 ?? 0, 50e-6, accuracy: 1e-12)
        XCTAssertEqual(p?.p99 ?? 0, 99e-6, accuracy: 1e-12)
        XCTAssertEqual(p?.max ?? 0, 100e-6, accuracy: 1e-12)
        XCTAssertEqual(ring.total, 1100)
    }

    func testHelloWaitsGrowToHalfASecondAndFillTheConnectTimeoutExactly() {
        let waits = FirmwareLink.Configuration(path: "x", connectTimeout: 3).helloWaits()
        XCTAssertEqual(waits.count, 8)
        for (wait, expected) in zip(waits, [0.1, 0.2, 0.4, 0.5, 0.5, 0.5, 0.5, 0.3]) { XCTAssertEqual(wait, expected, accuracy: 1e-12) }
        XCTAssertEqual(waits.reduce(0, +), 3, accuracy: 1e-12)
        XCTAssertEqual(FirmwareLink.Configuration(path: "x", connectTimeout: 0.05).helloWaits(), [0.05])
    }

    func testTheHandshakeSendsHelloAgainUntilADeviceThatIsStillStartingAnswers() throws {
        let device = LoopbackDevice()
        device.dropReplies = 3  // a board still booting: the first three HELLOs go unanswered
        let link = FirmwareLink(configuration: .init(path: device.path, connectTimeout: 3)) { _ in device.reopen() }
        let info = try link.connect()
        XCTAssertEqual(info.jointCount, device.jointCount)
        XCTAssertEqual(device.requests.filter { $0.type == .hello }.count, 4)
        XCTAssertTrue(link.isConnected)
        XCTAssertEqual(link.statistics.lostReplies, 0, "a device still starting is not a lost reply")
        XCTAssertNil(link.fault)
    }

    func testAHandshakeThatNeverHappensGivesUpAtTheConnectTimeoutSayingWhatItWaitedFor() throws {
        let device = LoopbackDevice()
        device.dropReplies = 1000
        let link = FirmwareLink(configuration: .init(path: device.path, connectTimeout: 0.35)) { _ in device.reopen() }
        XCTAssertThrowsError(try link.connect()) { error in
            guard case .noHandshake(let port, let hellos, let seconds) = error as? FirmwareLinkError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(port, device.path)
            XCTAssertEqual(hellos, 3, "waits of 0.1, 0.2 and the 0.05 s left")
            XCTAssertGreaterThanOrEqual(seconds, 0.35)
            let text = String(describing: error)
            XCTAssertTrue(text.contains("3 HELLOs"), text)
            XCTAssertTrue(text.contains("serial.connect_timeout"), text)
        }
        XCTAssertEqual(device.requests.filter { $0.type == .hello }.count, 3)
        XCTAssertFalse(link.isConnected)
    }
}
