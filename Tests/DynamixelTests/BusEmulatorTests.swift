import Dynamixel
import FirmwareLink
import Foundation
import Hardware
import RobotModel
import TestSupport
import XCTest

/// The bus emulator through our host (`DynamixelBus`): the control table's rules, the error
/// numbers of its status packets, the plant behind Goal Current, and the Bus Watchdog as the
/// e-Manual describes it.
final class BusEmulatorTests: XCTestCase {
    typealias Table = XSeriesControlTable
    private var emulators: [BusEmulator] = []

    override func tearDown() {
        for emulator in emulators { emulator.stop() }
        emulators.removeAll()
        super.tearDown()
    }

    private func start(_ options: BusEmulator.Options = .init(timing: .lockstep)) throws -> (BusEmulator, DynamixelBus) {
        let emulator = try BusEmulator(robot: try RepositoryFiles.robot("xm430-two-joint"), options: options)
        emulators.append(emulator)
        return (emulator, try DynamixelBus(path: emulator.path, baud: 1_000_000, timeout: 0.2))
    }

    private func assertRefused(
        _ expected: StatusError.Kind, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case DynamixelError.statusError(_, _, _, _, let status) = error else {
                return XCTFail("expected a status error, got \(error)", file: file, line: line)
            }
            XCTAssertEqual(status.kind, expected, "\(status)", file: file, line: line)
        }
    }

    func testPingAndReadReportTheModelOfEveryServo() throws {
        let (_, bus) = try start()
        for id: UInt8 in [1, 2] {
            let (model, firmware) = try bus.ping(id: id)
            XCTAssertEqual(model, 1020)
            XCTAssertEqual(DynamixelModel(modelNumber: model), .xm430W350)
            XCTAssertGreaterThanOrEqual(firmware, 38, "the Bus Watchdog needs firmware 38 or later")
            XCTAssertEqual(try bus.read(id: id, Table.modelNumber), 1020)
            XCTAssertEqual(try bus.read(id: id, Table.operatingMode), Table.OperatingMode.position.rawValue, "the factory mode")
            XCTAssertEqual(try bus.read(id: id, Table.returnDelayTime), 250, "the factory delay")
        }
        XCTAssertThrowsError(try bus.ping(id: 3)) { error in
            guard case DynamixelError.noStatus(_, 3, .ping, _) = error else { return XCTFail("\(error)") }
        }
    }

    func testWritesThatBreakTheTablesRulesAreRefusedWithTheirErrorNumbers() throws {
        let (emulator, bus) = try start()
        try bus.write(id: 1, Table.operatingMode, 0)
        try bus.write(id: 1, Table.torqueEnable, 1)
        assertRefused(.access) { try bus.write(id: 1, Table.operatingMode, 5) }  // EEPROM with torque on
        assertRefused(.access) { try bus.write(id: 1, Table.modelNumber, 1) }  // read-only
        assertRefused(.dataRange) { try bus.write(id: 1, Table.goalCurrent, 1194) }  // past Current Limit 1193
        assertRefused(.dataRange) { try bus.write(id: 1, Table.busWatchdog, 128) }
        assertRefused(.dataRange) { try bus.write(id: 1, Table.torqueEnable, 2) }
        try bus.write(id: 1, Table.torqueEnable, 0)
        assertRefused(.dataRange) { try bus.write(id: 1, Table.operatingMode, 2) }  // no such mode
        assertRefused(.dataRange) { try bus.write(id: 1, Table.currentLimit, 1194) }
        try bus.write(id: 1, Table.currentLimit, 500)
        assertRefused(.dataRange) { try bus.write(id: 1, Table.goalCurrent, -501) }
        let snapshot = emulator.snapshot().servos[0]
        XCTAssertEqual(snapshot.currentLimit, 500)
        XCTAssertEqual(snapshot.operatingMode, 0, "refused writes change nothing")
        XCTAssertEqual(snapshot.torqueEnable, 0)
    }

    /// The error numbers that come from the packet rather than the table: a damaged packet, an
    /// instruction the servo does not carry out, a write into the middle of a field.
    func testDamagedPacketsUnknownInstructionsAndPartialFieldsGetTheirStatus() throws {
        let (emulator, _) = try start()
        let port = try TerminalTransport(path: emulator.path)
        var encoder = PacketEncoder()
        var decoder = PacketDecoder(direction: .statuses)
        func exchange(_ frame: [UInt8]) throws -> UInt8? {
            try frame.withUnsafeBytes { try port.write($0, timeout: 1) }
            var buffer = [UInt8](repeating: 0, count: 256)
            let deadline = Date().addingTimeInterval(2)
            while Date() < deadline {
                let count = try buffer.withUnsafeMutableBytes { try port.read(into: $0, timeout: 0.1) }
                decoder.append(Array(buffer[..<count]))
                if case .packet(1, 0x55, let error, _) = decoder.next() { return error }
            }
            return nil
        }
        encoder.encode(id: 1, instruction: .ping)
        var damaged = encoder.bytes
        damaged[damaged.count - 1] ^= 0x01
        XCTAssertEqual(try exchange(damaged), StatusError.Kind.crc.rawValue)
        encoder.encode(id: 1, instruction: .regWrite, parameters: [0x40, 0x00, 0x01])
        XCTAssertEqual(try exchange(encoder.bytes), StatusError.Kind.instruction.rawValue)
        encoder.encode(id: 1, instruction: .write, parameters: [0x67, 0x00, 0x01])  // Goal Current's high byte alone
        XCTAssertEqual(try exchange(encoder.bytes), StatusError.Kind.dataLength.rawValue)
        encoder.encode(id: 1, instruction: .read, parameters: [0x90, 0x00, 0x10, 0x00])  // past the table
        XCTAssertEqual(try exchange(encoder.bytes), StatusError.Kind.access.rawValue)
        XCTAssertEqual(emulator.snapshot().damagedPackets, 1)
    }

    /// A status packet damaged on the line is counted and never taken for an answer: the request's
    /// status is lost, and the next request, on a clean line, gets its own.
    func testADamagedStatusIsCountedAndNotTakenForTheAnswer() throws {
        let (emulator, bus) = try start()
        bus.timeout = 0.05
        emulator.setCorruptStatus(1)
        XCTAssertThrowsError(try bus.read(id: 1, Table.modelNumber)) { error in
            guard case DynamixelError.noStatus(_, 1, .read, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(bus.statistics.damagedStatuses, 1)
        XCTAssertEqual(bus.statistics.lostStatuses, 1)
        emulator.setCorruptStatus(0)
        XCTAssertEqual(try bus.read(id: 1, Table.modelNumber), 1020)
        XCTAssertEqual(emulator.snapshot().corruptedStatuses, 1)
    }

    /// In lockstep a SYNC WRITE of Goal Current is one control period of the exact simulator under
    /// current × unit × torque constant, bit for bit; SYNC READ reports it in the servos' units,
    /// which are the readings of the simulator through the description's reality gap.
    func testASyncWriteOfGoalCurrentStepsTheArmAsTheSimulatorDoes() throws {
        let robot = try RepositoryFiles.robot("xm430-two-joint")
        let (emulator, bus) = try start()
        for id: UInt8 in [1, 2] {
            try bus.write(id: id, Table.operatingMode, 0)
            try bus.write(id: id, Table.torqueEnable, 1)
        }
        let reference = SimulatedArm(robot: robot)
        var state = JointState(jointCount: 2)
        try reference.activate(state: &state)
        let unitTorque = 1.78 * 2.69e-3
        var data: [UInt8] = []
        for step in 0..<20 {
            let currents = [150 - 15 * step, -90 + 7 * step]
            try bus.syncWrite(Table.goalCurrent, ids: [1, 2], values: currents)
            try reference.step(torques: currents.map { Double($0) * unitTorque }, state: &state)
            data.removeAll()
            try bus.syncRead(address: Table.presentBlock.address, length: Table.presentBlock.size, ids: [1, 2], into: &data)
            let snapshot = emulator.snapshot()
            let exact = reference.simulator
            XCTAssertEqual(snapshot.position, exact.q, "step \(step)")
            XCTAssertEqual(snapshot.velocity, exact.qd, "step \(step)")
            for joint in 0..<2 {
                let values = data.withUnsafeBufferPointer { buffer in
                    (
                        Table.presentCurrent.decode(buffer, at: 10 * joint),
                        Table.presentVelocity.decode(buffer, at: 10 * joint + 2),
                        Table.presentPosition.decode(buffer, at: 10 * joint + 6)
                    )
                }
                XCTAssertEqual(values.0, currents[joint])
                XCTAssertEqual(values.1, Int((exact.qd[joint] / Table.velocityUnit).rounded()))
                XCTAssertEqual(values.2, 2048 + Int((exact.q[joint] / Table.positionUnit).rounded()))
                XCTAssertEqual(state.torque[joint], Double(values.0) * unitTorque, "step \(step)")
                XCTAssertEqual(state.velocity[joint], Double(values.1) * Table.velocityUnit, "step \(step)")
                XCTAssertEqual(state.position[joint], Double(values.2 - 2048) * Table.positionUnit, "step \(step)")
            }
        }
    }

    /// e-Manual, Bus Watchdog(98): with torque on, a servo that hears no instruction packet for the
    /// watchdog's time stops and its watchdog reads −1; goals are then read-only (a write gets a
    /// Data Range Error) until 0 is written to the watchdog.
    func testTheBusWatchdogStopsTheServoAndLocksTheGoalsUntilCleared() throws {
        let (emulator, bus) = try start(.init(timing: .realTime))
        try bus.write(id: 1, Table.operatingMode, 0)
        try bus.write(id: 1, Table.torqueEnable, 1)
        try bus.write(id: 1, Table.goalCurrent, 100)
        try bus.write(id: 1, Table.busWatchdog, 2)  // 40 ms
        XCTAssertNotEqual(emulator.snapshot().servos[0].appliedTorque, 0)
        usleep(150_000)
        XCTAssertEqual(try bus.read(id: 1, Table.busWatchdog), -1)
        var snapshot = emulator.snapshot().servos[0]
        XCTAssertEqual(snapshot.appliedTorque, 0, "the servo stopped")
        XCTAssertEqual(snapshot.torqueEnable, 1, "the watchdog stops the motor; Torque Enable stays")
        assertRefused(.dataRange) { try bus.write(id: 1, Table.goalCurrent, 50) }
        XCTAssertEqual(try bus.read(id: 1, Table.goalCurrent), 100)
        try bus.write(id: 1, Table.busWatchdog, 0)
        try bus.write(id: 1, Table.goalCurrent, 50)
        snapshot = emulator.snapshot().servos[0]
        XCTAssertEqual(snapshot.busWatchdog, 0)
        XCTAssertEqual(snapshot.goalCurrent, 50)
        XCTAssertEqual(snapshot.appliedTorque, 50 * 1.78 * 2.69e-3, accuracy: 1e-12)
        // Only while torque is on: an idle servo's watchdog never trips.
        try bus.write(id: 2, Table.busWatchdog, 1)
        usleep(80_000)
        XCTAssertEqual(emulator.snapshot().servos[1].busWatchdog, 1)
    }

    /// A hardware error sets the Alert bit of every status packet, switches torque off (overload is
    /// in the factory Shutdown mask) and keeps it off until REBOOT.
    func testAHardwareErrorAlertsAndHoldsTorqueOffUntilReboot() throws {
        let (emulator, bus) = try start()
        try bus.write(id: 2, Table.operatingMode, 0)
        try bus.write(id: 2, Table.torqueEnable, 1)
        emulator.injectHardwareError(id: 2, .overload)
        XCTAssertEqual(try bus.read(id: 2, Table.torqueEnable), 0)
        XCTAssertEqual(bus.alerts, [2])
        XCTAssertEqual(try bus.read(id: 2, Table.hardwareErrorStatus), Int(Table.HardwareError.overload.rawValue))
        try bus.write(id: 2, Table.torqueEnable, 1)
        XCTAssertEqual(emulator.snapshot().servos[1].torqueEnable, 0, "torque stays off while the error stands")
        _ = try bus.read(id: 1, Table.torqueEnable)
        XCTAssertEqual(bus.alerts, [], "the other servo is fine")
        try bus.reboot(id: 2)
        XCTAssertEqual(try bus.read(id: 2, Table.hardwareErrorStatus), 0)
        XCTAssertEqual(bus.alerts, [])
    }
}
