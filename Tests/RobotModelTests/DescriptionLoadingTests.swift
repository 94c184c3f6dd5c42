import Foundation
import RobotModel
import TestSupport
import XCTest

final class DescriptionLoadingTests: XCTestCase {
    func testReacherMassesAndInertiasAreTheOnesMuJoCoDerives() throws {
        let robot = try RobotDescription.load(path: RepositoryFiles.path("robots/reacher.yaml"))
        // From reference/mujoco/reacher_model.json (model.body_mass, body_inertia, composites).
        let upper = robot.links[0].inertial
        XCTAssertEqual(upper.mass, 0.03560471674068432, accuracy: 1e-15)
        XCTAssertEqual(upper.com, 0.05, accuracy: 1e-15)
        XCTAssertEqual(upper.inertia, 3.917566039026e-5, accuracy: 1e-15)
        let fore = robot.links[1].inertial
        XCTAssertEqual(fore.mass, 0.039793506945470715, accuracy: 1e-15)
        XCTAssertEqual(fore.com, 0.05631578947368421, accuracy: 1e-15)
        XCTAssertEqual(fore.inertiaAboutJoint, 1.7903936532808e-4, accuracy: 1e-15)
        XCTAssertEqual(robot.joints.map(\.armature), [1, 1])
        XCTAssertEqual(robot.joints.map(\.damping), [1, 1])
        XCTAssertNil(robot.joints[0].position)
        XCTAssertEqual(robot.joints[1].position, Limits(low: -3, high: 3))
        XCTAssertEqual(robot.joints[0].torque, Limits(low: -200, high: 200))
        XCTAssertEqual(robot.physics.timestep, 0.01)
        XCTAssertEqual(robot.control.period, 0.02, accuracy: 1e-15)
        XCTAssertEqual(robot.plane, .horizontal)
        XCTAssertEqual(robot.links.map(\.length), [0.1, 0.11])
    }

    func testTwoJointArmIsAVerticalServoArmWithAnAsymmetricElbow() throws {
        let robot = try RobotDescription.load(path: RepositoryFiles.path("robots/two-joint-arm.yaml"))
        XCTAssertEqual(robot.plane, .vertical)
        XCTAssertEqual(robot.gravity, 9.81)
        XCTAssertEqual(robot.control.rateHz, 100)
        XCTAssertEqual(robot.joints[0].torque, Limits(low: -1.5, high: 1.5))
        XCTAssertEqual(robot.joints[1].torque, Limits(low: -0.8, high: 0.8))
        let elbow = try XCTUnwrap(robot.joints[1].position)
        XCTAssertNotEqual(elbow.low, -elbow.high, "the elbow range should be asymmetric")
        XCTAssertEqual(elbow.low, -150 * Double.pi / 180, accuracy: 1e-12, "position_deg converts to rad")
        XCTAssertEqual(robot.serial?.baud, 1_000_000)
        XCTAssertEqual(robot.serial?.lostReplies, 2, "one lost reply is ridden through, two in a row stop a run")
    }

    func testTheSerialLostReplyLimitIsReadAsAWholeNumber() {
        let text = minimal.replacingOccurrences(of: "name: test-arm", with: "name: test-arm\nserial: {port: /dev/ttyACM0, lost_replies: 5}")
        XCTAssertEqual(try RobotDescription.parse(data: Data(text.utf8), file: "test.yaml").serial?.lostReplies, 5)
        let fraction = problemsFor(minimal.replacingOccurrences(of: "name: test-arm", with: "name: test-arm\nserial: {port: /dev/ttyACM0, lost_replies: 1.5}"))
        XCTAssertEqual(fraction.map(\.field), ["serial.lost_replies"])
    }

    func testTheConnectTimeoutDefaultsToThreeSecondsAndIsBounded() throws {
        func serial(_ fields: String) -> String {
            minimal.replacingOccurrences(of: "name: test-arm", with: "name: test-arm\nserial: {port: /dev/ttyACM0\(fields)}")
        }
        XCTAssertEqual(try RobotDescription.parse(data: Data(serial("").utf8), file: "test.yaml").serial?.connectTimeout, 3)
        XCTAssertEqual(
            try RobotDescription.parse(data: Data(serial(", connect_timeout: 8").utf8), file: "test.yaml").serial?.connectTimeout, 8)
        for bad in ["0", "-1", "3600", "soon"] {
            let problems = problemsFor(serial(", connect_timeout: \(bad)"))
            XCTAssertEqual(problems.map(\.field), ["serial.connect_timeout"], bad)
            XCTAssertEqual(problems.first?.line, 2, bad)
        }
    }

    func testDescriptionsWithMoreThanTwoJointsLoad() throws {
        let robot = try RobotDescription.load(path: RepositoryFiles.path("robots/six-joint-planar.yaml"))
        XCTAssertEqual(robot.jointCount, 6)
        XCTAssertEqual(robot.links.count, 6)
        XCTAssertEqual(robot.joints[4].velocityLimit!, 400 * Double.pi / 180, accuracy: 1e-12)
        XCTAssertNil(robot.joints[5].position)
        XCTAssertEqual(robot.links[0].inertial.mass, 0.30 * 0.06 * 0.06 * 2700, accuracy: 1e-12)
    }

