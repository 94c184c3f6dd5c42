import FirmwareLink
import Hardware
import MonotonicTime
import RobotModel
import TestSupport
import XCTest

/// Protocol 1.3's MOVE: the device's position controller takes the arm to an episode's start pose,
/// on the emulator (the C device code) and on the simulated arm (the same controller), under the
/// device's watchdog and e-stop.
final class MoveTests: XCTestCase {
    func emulator(_ robot: RobotDescription, _ options: DeviceEmulator.Options = .init(timing: .lockstep)) throws -> DeviceEmulator {
        let emulator = try DeviceEmulator(robot: robot, options: options)
        addTeardownBlock { emulator.stop() }
        return emulator
    }

    func testAMoveThroughTheLockstepEmulatorEndsWhereTheSimulatedMoveEnds() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot)
        let serial = try SerialArm(robot: robot, port: emulator.path, timeout: 0.5)
        let simulated = SimulatedArm(robot: robot)
        var viaWire = JointState(jointCount: 2)
        var reference = JointState(jointCount: 2)
        try serial.activate(state: &viaWire)
        try simulated.activate(state: &reference)
        let profile = MoveProfile(robot: robot)
        for target in [[0.1, -0.1], [-0.4, 1.2], [0.05, 0.0]] {
            let wire = try serial.move(to: target, profile: profile, state: &viaWire)
            let simulation = try simulated.move(to: target, profile: profile, state: &reference)
            XCTAssertEqual(wire.periods, simulation.periods, "\(target)")
            XCTAssertEqual(emulator.snapshot().position, simulated.simulator.q, "the emulated arm is bit for bit the simulated one")
            for j in 0..<2 {
                XCTAssertEqual(viaWire.position[j], Double(Float(reference.position[j])), "\(target) joint \(j)")
                XCTAssertLessThanOrEqual(abs(viaWire.position[j] - target[j]), profile.positionTolerance + 1e-6)
                XCTAssertLessThanOrEqual(abs(viaWire.velocity[j]), profile.velocityTolerance + 1e-6)
            }
        }
        XCTAssertTrue(emulator.snapshot().status.contains([.moving, .settled]), "the device holds the arm until the next TORQUE")
        try serial.step(torques: [0, 0], state: &viaWire)
        XCTAssertFalse(emulator.snapshot().status.contains(.moving), "a TORQUE ends the move")
        XCTAssertNil(serial.linkStatistics.requests[.home])
        XCTAssertEqual(emulator.snapshot().homes, 0)
    }

    /// Gains derived from the inertia, and integral action against gravity: every shipped arm
    /// reaches a pose, the vertical six-joint one holding itself out against gravity included.
    func testEveryShippedArmSettlesAtAPose() throws {
        for (name, target) in [
            ("reacher", [0.3, -0.6]), ("three-joint-planar", [0.5, 1.0, 0.3]),
            ("six-joint-planar", [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]),
        ] {
            let robot = try RepositoryFiles.robot(name)
            let arm = SimulatedArm(robot: robot)
            var state = JointState(jointCount: robot.jointCount)
            try arm.activate(state: &state)
            let profile = MoveProfile(robot: robot)
            let outcome = try arm.move(to: target, profile: profile, state: &state)
            XCTAssertLessThanOrEqual(outcome.positionError, profile.positionTolerance, name)
            XCTAssertLessThan(outcome.duration, profile.timeout, name)
        }
    }

    func testAMoveThatCannotSettleStopsAtItsTimeoutNamingTheJoint() throws {
        var robot = try RepositoryFiles.robot("six-joint-planar")
        robot.joints[0].torque = Limits(low: -5, high: 5)  // cannot hold the arm out against gravity
        robot.move.timeout = 1
        let arm = SimulatedArm(robot: robot)
        var state = JointState(jointCount: 6)
        try arm.activate(state: &state)
        XCTAssertThrowsError(try arm.move(to: Array(repeating: 0.1, count: 6), profile: MoveProfile(robot: robot), state: &state)) { error in
            guard case .moveNotSettled(let seconds, let joint, _, _) = error as? BackendError else { return XCTFail("\(error)") }
            XCTAssertEqual(seconds, 1)
            XCTAssertEqual(joint, 0)
        }
    }

    func testATargetOutsideTheJointRangeIsRefusedAndChangesNothing() throws {
        let robot = try RepositoryFiles.robot("reacher")  // elbow ±3 rad
        let emulator = try emulator(robot)
        let serial = try SerialArm(robot: robot, port: emulator.path)
        var state = JointState(jointCount: 2)
        try serial.activate(state: &state)
        XCTAssertThrowsError(try serial.move(to: [0, 3.5], profile: MoveProfile(robot: robot), state: &state)) { error in
            guard case .refused(_, .move, let result, _, _) = error as? SerialArmError else { return XCTFail("\(error)") }
            XCTAssertEqual(result, .outOfRange)
        }
        XCTAssertFalse(emulator.snapshot().status.contains(.moving))
        XCTAssertTrue(serial.isActive, "a refused target is not a fault")
        let simulated = SimulatedArm(robot: robot)
        try simulated.activate(state: &state)
        XCTAssertThrowsError(try simulated.move(to: [0, 3.5], profile: MoveProfile(robot: robot), state: &state)) { error in
            XCTAssertEqual(error as? BackendError, .moveRefused("out_of_range"))
        }
    }

    /// A stop (Ctrl-C, the live page's e-stop) ends a move at once: one MOVE, then DISABLE, rather than a
    /// MOVE every period until the arm settles seconds later with the device's controller driving it.
    func testAStopRequestedDuringAMoveDisablesTheArmAtOnce() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot, .init(timing: .realTime))
        let serial = try SerialArm(robot: robot, port: emulator.path, timeout: 0.5)
        var state = JointState(jointCount: 2)
        try serial.activate(state: &state)
        let stop = StopRequest()
        stop.request()
        XCTAssertThrowsError(try serial.move(to: [-0.4, 1.2], profile: MoveProfile(robot: robot), state: &state, unless: stop)) { error in
            XCTAssertEqual(error as? BackendError, .moveStopped)
        }
        XCTAssertEqual(serial.linkStatistics.requests[.move], 1)
        XCTAssertEqual(serial.linkStatistics.requests[.disable], 1)
        XCTAssertFalse(serial.isActive)
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled), "the device took the DISABLE: torque off")
    }

    /// The device holds the arm only while MOVEs come: a host that stops sending them trips the
    /// watchdog as a host that stops sending TORQUEs does.
    func testTheWatchdogEndsAMoveWhenTheHostFallsSilent() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot, .init(timing: .realTime, watchdogPeriod: 0.05))
        let serial = try SerialArm(robot: robot, port: emulator.path, timeout: 0.2)
        var state = JointState(jointCount: 2)
        try serial.activate(state: &state)
        var report = DeviceReport()
        try serial.link.move(MoveProfile(robot: robot).command(to: [1, 1]), joints: &state, report: &report)
        XCTAssertEqual(report.result, .ok)
        XCTAssertTrue(report.status.contains(.moving))
        let snapshot = emulator.eventually { $0.status.contains(.watchdogTripped) }
        XCTAssertEqual(snapshot.fault, .watchdog)
        XCTAssertEqual(snapshot.appliedTorque, [0, 0])
        XCTAssertFalse(snapshot.status.contains(.moving))
    }

    func testAnEmergencyStopDuringAMoveZeroesTheTorqueAndRefusesTheNextMove() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try emulator(robot, .init(timing: .realTime))
        let serial = try SerialArm(robot: robot, port: emulator.path, timeout: 0.2)
        var state = JointState(jointCount: 2)
        try serial.activate(state: &state)
        var report = DeviceReport()
        let command = MoveProfile(robot: robot).command(to: [1, 1])
        try serial.link.move(command, joints: &state, report: &report)
        try serial.link.emergencyStop()
        let snapshot = emulator.snapshot()
        XCTAssertEqual(snapshot.appliedTorque, [0, 0])
        XCTAssertFalse(snapshot.status.contains(.moving))
        try serial.link.move(command, joints: &state, report: &report)
        XCTAssertEqual(report.result, .estopLatched)
        XCTAssertEqual(emulator.snapshot().appliedTorque, [0, 0])
    }
}

/// An episode's move starts from where the arm is, even when something other than the safety stage
/// drove it there (the device's own actor, `run --on-device`): a continuous joint goes to the
/// nearest turn of its start angle, never back through the turns it made meanwhile.
final class MoveFromWhereTheArmIsTests: XCTestCase {
    func testAMoveAfterTheBackendWasDrivenElsewhereGoesToTheNearestTurn() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let backend = SimulatedArm(robot: robot)
        let arm = ActuatedArm(robot: robot, backend: backend)
        try arm.begin(.place, position: [0, 0], velocity: [0, 0])
        // Two whole turns of the shoulder (a continuous joint) behind the stage's back.
        var state = JointState(jointCount: 2)
        try backend.place(position: [4 * Double.pi + 0.3, 0], velocity: [0, 0], state: &state)
        try arm.begin(.move, position: [0.1, 0], velocity: [0, 0])
        XCTAssertEqual(arm.state.position[0], 4 * Double.pi + 0.1, accuracy: 0.02, "the nearest turn of 0.1 rad from 4π + 0.3")
    }
}
