import Foundation
import RobotModel
import TestSupport
import XCTest

/// The `reality_gap` and `move` sections: read as documented, every problem with its file, line and field.
final class RealityGapAndMoveSectionTests: XCTestCase {
    let twoJoints = """
        name: test-arm
        control: {rate_hz: 50}
        joints:
          - {name: j0, torque: {low: -2, high: 2}}
          - {name: j1, torque: {low: -2, high: 2}, position: {low: -1, high: 1}}
        links:
          - {name: l0, length: 0.1, inertial: {mass: 0.5, com: 0.05, inertia: 0.001}}
          - {name: l1, length: 0.1, inertial: {mass: 0.5, com: 0.05, inertia: 0.001}}

        """

    func parse(_ extra: String) throws(DescriptionError) -> RobotDescription {
        try RobotDescription.parse(data: Data((twoJoints + extra).utf8), file: "test.yaml")
    }

    func problems(_ extra: String) -> [DescriptionProblem] {
        do {
            _ = try parse(extra)
            XCTFail("expected problems in:\n\(extra)")
            return []
        } catch {
            return error.problems
        }
    }

    func testNoSectionsMeanTheExactModelAndDefaultMoves() throws {
        let robot = try parse("")
        XCTAssertTrue(robot.realityGap.isZero)
        XCTAssertEqual(robot.move, MoveSettings())
    }

    func testPerJointFieldsTakeOneNumberForAllOrOnePerJoint() throws {
        let robot = try parse("""
            reality_gap:
              latency: 0.03
              coulomb_friction: 0.2
              torque_gain: [0.8, 1.1]
              encoder_resolution: 4096
              differenced_velocity: true
            move: {velocity: 2, integral_time: 0, stiffness: [10, 20]}
            """)
        XCTAssertEqual(robot.realityGap.latency, 0.03)
        XCTAssertEqual(robot.realityGap.coulombFriction, [0.2, 0.2])
        XCTAssertEqual(robot.realityGap.torqueGain, [0.8, 1.1])
        XCTAssertEqual(robot.realityGap.encoderResolution, [4096, 4096])
        XCTAssertTrue(robot.realityGap.differencedVelocity)
        XCTAssertEqual(robot.realityGap.deadband, [0, 0], "absent fields stay exact")
        XCTAssertEqual(robot.move.velocity, 2)
        XCTAssertEqual(robot.move.integralTime, 0)
        XCTAssertEqual(robot.move.stiffness, [10, 20])
        XCTAssertNil(robot.move.damping)
    }

    func testResolutionsTakeOneNumberForAllOrOnePerJointAndDefaultToExact() throws {
        let exact = try parse("reality_gap: {encoder_resolution: 4096}").realityGap
        XCTAssertEqual(exact.velocityResolution, [0, 0], "absent: exact")
        XCTAssertEqual(exact.torqueResolution, [0, 0])
        let robot = try parse("""
            reality_gap:
              velocity_resolution: 0.023980823922402087
              torque_resolution: [0.0047882, 0]
            """)
        // Read to the last bit: the simulator must round on the very grid the servos use.
        XCTAssertEqual(robot.realityGap.velocityResolution, [0.229 * 2 * Double.pi / 60, 0.229 * 2 * Double.pi / 60])
        XCTAssertEqual(robot.realityGap.torqueResolution, [1.78 * 2.69e-3, 0])
        XCTAssertFalse(robot.realityGap.isZero)
        XCTAssertFalse(robot.realityGap.isNoisy, "a resolution is not noise")
    }

    func testAWrongResolutionIsReportedWithItsLineAndField() {
        let found = problems("""
            reality_gap:
              velocity_resolution: -0.01
              torque_resolution: [0.1, 0.2, 0.3]
            """)
        let velocity = found.first { $0.field == "reality_gap.velocity_resolution" }
        XCTAssertEqual(velocity?.kind, .negative(-0.01))
        XCTAssertEqual(velocity?.line, 10)
        let torque = found.first { $0.field == "reality_gap.torque_resolution" }
        XCTAssertEqual(torque?.line, 11)
        XCTAssertTrue(torque?.description.contains("one value per joint: 2, not 3") ?? false, torque?.description ?? "")
        let more = problems("""
            reality_gap:
              velocity_resolution: [0.01, 1001]
              torque_resolution: [0.1, .nan]
            """)
        let tooCoarse = more.first { $0.field == "reality_gap.velocity_resolution[1]" }
        XCTAssertEqual(tooCoarse?.line, 10)
        XCTAssertTrue(tooCoarse?.description.contains("allowed from 0 to 1000 rad/s") ?? false, tooCoarse?.description ?? "")
        let notANumber = more.first { $0.field == "reality_gap.torque_resolution[1]" }
        XCTAssertEqual(notANumber?.kind, .notFinite(".nan"))
        XCTAssertEqual(notANumber?.line, 11)
        XCTAssertEqual(
            problems("reality_gap: {torque_resolution: 2e6}").first { $0.field == "reality_gap.torque_resolution" }?.kind,
            .outOfRange(2e6, bound: "allowed from 0 to 1000000 N·m"))
    }

    func testEveryWrongValueIsReportedWithItsLineAndField() {
        let found = problems("""
            reality_gap:
              latency: -1
              coulomb_friction: [0.1, 0.2, 0.3]
              torque_gain: 0
              encoder_resolution: 10.5
              differenced_velocity: sometimes
              backlash: 0.1
            move: {velocity: 0, stiffness: [1, -2], timeout: .nan}
            """)
        let fields = Set(found.map(\.field))
        for field in [
            "reality_gap.latency", "reality_gap.coulomb_friction", "reality_gap.torque_gain", "reality_gap.encoder_resolution",
            "reality_gap.differenced_velocity", "reality_gap.backlash", "move.velocity", "move.stiffness[1]", "move.timeout",
        ] {
            XCTAssertTrue(fields.contains(field), "\(field) not among \(fields)")
        }
        let latency = found.first { $0.field == "reality_gap.latency" }
        XCTAssertEqual(latency?.line, 10)
        XCTAssertTrue(latency?.description.hasPrefix("test.yaml:10:") ?? false, latency?.description ?? "")
    }
}
