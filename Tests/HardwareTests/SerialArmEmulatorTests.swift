import ArmDynamics
import DeterministicRandom
import FirmwareLink
import Foundation
@testable import Hardware
import MonotonicTime
import RobotModel
import TestSupport
import XCTest

/// `SerialArm` against the in-process device emulator on a pseudo-terminal: the whole wire, the
/// firmware's own state machine, the simulator as the arm.
final class SerialArmEmulatorTests: XCTestCase {
    private var emulators: [DeviceEmulator] = []

    override func tearDown() {
        for emulator in emulators { emulator.stop() }
        emulators.removeAll()
        super.tearDown()
    }

    private func emulator(_ robot: RobotDescription, _ options: DeviceEmulator.Options = .init(timing: .lockstep)) throws -> DeviceEmulator {
        let emulator = try DeviceEmulator(robot: robot, options: options)
        emulators.append(emulator)
        return emulator
    }

    func testActivationShakesHandsAndEnables() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot)
        let arm = try SerialArm(robot: robot, port: emulator.path)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        XCTAssertTrue(arm.isActive)
        XCTAssertEqual(arm.device?.jointCount, 2)
        XCTAssertEqual(arm.device?.version, "1.4")
        XCTAssertEqual(arm.device?.torqueLimits, [200, 200])
        XCTAssertTrue(emulator.snapshot().status.contains([.enabled, .handshakeDone]))
        arm.deactivate()
        XCTAssertFalse(arm.isActive)
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled))
        arm.deactivate()  // again: harmless
    }

    /// The lockstep emulator steps the same physics inside the request, so every STATE is the
    /// simulator's state after the same step, read through float32.
    func testFiftyStepsMatchTheSimulatorExactly() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot)
        let serial = try SerialArm(robot: robot, port: emulator.path)
        let simulated = SimulatedArm(robot: robot)
        var random = Xoshiro256(seed: 42)
        // Values the wire carries exactly (float32), so both arms get the same numbers.
        func draw(_ range: Double) -> Double { Double(Float(random.uniform(-range, range))) }
        let position = [draw(0.1), draw(0.1)]
        let velocity = [draw(0.005), draw(0.005)]

        var viaWire = JointState(jointCount: 2)
        var reference = JointState(jointCount: 2)
        try serial.activate(state: &viaWire)
        try simulated.activate(state: &reference)
        try placeEmulated(serial, position: position, velocity: velocity, state: &viaWire)
        try simulated.place(position: position, velocity: velocity, state: &reference)
        assertSame(viaWire, reference, "after reset")
        for step in 0..<50 {
            let torques = [draw(200), draw(200)]
            try serial.step(torques: torques, state: &viaWire)
            try simulated.step(torques: torques, state: &reference)
            assertSame(viaWire, reference, "step \(step)")
        }
        XCTAssertEqual(emulator.snapshot().position, simulated.simulator.q, "the emulated arm itself is bit for bit the simulator")
        let statistics = serial.linkStatistics
        XCTAssertEqual(statistics.lostReplies, 0)
        XCTAssertEqual(statistics.crcErrors + statistics.decodeErrors, 0)
        print("lockstep pty round trip: \(statistics)")
    }

    /// The emulator's snapshot once `condition` holds (or after two seconds, for the assertions to report).
    private func assertSame(_ wire: JointState, _ sim: JointState, _ when: String, line: UInt = #line) {
        for i in 0..<2 {
            XCTAssertEqual(wire.position[i], Double(Float(sim.position[i])), "\(when): q\(i)", line: line)
            XCTAssertEqual(wire.velocity[i], Double(Float(sim.velocity[i])), "\(when): qd\(i)", line: line)
            XCTAssertEqual(wire.torque[i], sim.torque[i], "\(when): tau\(i)", line: line)
        }
        XCTAssertEqual(wire.time, sim.time, accuracy: 1e-6, "\(when): time", line: line)
    }

    func testAJointCountMismatchIsAClearError() throws {
        let reacher = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(reacher)
        var threeJoints = reacher
        threeJoints.name = "three-joint"
        threeJoints.joints.append(reacher.joints[1])
        threeJoints.links.append(reacher.links[1])
        let arm = try SerialArm(robot: threeJoints, port: emulator.path)
        var state = JointState(jointCount: 3)
        XCTAssertThrowsError(try arm.activate(state: &state)) { error in
            XCTAssertEqual(
                error as? SerialArmError,
                .jointCountMismatch(port: emulator.path, robot: "three-joint", robotJoints: 3, deviceJoints: 2))
            let text = String(describing: error)
            XCTAssertTrue(text.contains(emulator.path) && text.contains("3") && text.contains("2 joints"), text)
        }
        XCTAssertFalse(arm.isActive)
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled), "never enabled")
    }

    func testARobotWithoutAPortSaysHowToGiveOne() throws {
        var robot = try RepositoryFiles.robot("reacher")
        robot.serial = nil
        XCTAssertThrowsError(try SerialArm(robot: robot)) { error in
            XCTAssertEqual(error as? SerialArmError, .noPort(robot: "reacher"))
            XCTAssertTrue(String(describing: error).contains("serial:"))
        }
    }

    func testLineNoiseAndDamagedFramesAreRejectedWhileTheLinkKeepsWorking() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(
            robot, .init(timing: .lockstep, seed: 7, impairments: .init(noise: 0.3, corruption: 0.3)))
        let arm = try SerialArm(robot: robot, port: emulator.path)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        for step in 0..<200 {
            let torque = Double(step % 7) - 3
            try arm.step(torques: [torque, -torque], state: &state)
            XCTAssertEqual(state.torque, [torque, -torque])
        }
        let injected = emulator.snapshot()
        let statistics = arm.linkStatistics
        XCTAssertGreaterThan(injected.corruptedCopies, 20)
        XCTAssertGreaterThan(injected.noiseBursts, 20)
        XCTAssertGreaterThanOrEqual(statistics.crcErrors + statistics.decodeErrors, injected.corruptedCopies)
        XCTAssertGreaterThan(statistics.crcErrors, 0)
        XCTAssertEqual(statistics.lostReplies, 0)
        XCTAssertEqual(statistics.roundTrips, 203, "HELLO, ENABLE, HEARTBEAT and 200 steps, every one answered")
    }

    /// A lost STATE is normal on a real bus. In lockstep the TORQUE was applied (the emulator drops
    /// only what it sends), so the HEARTBEAT that completes the step reads the state after it: the
    /// trajectory is the simulator's whatever replies are lost, and every loss is counted.
    func testOccasionalDroppedRepliesAreCountedAndLeaveTheTrajectoryAsTheSimulators() throws {
        let robot = try RepositoryFiles.robot("reacher")
        // A seed whose drops come one at a time over these steps (the draws are per frame, so seeded runs repeat).
        let emulator = try emulator(robot, .init(timing: .lockstep, seed: 3, impairments: .init(drop: 0.05)))
        let serial = try SerialArm(robot: robot, port: emulator.path, timeout: 0.05)
        let simulated = SimulatedArm(robot: robot)
        var viaWire = JointState(jointCount: 2)
        var reference = JointState(jointCount: 2)
        try serial.activate(state: &viaWire)
        try simulated.activate(state: &reference)
        try placeEmulated(serial, position: [0.0625, -0.03125], velocity: [0, 0], state: &viaWire)
        try simulated.place(position: [0.0625, -0.03125], velocity: [0, 0], state: &reference)
        for step in 0..<100 {
            let torques = [Double(step % 9) - 4, 4 - Double(step % 5)]
            try serial.step(torques: torques, state: &viaWire)
            try simulated.step(torques: torques, state: &reference)
            assertSame(viaWire, reference, "step \(step)")
        }
        let statistics = serial.linkStatistics
        let dropped = emulator.snapshot().droppedFrames
        print("dropped \(dropped): \(statistics)")
        XCTAssertGreaterThanOrEqual(dropped, 3, "the seed should exercise a few losses")
        XCTAssertEqual(statistics.lostReplies, dropped)
        XCTAssertEqual(statistics.mostLostRepliesInARow, 1)
        XCTAssertTrue(serial.isActive)
        XCTAssertNil(serial.link.fault)
    }

    func testDroppedRepliesInARowStopTheArmWithTorqueOffUntilReconnect() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot)
        let arm = try SerialArm(robot: robot, port: emulator.path, timeout: 0.05)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        try arm.step(torques: [1, 1], state: &state)
        emulator.setImpairments(.init(drop: 1))
        let start = Date()
        XCTAssertThrowsError(try arm.step(torques: [1, 1], state: &state)) { error in
            // The TORQUE's STATE, then the HEARTBEAT's that would have completed the step.
            guard case .timeout(_, let request, _, _, let inARow) = error as? FirmwareLinkError else { return XCTFail("\(error)") }
            XCTAssertEqual(request, .heartbeat)
            XCTAssertEqual(inARow, 2)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 0.5)
        XCTAssertFalse(arm.isActive)
        XCTAssertEqual(arm.linkStatistics.lostReplies, 2)
        // The DISABLE sent on the way out (not waited for) reaches the device.
        let snapshot = emulator.eventually { !$0.status.contains(.enabled) }
        XCTAssertFalse(snapshot.status.contains(.enabled))
        XCTAssertEqual(snapshot.appliedTorque, [0, 0])
        emulator.setImpairments(.none)
        XCTAssertThrowsError(try arm.step(torques: [1, 1], state: &state))
        XCTAssertThrowsError(try arm.activate(state: &state)) { error in
            guard case .faulted = error as? FirmwareLinkError else { return XCTFail("\(error)") }
            XCTAssertTrue(String(describing: error).contains("reconnect"))
        }
        try arm.reconnect()
        try arm.activate(state: &state)
        for _ in 0..<5 { try arm.step(torques: [2, -2], state: &state) }
        XCTAssertEqual(state.torque, [2, -2])
    }

    func testTheLostReplyLimitComesFromTheDescriptionUnlessGiven() throws {
        var robot = try RepositoryFiles.robot("reacher")
        robot.serial = SerialSettings(port: "/dev/null")
        XCTAssertEqual(try SerialArm(robot: robot).link.configuration.lostReplyLimit, 2)
        XCTAssertEqual(SerialSettings.defaultLostReplies, FirmwareLink.Configuration.defaultLostReplyLimit)
        robot.serial?.lostReplies = 4
        XCTAssertEqual(try SerialArm(robot: robot).link.configuration.lostReplyLimit, 4)
        XCTAssertEqual(try SerialArm(robot: robot, lostReplies: 1).link.configuration.lostReplyLimit, 1)
    }

    /// A real-time device answers a TORQUE at once, before the torque has acted; the step must
    /// return the state the period ends in (as the simulator's does), or every observation a
    /// policy acts on is a period old.
    func testARealTimeStepReturnsTheStateItsPeriodEndsIn() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot, .init(timing: .realTime))
        let arm = try SerialArm(robot: robot, port: emulator.path, timeout: 0.2)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        XCTAssertEqual(state.velocity, [0, 0])
        let period = robot.control.period
        let readAhead = PeriodEndReading(period: period).readAhead
        var lastReturn = 0.0
        for step in 0..<10 {
            let before = state.time
            try arm.step(torques: [20, 0], state: &state)
            let returned = MonotonicClock.seconds()
            // The arm has moved under this torque: the device's physics ran most of a period (in
            // whole 10 ms timesteps) after the command.
            XCTAssertGreaterThan(state.velocity[0], 0, "step \(step)")
            XCTAssertGreaterThanOrEqual(state.time - before, period - readAhead - robot.physics.timestep, "step \(step)")
            XCTAssertGreaterThan(arm.lastStepWait, 0, "step \(step)")
            if step > 0 {
                // Readings a period apart, whatever the loop's own lateness.
                XCTAssertEqual(returned - lastReturn, period, accuracy: 0.008, "step \(step)")
            }
            lastReturn = returned
        }
        arm.deactivate()
    }

    func testTheWatchdogStopsTheArmWhenTheHostStalls() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let watchdog = 0.05
        let emulator = try emulator(robot, .init(timing: .realTime, watchdogPeriod: watchdog))
        let arm = try SerialArm(robot: robot, port: emulator.path, timeout: 0.2)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        for _ in 0..<5 { try arm.step(torques: [20, -20], state: &state) }
        XCTAssertEqual(emulator.snapshot().appliedTorque, [20, -20])
        // The host stalls: nothing more is sent.
        let snapshot = emulator.eventually { $0.status.contains(.watchdogTripped) }
        XCTAssertTrue(snapshot.status.contains(.watchdogTripped))
        XCTAssertEqual(snapshot.fault, .watchdog)
        XCTAssertFalse(snapshot.status.contains(.enabled))
        XCTAssertEqual(snapshot.appliedTorque, [0, 0])
        let zeroedAt = try XCTUnwrap(snapshot.torqueZeroedTime)
        let latency = zeroedAt - snapshot.lastFeedTime
        XCTAssertGreaterThanOrEqual(latency, watchdog)
        // The firmware polls at 1 kHz; the rest is the scheduler's slack on a busy test machine.
        XCTAssertLessThan(latency, watchdog + 0.05, "torque zeroed \(latency) s after the last command")
        XCTAssertEqual(snapshot.counters.watchdogTrips, 1)
        // The host learns it on its next command and must enable again.
        XCTAssertThrowsError(try arm.step(torques: [20, -20], state: &state)) { error in
            XCTAssertEqual(
                error as? SerialArmError,
                .refused(
                    port: emulator.path, request: .torque, result: .notEnabled, fault: .watchdog,
                    status: [.watchdogTripped, .fault, .handshakeDone]))
        }
        XCTAssertFalse(arm.isActive)
        XCTAssertEqual(arm.link.lastDeviceFault?.code, .watchdog)
        try arm.activate(state: &state)
        try arm.step(torques: [1, 1], state: &state)
        XCTAssertEqual(emulator.snapshot().fault, .none)
    }

    /// Protocol 1.2: the device does not re-zero an arm someone stopped, nor to a pose it cannot be in.
    func testHomeIsRefusedWhileTheEmergencyStopIsLatchedAndOutsideTheJointRange() throws {
        let robot = try RepositoryFiles.robot("reacher")  // joint 1: ±3 rad; joint 0 continuous
        let emulator = try emulator(robot)
        let arm = try SerialArm(robot: robot, port: emulator.path)
        var state = JointState(jointCount: 2)
        try arm.rezero(position: [0.5, 0.25], state: &state)
        try arm.link.emergencyStop()
        XCTAssertThrowsError(try arm.link.home(position: [0, 0])) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .refused(port: emulator.path, request: .home, result: .estopLatched))
        }
        try arm.link.clearEmergencyStop()
        XCTAssertThrowsError(try arm.link.home(position: [0, 3.5])) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .refused(port: emulator.path, request: .home, result: .outOfRange))
        }
        XCTAssertEqual(emulator.snapshot().position, [0.5, 0.25], "a refused HOME leaves the arm where it was")
        try arm.link.home(position: [10, -3])  // joint 0 has no range; joint 1 at its bound
        XCTAssertEqual(emulator.snapshot().position, [10, -3])
    }

    /// PROTOCOL.md 8.2: lockstep physics waits for the host, its watchdog does not.
    func testTheLockstepWatchdogRunsOnTheWallClock() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot, .init(timing: .lockstep, watchdogPeriod: 0.05))
        let arm = try SerialArm(robot: robot, port: emulator.path, timeout: 0.2)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        for _ in 0..<5 { try arm.step(torques: [1, -1], state: &state) }
        let simulatedTime = emulator.snapshot().deviceTime
        let snapshot = emulator.eventually { $0.status.contains(.watchdogTripped) }
        XCTAssertTrue(snapshot.status.contains(.watchdogTripped))
        XCTAssertEqual(snapshot.fault, .watchdog)
        XCTAssertEqual(snapshot.appliedTorque, [0, 0])
        XCTAssertEqual(snapshot.deviceTime, simulatedTime, "the simulated clock stood still while the watchdog ran")
        XCTAssertThrowsError(try arm.step(torques: [1, -1], state: &state))
        try arm.activate(state: &state)
        try arm.step(torques: [1, -1], state: &state)
    }

    func testTheEmergencyStopLatchesUntilCleared() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot)
        let arm = try SerialArm(robot: robot, port: emulator.path)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        try arm.step(torques: [5, 5], state: &state)
        try arm.link.emergencyStop()
        XCTAssertEqual(emulator.snapshot().appliedTorque, [0, 0])
        XCTAssertThrowsError(try arm.step(torques: [5, 5], state: &state)) { error in
            guard case .refused(_, .torque, let result, let fault, let status) = error as? SerialArmError else { return XCTFail("\(error)") }
            XCTAssertEqual(result, .estopLatched)
            XCTAssertEqual(fault, .estop)
            XCTAssertTrue(status.contains(.estopLatched))
        }
        XCTAssertEqual(state.torque, [0, 0], "the STATE still reports the arm")
        XCTAssertThrowsError(try arm.activate(state: &state)) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .refused(port: emulator.path, request: .enable, result: .estopLatched))
        }
        XCTAssertTrue(emulator.snapshot().status.contains(.estopLatched))
        XCTAssertEqual(emulator.snapshot().appliedTorque, [0, 0])
        try arm.link.clearEmergencyStop()
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled), "clearing does not enable")
        try arm.activate(state: &state)
        try arm.step(torques: [5, 5], state: &state)
        XCTAssertEqual(emulator.snapshot().appliedTorque, [5, 5])
    }

    /// HOME is a person's act: `rezero` sends it with the motors off and leaves them off; an episode
    /// cannot `place` a real arm at all.
    func testRezeroDisablesTheMotorsAndAnArmCannotBePlaced() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot)
        let arm = try SerialArm(robot: robot, port: emulator.path)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        try arm.step(torques: [1, 1], state: &state)
        try arm.rezero(position: [0.25, -0.5], state: &state)
        XCTAssertFalse(arm.isActive)
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled))
        XCTAssertEqual(state.position, [0.25, -0.5])
        XCTAssertEqual(emulator.snapshot().homes, 1)
        XCTAssertFalse(arm.canPlace)
        XCTAssertThrowsError(try arm.place(position: [0, 0], velocity: [0, 0], state: &state)) { error in
            XCTAssertEqual(error as? BackendError, .cannotPlace)
        }
        XCTAssertThrowsError(try arm.rezero(position: [0], state: &state))
        XCTAssertEqual(emulator.snapshot().homes, 1)
    }

    /// Test setup, not an episode start: puts the emulated arm exactly at (position, velocity) with
    /// HOME's velocities (protocol 1.1, which only a simulating device honours), then enables again.
    func placeEmulated(_ arm: SerialArm, position: [Double], velocity: [Double], state: inout JointState) throws {
        arm.deactivate()
        try arm.link.home(position: position, velocity: velocity)
        try arm.activate(state: &state)
    }
}