    func testUnknownKeySuggestsTheClosestFieldWithItsLine() {
        let problems = problemsFor(minimal.replacingOccurrences(of: "    damping: 1", with: "    dampng: 1"))
        XCTAssertEqual(problems.count, 1)
        XCTAssertEqual(problems[0].kind, .unknownKey("dampng", suggestion: "damping"))
        XCTAssertEqual(problems[0].field, "joints[0].dampng")
        XCTAssertEqual(problems[0].line, 9)
        XCTAssertTrue(problems[0].description.hasPrefix("test.yaml:9:"), problems[0].description)
        XCTAssertTrue(problems[0].description.contains("did you mean 'damping'"))
    }

    func testMissingRequiredFieldNamesTheFieldAndTheMappingLine() {
        let problems = problemsFor(minimal.replacingOccurrences(of: "    length: 0.1\n", with: ""))
        XCTAssertEqual(problems.map(\.kind), [.missing("length")])
        XCTAssertEqual(problems[0].field, "links[0].length")
        XCTAssertEqual(problems[0].line, 11, "the line where the link's mapping starts")
    }

    func testLowNotBelowHighIsAnError() {
        let problems = problemsFor(minimal.replacingOccurrences(of: "{low: -2, high: 2}", with: "{low: 2, high: 2}"))
        XCTAssertEqual(problems.map(\.kind), [.emptyRange(low: 2, high: 2)])
        XCTAssertEqual(problems[0].field, "joints[0].torque")
        XCTAssertEqual(problems[0].line, 8)
    }

    func testNonFiniteNumbersAreErrors() {
        for spelling in [".inf", "-.inf", ".nan", ".NaN", "nan", "1e400"] {
            let problems = problemsFor(minimal.replacingOccurrences(of: "mass: 0.5", with: "mass: \(spelling)"))
            XCTAssertEqual(problems.count, 1, spelling)
            XCTAssertEqual(problems.first?.field, "links[0].inertial.mass", spelling)
            if case .notFinite = problems.first?.kind {} else { XCTFail("\(spelling): \(problems)") }
        }
    }

    func testZeroOrNegativeMassLengthAndInertiaAreErrors() {
        for (text, field) in [
            ("mass: 0.5", "links[0].inertial.mass"), ("inertia: 0.001", "links[0].inertial.inertia"),
            ("length: 0.1", "links[0].length"),
        ] {
            let key = text.split(separator: ":")[0]
            for bad in ["0", "-1"] {
                let problems = problemsFor(minimal.replacingOccurrences(of: text, with: "\(key): \(bad)"))
                XCTAssertEqual(problems.map(\.field), [field], "\(key) = \(bad)")
                XCTAssertEqual(problems.first?.kind, .notPositive(Double(bad)!))
            }
        }
        let negativeDamping = problemsFor(minimal.replacingOccurrences(of: "damping: 1", with: "damping: -1"))
        XCTAssertEqual(negativeDamping.map(\.kind), [.negative(-1)])
    }

    /// Finite but absurd numbers (a missing minus sign in an exponent) are out of range, with the
    /// bound and unit in the message: a 1e-300 Hz rate crashed `describe`, a 1e11 s serial timeout
    /// crashed `run --port`, and ±1e308 N·m made the simulation produce NaN.
    func testNumbersPastPhysicalBoundsAreErrorsNamingTheBound() {
        let cases: [(String, String, String, String)] = [
            ("rate_hz: 50", "rate_hz: 1e-300", "control.rate_hz", "allowed from 0.01 to 100000 Hz"),
            ("torque: {low: -2, high: 2}", "torque: {low: -1e308, high: 1e308}", "joints[0].torque.low", "N·m"),
            ("velocity_limit: 5", "velocity_limit: 1e12", "joints[0].velocity_limit", "rad/s"),
            ("damping: 1", "damping: 1e300", "joints[0].damping", "N·m·s/rad"),
            ("position: {low: -1, high: 1}", "position: {low: -1e9, high: 1}", "joints[0].position.low", "rad"),
            ("length: 0.1", "length: 1e-9", "links[0].length", "allowed from 0.0001 to 100 m"),
            ("mass: 0.5", "mass: 1e300", "links[0].inertial.mass", "kg"),
            ("inertia: 0.001", "inertia: 1e-300", "links[0].inertial.inertia", "kg·m²"),
            ("name: test-arm", "name: test-arm\nserial: {port: /dev/ttyACM0, timeout: 1e11}", "serial.timeout", "allowed from 0.0001 to 60 s"),
            ("name: test-arm", "name: test-arm\ngravity: 1e300", "gravity", "m/s²"),
            ("name: test-arm", "name: test-arm\nserial: {port: /dev/ttyACM0, lost_replies: 0}", "serial.lost_replies", "allowed from 1 to 10 in a row"),
            ("name: test-arm", "name: test-arm\nserial: {port: /dev/ttyACM0, lost_replies: 1000}", "serial.lost_replies", "allowed from 1 to 10"),
        ]
        for (original, replacement, field, bound) in cases {
            XCTAssertTrue(minimal.contains(original), original)
            let problems = problemsFor(minimal.replacingOccurrences(of: original, with: replacement))
            XCTAssertEqual(problems.map(\.field), [field], replacement)
            guard case .outOfRange? = problems.first?.kind else { return XCTFail("\(replacement): \(problems)") }
            XCTAssertTrue(problems[0].description.contains(bound), problems[0].description)
            XCTAssertNotNil(problems[0].line, "the problem points at its line")
        }
        // A timestep so small that one control period needs more than 100 000 physics steps.
        let fine = problemsFor(minimal.replacingOccurrences(of: "control: {rate_hz: 50}", with: "control: {rate_hz: 0.01}\nphysics: {timestep: 0.000001}"))
        XCTAssertEqual(fine.map(\.field), ["physics.timestep"])
    }

