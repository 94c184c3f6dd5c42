import Foundation
import RobotModel
import TestSupport
import XCTest

/// The `bus: {type: dynamixel}` section: read, checked field by field with the line and field path,
/// and its offsets rewritten in place by calibration.
final class DynamixelBusDescriptionTests: XCTestCase {
    private let arm = """
        name: test-arm
        control: {rate_hz: 100}
        bus:
          type: dynamixel
          port: /dev/ttyUSB0
          servos:
            - {id: 1, model: XM430-W350, torque_constant: 1.78}
        joints:
          - name: j0
            torque: {low: -1, high: 1}
        links:
          - name: l0
            length: 0.1
            inertial: {mass: 0.1, com: 0.05, inertia: 0.0001}
        """

    private func problems(_ text: String) -> [DescriptionProblem] {
        do {
            _ = try RobotDescription.parse(data: Data(text.utf8), file: "test.yaml")
            XCTFail("expected problems in:\n\(text)")
            return []
        } catch {
            return error.problems
        }
    }

    private func replacing(_ old: String, _ new: String) -> String {
        XCTAssertTrue(arm.contains(old), old)
        return arm.replacingOccurrences(of: old, with: new)
    }

    func testTheShippedXM430ArmHasItsBus() throws {
        let robot = try RepositoryFiles.robot("xm430-two-joint")
        let bus = try XCTUnwrap(robot.bus)
        XCTAssertEqual(bus.baud, 1_000_000)
        XCTAssertEqual(bus.watchdog, 0.1, accuracy: 1e-12)
        XCTAssertEqual(bus.returnDelay, 0)
        XCTAssertEqual(bus.servos.map(\.id), [1, 2])
        XCTAssertEqual(bus.servos.map(\.model), [.xm430W350, .xm430W350])
        XCTAssertEqual(bus.servos.map(\.offset), [2048, 2048])
        XCTAssertNil(robot.serial)
    }

    func testDefaultsFillWhatTheSectionLeavesOut() throws {
        let bus = try XCTUnwrap(try RobotDescription.parse(data: Data(arm.utf8), file: "test.yaml").bus)
        XCTAssertEqual(bus, DynamixelBusSettings(port: "/dev/ttyUSB0", servos: [.init(id: 1, model: .xm430W350, torqueConstant: 1.78)]))
        XCTAssertEqual(bus.lostReplies, 2)
        XCTAssertEqual(bus.timeout, 0.02)
    }

    func testAnUnknownModelSuggestsTheClosestWithItsLine() {
        let found = problems(replacing("model: XM430-W350", "model: XM430-W305"))
        XCTAssertEqual(found.map(\.field), ["bus.servos[0].model"])
        XCTAssertEqual(found.first?.line, 7)
        XCTAssertTrue(found.first?.description.contains("did you mean 'XM430-W350'") ?? false, found.first?.description ?? "")
    }

    func testEachServoFieldIsChecked() {
        XCTAssertEqual(problems(replacing("id: 1,", "id: 253,")).map(\.field), ["bus.servos[0].id"])
        XCTAssertEqual(problems(replacing("torque_constant: 1.78", "torque_constant: -1")).map(\.field), ["bus.servos[0].torque_constant"])
        XCTAssertEqual(problems(replacing("torque_constant: 1.78", "torque_constant: 1.78, direction: 2")).map(\.field), ["bus.servos[0].direction"])
        XCTAssertEqual(problems(replacing("torque_constant: 1.78", "torque_constant: 1.78, offset: 2.5")).map(\.field), ["bus.servos[0].offset"])
        XCTAssertEqual(problems(replacing("torque_constant: 1.78", "torque_constant: 1.78, gear: 3")).map(\.kind), [.unknownKey("gear", suggestion: nil)])
    }

