import ArmDynamics
import Hardware
import RobotModel
import TestSupport
import XCTest

final class SimulatedArmTests: XCTestCase {
    func testStepAdvancesOneControlPeriodOfPhysics() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let arm = SimulatedArm(robot: robot)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        try arm.place(position: [0.1, 0.2], velocity: [0, 0], state: &state)
        try arm.step(torques: [50, -20], state: &state)
        XCTAssertEqual(state.time, 0.02, accuracy: 1e-12)
        XCTAssertEqual(state.torque, [50, -20])
        let reference = ArmSimulator(robot: robot)
        reference.reset(q: [0.1, 0.2], qd: [0, 0])
        reference.advance(torques: [50, -20], steps: 2)
        XCTAssertEqual(state.position, reference.q)
        XCTAssertEqual(state.velocity, reference.qd)
    }

    func testCommandsBeforeActivationAreRefused() throws {
        let arm = SimulatedArm(robot: try RepositoryFiles.robot("reacher"))
        var state = JointState(jointCount: 2)
        XCTAssertThrowsError(try arm.step(torques: [1, 1], state: &state)) { error in
            XCTAssertEqual(error as? BackendError, .inactive)
        }
        try arm.activate(state: &state)
        arm.deactivate()
        XCTAssertThrowsError(try arm.step(torques: [1, 1], state: &state))
    }

    func testCommandsOfTheWrongSizeAreRefusedNamingTheWrongCount() throws {
        let arm = SimulatedArm(robot: try RepositoryFiles.robot("reacher"))
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        XCTAssertThrowsError(try arm.step(torques: [1], state: &state)) { error in
            XCTAssertEqual(error as? BackendError, .wrongSize(expected: 2, got: 1))
        }
        XCTAssertThrowsError(try arm.step(torques: [1, 1, 1], state: &state)) { error in
            XCTAssertEqual(error as? BackendError, .wrongSize(expected: 2, got: 3))
        }
        var small = JointState(jointCount: 1)
        XCTAssertThrowsError(try arm.step(torques: [1, 1], state: &small)) { error in
            XCTAssertEqual(error as? BackendError, .wrongSize(expected: 2, got: 1))
        }
        XCTAssertThrowsError(try arm.place(position: [0, 0], velocity: [0, 0, 0], state: &state)) { error in
            XCTAssertEqual(error as? BackendError, .wrongSize(expected: 2, got: 3))
        }
        XCTAssertEqual(arm.simulator.time, 0, "nothing was stepped")
    }

    func testTheSimulatorHandlesMoreThanTwoJoints() throws {
        let robot = try RepositoryFiles.robot("six-joint-planar")
        let arm = SimulatedArm(robot: robot)
        var state = JointState(jointCount: 6)
        try arm.activate(state: &state)
        for _ in 0..<200 { try arm.step(torques: [0, 0, 0, 0, 0, 0], state: &state) }
        // Falls under gravity from straight out, bounded by damping and limits.
        XCTAssertLessThan(state.position[0], -0.1)
        XCTAssertTrue(state.position.allSatisfy(\.isFinite))
        XCTAssertEqual(state.time, 1, accuracy: 1e-9)
    }
}

final class SimulatedArmDivergenceTests: XCTestCase {
    /// Within every field's bounds an arm can still be built to blow up: two microgram links a
    /// hundred metres long under a meganewton-metre. The simulated arm stops with an error naming
    /// the joint and the time, switched off, and never hands out a non-finite state.
    func testADivergingSimulationStopsWithAnErrorInsteadOfReportingNaN() throws {
        let text = """
            name: wild
            control: {rate_hz: 10}
            joints:
              - {name: a, torque: {low: -1000000, high: 1000000}}
              - {name: b, torque: {low: -1000000, high: 1000000}}
            links:
              - {name: l0, length: 100, inertial: {mass: 0.000001, com: 100, inertia: 0.000000000001}}
              - {name: l1, length: 100, inertial: {mass: 0.000001, com: -100, inertia: 0.000000000001}}
            """
        let robot = try RobotDescription.parse(data: Data(text.utf8), file: "wild.yaml")
        let arm = SimulatedArm(robot: robot)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        var failure: Error?
        for _ in 0..<1000 {
            do {
                try arm.step(torques: [1_000_000, -1_000_000], state: &state)
            } catch {
                failure = error
                break
            }
            XCTAssertTrue(state.position.allSatisfy(\.isFinite) && state.velocity.allSatisfy(\.isFinite), "a non-finite state was reported")
        }
        guard case .diverged(let joint, _)? = failure as? BackendError else { return XCTFail("expected divergence, got \(String(describing: failure))") }
        XCTAssertTrue((0..<2).contains(joint))
        XCTAssertFalse(arm.isActive, "switched off")
        XCTAssertThrowsError(try arm.place(position: [.nan, 0], velocity: [0, 0], state: &state))
    }
}
