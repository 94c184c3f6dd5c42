import ArmDynamics
import Foundation
import RobotModel
import TestSupport
import XCTest

/// The simulator against MuJoCo 4.0 running Gymnasium Reacher-v5 (reference/mujoco/, made by
/// make_reacher_reference.py): same actions, same start, joint angles compared after every step.
final class MuJoCoFidelityTests: XCTestCase {
    struct Case {
        let name: String
        let initialQ: [Double]
    }

    let cases = [
        Case(name: "random_uniform_seed1", initialQ: [0.3, -0.5]),
        Case(name: "random_uniform_seed2", initialQ: [-1.0, 1.2]),
        Case(name: "random_uniform_nolimit", initialQ: [0.3, -0.5]),
        Case(name: "small_actions_seed3", initialQ: [0, 0]),
        Case(name: "elbow_limit", initialQ: [0, 2.5]),
    ]

    func testJointAnglesTrackMuJoCoReacherWithinAHundredthOfARadian() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let map = ActuatorMap(robot: robot)
        for testCase in cases {
            let actions = try RepositoryFiles.csv("reference/mujoco/\(testCase.name).actions.csv")
            let reference = try RepositoryFiles.csv("reference/mujoco/\(testCase.name).trajectory.csv")
            let simulator = ArmSimulator(robot: robot)
            simulator.reset(q: testCase.initialQ, qd: [0, 0])
            var torques = [0.0, 0.0]
            var worstAngle = 0.0
            var worstVelocity = 0.0
            XCTAssertEqual(actions["a0"]!.count, 100)
            for step in 0..<actions["a0"]!.count {
                try map.torques(actions: [actions["a0"]![step], actions["a1"]![step]], into: &torques)
                simulator.advance(torques: torques, steps: 2)
                for j in 0..<2 {
                    worstAngle = max(worstAngle, abs(simulator.q[j] - reference["q\(j)"]![step]))
                    worstVelocity = max(worstVelocity, abs(simulator.qd[j] - reference["qd\(j)"]![step]))
                }
            }
            // The acceptance bound is 0.01 rad; the implementation agrees to ~1e-6 even through
            // elbow-limit contact, so a much tighter bound catches regressions early.
            XCTAssertLessThan(worstAngle, 1e-4, "\(testCase.name): joint angle off by \(worstAngle) rad")
            XCTAssertLessThan(worstVelocity, 1e-3, "\(testCase.name): joint velocity off by \(worstVelocity) rad/s")
        }
    }

    func testTheElbowLimitCaseReallyEntersTheLimit() throws {
        let reference = try RepositoryFiles.csv("reference/mujoco/elbow_limit.trajectory.csv")
        XCTAssertGreaterThan(reference["q1"]!.max()!, 3.0, "the reference must exercise the soft limit")
    }

    func testMassMatrixMatchesMuJoCoAtTheZeroPose() throws {
        let arm = PlanarArm(try RepositoryFiles.robot("reacher"))
        let m = arm.massMatrix(q: [0, 0])
        // MuJoCo's qM at qpos0 (reference/mujoco/reacher_model.json).
        XCTAssertEqual(m[0], 1.0011533624, accuracy: 1e-9)
        XCTAssertEqual(m[1], 4.03140e-4, accuracy: 1e-8)
        XCTAssertEqual(m[3], 1.000179039, accuracy: 1e-9)
    }
}