    func testOneServoPerJointWithDistinctIds() {
        let two = replacing("    - {id: 1, model: XM430-W350, torque_constant: 1.78}", "    - {id: 1, model: XM430-W350, torque_constant: 1.78}\n    - {id: 1, model: XM430-W350, torque_constant: 1.78}")
        let count = problems(two)
        XCTAssertEqual(count.map(\.field), ["bus.servos"])
        XCTAssertTrue(count[0].description.contains("2 servos for 1 joints"), count[0].description)
        let twoJoints = two.replacingOccurrences(of: "joints:\n  - name: j0\n    torque: {low: -1, high: 1}", with: "joints:\n  - name: j0\n    torque: {low: -1, high: 1}\n  - name: j1\n    torque: {low: -1, high: 1}")
            .replacingOccurrences(of: "links:\n  - name: l0\n    length: 0.1\n    inertial: {mass: 0.1, com: 0.05, inertia: 0.0001}", with: "links:\n  - name: l0\n    length: 0.1\n    inertial: {mass: 0.1, com: 0.05, inertia: 0.0001}\n  - name: l1\n    length: 0.1\n    inertial: {mass: 0.1, com: 0.05, inertia: 0.0001}")
        let duplicate = problems(twoJoints)
        XCTAssertEqual(duplicate.map(\.field), ["bus.servos[1].id"])
        XCTAssertTrue(duplicate[0].description.contains("id 1 is also servos[0]'s"), duplicate[0].description)
    }

    func testTheWatchdogIsWholeUnitsOfTwentyMillisecondsAndOutlastsTheLostReplies() {
        XCTAssertEqual(problems(replacing("port: /dev/ttyUSB0", "port: /dev/ttyUSB0\n  watchdog_ms: 50")).map(\.field), ["bus.watchdog_ms"])
        XCTAssertEqual(problems(replacing("port: /dev/ttyUSB0", "port: /dev/ttyUSB0\n  watchdog_ms: 3000")).map(\.field), ["bus.watchdog_ms"])
        let short = problems(replacing("port: /dev/ttyUSB0", "port: /dev/ttyUSB0\n  watchdog_ms: 40\n  timeout: 0.02"))
        XCTAssertEqual(short.map(\.field), ["bus.watchdog_ms"])
        XCTAssertTrue(short[0].description.contains("must outlast lost_replies × timeout"), short[0].description)
        XCTAssertEqual(problems(replacing("port: /dev/ttyUSB0", "port: /dev/ttyUSB0\n  return_delay_us: 3")).map(\.field), ["bus.return_delay_us"])
    }

    func testTheBusTypeIsRequiredAndNamed() {
        XCTAssertEqual(problems(replacing("  type: dynamixel\n", "")).map(\.field), ["bus.type"])
        let feetech = problems(replacing("type: dynamixel", "type: feetech"))
        XCTAssertEqual(feetech.map(\.kind), [.badChoice("feetech", choices: ["dynamixel"], suggestion: nil)])
    }

    /// Calibration rewrites only the offsets: replaced where present, added where absent, in flow
    /// and block style, comments untouched.
    func testOffsetsAreWrittenIntoTheTextAndNothingElseChanges() throws {
        let text = """
            # my arm
            name: test-arm
            control: {rate_hz: 100}
            bus:
              type: dynamixel   # U2D2
              port: /dev/ttyUSB0
              servos:
                - {id: 1, model: XM430-W350, torque_constant: 1.78, offset: 12}   # shoulder
                - {id: 2, model: XM430-W350, torque_constant: 1.78}
                - id: 3
                  model: XL330-M288
                  torque_constant: 0.35
            joints:
              - {name: j0, torque: {low: -1, high: 1}}
              - {name: j1, torque: {low: -1, high: 1}}
              - {name: j2, torque: {low: -0.3, high: 0.3}}
            links:
              - {name: l0, length: 0.1, inertial: {mass: 0.1, com: 0.05, inertia: 0.0001}}
              - {name: l1, length: 0.1, inertial: {mass: 0.1, com: 0.05, inertia: 0.0001}}
              - {name: l2, length: 0.1, inertial: {mass: 0.1, com: 0.05, inertia: 0.0001}}
            """
        let edited = try ServoOffsetEditor.setting(offsets: [-4000, 2047, 100_000], in: text, file: "test.yaml")
        let robot = try RobotDescription.parse(data: Data(edited.utf8), file: "test.yaml")
        XCTAssertEqual(robot.bus?.servos.map(\.offset), [-4000, 2047, 100_000])
        let expected = text
            .replacingOccurrences(of: "offset: 12}", with: "offset: -4000}")
            .replacingOccurrences(of: "torque_constant: 1.78}", with: "torque_constant: 1.78, offset: 2047}")
            .replacingOccurrences(of: "    - id: 3\n", with: "    - id: 3\n      offset: 100000\n")
        XCTAssertEqual(edited, expected)
    }
}
