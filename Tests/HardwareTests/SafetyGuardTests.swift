import Hardware
import RobotModel
import TestSupport
import XCTest

final class SafetyGuardTests: XCTestCase {
    var robot: RobotDescription!

    override func setUpWithError() throws { robot = try RepositoryFiles.robot("six-joint-planar") }

    func state(q: [Double]? = nil, qd: [Double]? = nil) -> JointState {
        JointState(
            position: q ?? Array(repeating: 0, count: 6), velocity: qd ?? Array(repeating: 0, count: 6),
            torque: Array(repeating: 0, count: 6), time: 0)
    }

    func testTorqueIsClampedToEachJointsEffortRange() {
        var safety = SafetyGuard(robot: robot)
        var torques = [100, -100, 11, 0, -3.5, 1.9]
        safety.apply(torques: &torques, state: state())
        XCTAssertEqual(torques, [40, -15, 11, 0, -3, 1.9])
        XCTAssertEqual(safety.interventions.effortClamps, 3)
        XCTAssertEqual(safety.interventions.total, 3)
    }

    func testAtAPositionLimitOnlyTorquePushingOutwardIsCut() {
        var safety = SafetyGuard(robot: robot)
        let high = robot.joints[2].position!.high
        let low = robot.joints[3].position!.low
        var q = [Double](repeating: 0, count: 6)
        q[2] = high
        q[3] = low - 0.1
        var outward = [0, 0, 5.0, -2.0, 0, 0]
        safety.apply(torques: &outward, state: state(q: q))
        XCTAssertEqual(outward, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(safety.interventions.positionCuts, 2)
        var inward = [0, 0, -5.0, 2.0, 0, 0]
        safety.apply(torques: &inward, state: state(q: q))
        XCTAssertEqual(inward, [0, 0, -5, 2, 0, 0], "torque back into the range passes")
        XCTAssertEqual(safety.interventions.positionCuts, 2)
    }

    func testContinuousJointsHaveNoPositionCut() {
        var safety = SafetyGuard(robot: robot)
        var q = [Double](repeating: 0, count: 6)
        q[5] = 100
        var torques = [0, 0, 0, 0, 0, 1.0]
        safety.apply(torques: &torques, state: state(q: q))
        XCTAssertEqual(torques[5], 1)
        XCTAssertEqual(safety.interventions.total, 0)
    }

    func testPastTheVelocityLimitOnlyAcceleratingTorqueIsCut() {
        var safety = SafetyGuard(robot: robot)
        var qd = [Double](repeating: 0, count: 6)
        qd[0] = 4.5
        qd[1] = -4.5
        var accelerating = [1.0, -1.0, 0, 0, 0, 0]
        safety.apply(torques: &accelerating, state: state(qd: qd))
        XCTAssertEqual(accelerating, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(safety.interventions.velocityCuts, 2)
        var braking = [-1.0, 1.0, 0, 0, 0, 0]
        safety.apply(torques: &braking, state: state(qd: qd))
        XCTAssertEqual(braking, [-1, 1, 0, 0, 0, 0])
        var slow = [1.0, -1.0, 0, 0, 0, 0]
        safety.apply(torques: &slow, state: state(qd: [3.9, -3.9, 0, 0, 0, 0]))
        XCTAssertEqual(slow, [1, -1, 0, 0, 0, 0], "below the limit nothing is cut")
        XCTAssertEqual(safety.interventions.velocityCuts, 2)
    }

    func testANonFiniteTorqueZeroesEveryJoint() {
        var safety = SafetyGuard(robot: robot)
        for bad in [Double.nan, .infinity] {
            var torques = [1, 2, 3, bad, 1, 1]
            safety.apply(torques: &torques, state: state())
            XCTAssertEqual(torques, [0, 0, 0, 0, 0, 0])
        }
        XCTAssertEqual(safety.interventions.nonFiniteRejections, 2)
        XCTAssertEqual(safety.interventions.total, 2)
    }

    func testACommandOfTheWrongSizeIsZeroedAndCountedApartFromNonFiniteOnes() {
        var safety = SafetyGuard(robot: robot)
        var short = [1.0, 2, 3]
        safety.apply(torques: &short, state: state())
        XCTAssertEqual(short, [0, 0, 0])
        var torques = [1.0, 1, 1, 1, 1, 1]
        // A state for another arm is not read past its end either.
        safety.apply(torques: &torques, state: JointState(jointCount: 2))
        XCTAssertEqual(torques, [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(safety.interventions.wrongSizeRejections, 2)
        XCTAssertEqual(safety.interventions.nonFiniteRejections, 0)
        XCTAssertEqual(safety.interventions.total, 2)
    }

    func testInterventionsAreCountedByKindAndCanBeReset() {
        var safety = SafetyGuard(robot: robot)
        var q = [Double](repeating: 0, count: 6)
        q[0] = 3.0
        var qd = [Double](repeating: 0, count: 6)
        qd[1] = 10
        var torques = [5, 5, 50, 0, 0, 0.0]
        safety.apply(torques: &torques, state: state(q: q, qd: qd))
        XCTAssertEqual(safety.interventions.positionCuts, 1)
        XCTAssertEqual(safety.interventions.velocityCuts, 1)
        XCTAssertEqual(safety.interventions.effortClamps, 1)
        safety.resetCounts()
        XCTAssertEqual(safety.interventions, SafetyGuard.Interventions())
    }
}
