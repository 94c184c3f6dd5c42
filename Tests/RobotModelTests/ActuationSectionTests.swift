import Foundation
import RobotModel
import XCTest

/// The `actuation` section: read as documented, every wrong value reported with its file, line and field.
final class ActuationSectionTests: XCTestCase {
    /// Eight lines; a section appended starts on line 9.
    let twoJoints = """
        name: test-arm
        control: {rate_hz: 50}
        joints:
          - {name: j0, torque: {low: -2, high: 2}}
          - {name: j1, torque: {low: -2, high: 2}}
        links:
          - {name: l0, length: 0.1, inertial: {mass: 0.5, com: 0.05, inertia: 0.001}}
          - {name: l1, length: 0.1, inertial: {mass: 0.5, com: 0.05, inertia: 0.001}}

        """

    func parse(_ section: String) throws(DescriptionError) -> RobotDescription {
        try RobotDescription.parse(data: Data((twoJoints + section).utf8), file: "test.yaml")
    }

    /// The one problem `section` has.
    func problem(_ section: String, file: StaticString = #filePath, line: UInt = #line) -> DescriptionProblem? {
        do {
            _ = try parse(section)
            XCTFail("expected a problem in:\n\(section)", file: file, line: line)
        } catch {
            XCTAssertEqual(error.problems.count, 1, "\(error.problems)", file: file, line: line)
            return error.problems.first
        }
        return nil
    }

    func testNoSectionFiltersNothing() throws {
        let robot = try parse("")
        XCTAssertTrue(robot.actuation.isZero)
        XCTAssertEqual(robot.actuation, ActuationSettings(jointCount: 2))
    }

    func testTheRateLimitTakesOneNumberForAllJointsOrOnePerJoint() throws {
        let all = try parse("actuation: {action_time_constant: 0.04, torque_rate_limit: 50}")
        XCTAssertEqual(all.actuation, ActuationSettings(actionTimeConstant: 0.04, torqueRateLimit: [50, 50]))
        XCTAssertFalse(all.actuation.isZero)
        let each = try parse("""
            actuation:
              torque_rate_limit: [40, 0]
            """)
        XCTAssertEqual(each.actuation, ActuationSettings(actionTimeConstant: 0, torqueRateLimit: [40, 0]))
    }

    func testTheFingerprintChangesWithTheFiltersAndStaysWithoutThem() throws {
        let plain = try parse("").fingerprint
        XCTAssertEqual(try parse("actuation: {action_time_constant: 0, torque_rate_limit: 0}").fingerprint, plain)
        let smoothed = try parse("actuation: {action_time_constant: 0.04}").fingerprint
        let limited = try parse("actuation: {torque_rate_limit: [40, 0]}").fingerprint
        XCTAssertEqual(Set([plain, smoothed, limited]).count, 3)
    }

    func testEachWrongValueIsReportedWithItsLineAndField() {
        let cases: [(section: String, field: String, line: Int)] = [
            ("actuation:\n  action_time_constant: -0.1", "actuation.action_time_constant", 10),
            ("actuation:\n  action_time_constant: 11", "actuation.action_time_constant", 10),
            ("actuation:\n  action_time_constant: .nan", "actuation.action_time_constant", 10),
            ("actuation:\n  action_time_constant: fast", "actuation.action_time_constant", 10),
            ("actuation:\n  torque_rate_limit: -5", "actuation.torque_rate_limit", 10),
            ("actuation:\n  torque_rate_limit: 1e11", "actuation.torque_rate_limit", 10),
            ("actuation:\n  torque_rate_limit: [10, 20, 30]", "actuation.torque_rate_limit", 10),
            ("actuation:\n  torque_rate_limit:\n    - 10\n    - -20", "actuation.torque_rate_limit[1]", 12),
            ("actuation:\n  torque_rate_limit: [10, .inf]", "actuation.torque_rate_limit[1]", 10),
            ("actuation:\n  action_time_constnt: 0.1", "actuation.action_time_constnt", 10),
            ("actuation: 0.1", "actuation", 9),
        ]
        for (section, field, line) in cases {
            guard let found = problem(section) else { continue }
            XCTAssertEqual(found.field, field, section)
            XCTAssertEqual(found.line, line, section)
            XCTAssertTrue(found.description.hasPrefix("test.yaml:\(line):"), found.description)
        }
        let misspelt = problem("actuation:\n  action_time_constnt: 0.1")
        XCTAssertEqual(misspelt?.kind, .unknownKey("action_time_constnt", suggestion: "action_time_constant"))
        let range = problem("actuation:\n  action_time_constant: 11")
        XCTAssertTrue(range?.description.contains("allowed from 0 to 10 s") ?? false, range?.description ?? "")
    }
}