    func testAnArmWithNoJointsIsAnError() {
        let text = """
            name: empty
            control: {rate_hz: 50}
            joints: []
            links: []
            """
        XCTAssertEqual(problemsFor(text).map(\.kind), [.noJoints])
    }

    func testJointAndLinkCountsMustAgree() {
        let text = minimal + """

              - name: extra
                length: 0.1
                inertial: {mass: 0.1, com: 0.05, inertia: 0.0001}
            """
        let problems = problemsFor(text)
        XCTAssertEqual(problems.map(\.kind), [.countMismatch(joints: 1, links: 2)])
        XCTAssertEqual(problems[0].field, "links")
    }

    func testEveryProblemIsReportedAtOnce() {
        let text = minimal
            .replacingOccurrences(of: "    damping: 1", with: "    dampng: 1")
            .replacingOccurrences(of: "mass: 0.5", with: "mass: -0.5")
            .replacingOccurrences(of: "rate_hz: 50", with: "rate_hz: fast")
        let problems = problemsFor(text)
        XCTAssertEqual(Set(problems.map(\.field)), ["joints[0].dampng", "links[0].inertial.mass", "control.rate_hz"])
    }

    func testWrongTypesAndBadChoicesAreExplained() {
        let problems = problemsFor(minimal.replacingOccurrences(of: "plane: horizontal", with: "plane: horizantal"))
        XCTAssertEqual(problems.map(\.kind), [.badChoice("horizantal", choices: ["horizontal", "vertical"], suggestion: "horizontal")])
        let list = problemsFor(minimal.replacingOccurrences(of: "torque: {low: -2, high: 2}", with: "torque: [-2, 2]"))
        XCTAssertEqual(list.first?.field, "joints[0].torque")
        if case .wrongType(let expected, _) = list.first?.kind { XCTAssertEqual(expected, "a mapping of fields") } else {
            XCTFail("\(list)")
        }
    }

    func testControlPeriodMustBeWholeTimesteps() {
        let text = minimal.replacingOccurrences(of: "control: {rate_hz: 50}", with: "control: {rate_hz: 50}\nphysics: {timestep: 0.003}")
        XCTAssertEqual(problemsFor(text).map(\.field), ["physics.timestep"])
    }

    func testSyntaxErrorsCarryTheirLine() {
        let problems = problemsFor("name: x\ncontrol: {rate_hz: 50\njoints: []\n")
        XCTAssertEqual(problems.count, 1)
        if case .syntax = problems[0].kind {} else { XCTFail("\(problems)") }
        XCTAssertNotNil(problems[0].line)
    }

    func testUnreadableFileNamesThePath() {
        XCTAssertThrowsError(try RobotDescription.load(path: "/nonexistent/robot.yaml")) { error in
            let text = String(describing: error)
            XCTAssertTrue(text.hasPrefix("/nonexistent/robot.yaml: cannot read"), text)
        }
    }

    // MARK: helpers

    /// A valid one-joint description; tests corrupt one thing at a time. Line numbers matter.
    let minimal = """
        name: test-arm
        plane: horizontal
        control: {rate_hz: 50}
        joints:
          - name: j0
            position: {low: -1, high: 1}
            velocity_limit: 5
            torque: {low: -2, high: 2}
            damping: 1
        links:
          - name: l0
            length: 0.1
            inertial: {mass: 0.5, com: 0.05, inertia: 0.001}
        """

    func problemsFor(_ text: String) -> [DescriptionProblem] {
        do {
            _ = try RobotDescription.parse(data: Data(text.utf8), file: "test.yaml")
            XCTFail("expected problems in:\n\(text)")
            return []
        } catch {
            return error.problems
        }
    }

    func testTheMinimalDescriptionIsValid() throws {
        let robot = try RobotDescription.parse(data: Data(minimal.utf8), file: "test.yaml")
        XCTAssertEqual(robot.jointCount, 1)
        XCTAssertEqual(robot.joints[0].damping, 1)
    }
}
