import Foundation
@testable import Hardware
import MonotonicTime
import RobotModel
import TestSupport
import XCTest

/// An arm that reports the state a test sets and records every torque it is sent, so the actuation
/// stage can be checked in closed form.
private final class ScriptedArm: ArmBackend {
    let jointCount: Int
    let controlPeriod: Double
    private(set) var isActive = false
    var canPlace: Bool { true }
    /// What every call reports.
    var reported: JointState
    /// Every torque command, in order.
    private(set) var sent: [[Double]] = []

    init(jointCount: Int, controlPeriod: Double) {
        self.jointCount = jointCount
        self.controlPeriod = controlPeriod
        reported = JointState(jointCount: jointCount)
    }

    func activate(state: inout JointState) throws {
        isActive = true
        state = reported
    }
    func step(torques: [Double], state: inout JointState) throws {
        guard isActive else { throw BackendError.inactive }
        sent.append(torques)
        state = reported
    }
    func read(state: inout JointState) throws { state = reported }
    func place(position: [Double], velocity: [Double], state: inout JointState) throws { state = reported }
    func move(to position: [Double], profile: MoveProfile, state: inout JointState, unless stop: StopRequest) throws -> MoveOutcome {
        state = reported
        return MoveOutcome(periods: 1, duration: controlPeriod, positionError: 0)
    }
    func deactivate() { isActive = false }
}

/// The description's `actuation` section in `ActuatedArm.command`: the action low-pass and the
/// torque-rate limit, checked against their closed forms, and the guard keeping the final word.
final class ActuationFilterTests: XCTestCase {
    /// 64 Hz: a period of 1/64 s, so that limit × period is exact in binary and a ramp lands on its
    /// target without rounding. Joint 1's range is off-centre and limited in position.
    func robot(_ actuation: String) throws -> RobotDescription {
        let yaml = """
            name: filter-arm
            control: {rate_hz: 64}
            joints:
              - {name: j0, torque: {low: -2, high: 2}}
              - {name: j1, torque: {low: -1, high: 3}, position: {low: -1, high: 1}}
            links:
              - {name: l0, length: 0.1, inertial: {mass: 0.5, com: 0.05, inertia: 0.001}}
              - {name: l1, length: 0.1, inertial: {mass: 0.5, com: 0.05, inertia: 0.001}}
            \(actuation)
            """
        return try RobotDescription.parse(data: Data(yaml.utf8), file: "filter-arm.yaml")
    }

    private func scriptedArm(_ actuation: String) throws -> (ActuatedArm, ScriptedArm) {
        let description = try robot(actuation)
        let backend = ScriptedArm(jointCount: 2, controlPeriod: description.control.period)
        let arm = ActuatedArm(robot: description, backend: backend)
        try arm.begin(.measured, position: [0, 0], velocity: [0, 0])
        return (arm, backend)
    }

    func testAnActionStepGoesOneMinusEToTheMinusPeriodOverTauOfTheWayInOnePeriodAndThenFollowsTheFormula() throws {
        let (arm, backend) = try scriptedArm("actuation: {action_time_constant: 0.05}")
        let period = 1.0 / 64
        let gain = 1 - exp(-period / 0.05)
        let map = ActuatorMap(robot: arm.robot)

        try arm.command([1, -1])
        XCTAssertEqual(arm.filter.action[0], gain, accuracy: 1e-15)
        XCTAssertEqual(arm.filter.action[1], -gain, accuracy: 1e-15)
        XCTAssertEqual(backend.sent[0][0], 2 * gain, accuracy: 1e-14, "torque = a_f · scale + midpoint")
        XCTAssertEqual(backend.sent[0][1], 1 - 2 * gain, accuracy: 1e-14)
        XCTAssertEqual(arm.lastCommandReport.smoothedCommands, 1)

        // A varying sequence, out-of-range actions included (the filter sees them clamped, as the map would).
        var filtered = [gain, -gain]
        let actions: [[Double]] = (0..<40).map { k in [sin(Double(k) / 3) * 1.4, k < 20 ? 0.5 : -2] }
        for (k, action) in actions.enumerated() {
            try arm.command(action)
            for i in 0..<2 {
                filtered[i] += (1 - exp(-period / 0.05)) * (min(1, max(-1, action[i])) - filtered[i])
                let expected = map.torque(action: filtered[i], joint: i)
                XCTAssertEqual(backend.sent[k + 1][i], expected, accuracy: 1e-12, "period \(k + 1), joint \(i)")
            }
        }
        XCTAssertEqual(arm.interventions.smoothedCommands, 41, "every command of a moving action was changed")
        XCTAssertEqual(arm.interventions.total, 0, "smoothing is not a guard intervention")
    }

    func testWithNoActuationSectionTheActionPathIsBitIdenticalToMapThenGuard() throws {
        let robot = try RepositoryFiles.robot("six-joint-planar")
        XCTAssertTrue(robot.actuation.isZero)
        let arm = ActuatedArm(robot: robot, backend: SimulatedArm(robot: robot))
        // Today's path by hand, on a second simulated arm.
        let reference = SimulatedArm(robot: robot)
        let map = ActuatorMap(robot: robot)
        var safety = SafetyGuard(robot: robot)
        var referenceState = JointState(jointCount: robot.jointCount)
        var referenceTorques = Array(repeating: 0.0, count: robot.jointCount)

        let start = (0..<robot.jointCount).map { 0.3 * Double($0 % 3) - 0.2 }
        let still = Array(repeating: 0.0, count: robot.jointCount)
        try arm.begin(.place, position: start, velocity: still)
        try reference.activate(state: &referenceState)
        try reference.place(position: start, velocity: still, state: &referenceState)
        for k in 0..<200 {
            // Full pushes that reach the position and velocity limits, and actions out of range.
            let action = (0..<robot.jointCount).map { i in 1.5 * sin(Double(k * (i + 1)) / 17) }
            try arm.command(action)
            try map.torques(actions: action, into: &referenceTorques)
            safety.apply(torques: &referenceTorques, state: referenceState)
            try reference.step(torques: referenceTorques, state: &referenceState)
            XCTAssertEqual(arm.torques, referenceTorques, "period \(k)")
            XCTAssertEqual(arm.state, referenceState, "period \(k)")
        }
        XCTAssertGreaterThan(safety.interventions.total, 0, "the run must exercise the guard")
        XCTAssertEqual(arm.interventions, safety.interventions)
    }

    func testTheRateLimitTurnsATorqueStepIntoARampOfLimitTimesPeriodPerPeriodAndCountsEachCut() throws {
        // Steps of 16/64 = 0.25 N·m and 32/64 = 0.5 N·m per period.
        let (arm, backend) = try scriptedArm("actuation: {torque_rate_limit: [16, 32]}")
        XCTAssertEqual(arm.filter.torqueSteps, [0.25, 0.5])

        try arm.command([1, 1])  // targets 2 and 3 N·m from rest
        XCTAssertEqual(backend.sent[0], [0.25, 0.5])
        XCTAssertEqual(arm.lastCommandReport.rateLimitedTorques, 2)
        for _ in 1..<8 { try arm.command([1, 1]) }
        XCTAssertEqual(backend.sent.map { $0[0] }, [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2])
        XCTAssertEqual(backend.sent.map { $0[1] }, [0.5, 1, 1.5, 2, 2.5, 3, 3, 3])
        XCTAssertEqual(arm.interventions.rateLimitedTorques, 7 + 5, "the periods that reach the target are not cut")
        XCTAssertEqual(arm.lastCommandReport.rateLimitedTorques, 0)

        try arm.command([-1, 1])  // 2 → −2 N·m on joint 0: down by 0.25 per period, 16 periods
        for _ in 1..<16 { try arm.command([-1, 1]) }
        let down = backend.sent.suffix(16).map { $0[0] }
        XCTAssertEqual(down, (1...16).map { 2 - 0.25 * Double($0) })
        XCTAssertEqual(arm.interventions.rateLimitedTorques, 12 + 15)
        XCTAssertEqual(arm.interventions.total, 0, "rate limiting is not a guard intervention")
    }

    func testTheGuardsPositionCutStillZeroesAtOnceUnderARateLimit() throws {
        let (arm, backend) = try scriptedArm("actuation: {torque_rate_limit: [16, 32]}")
        for _ in 0..<4 { try arm.command([0, 1]) }
        XCTAssertEqual(backend.sent.last?[1], 2, "joint 1 ramped up to 2 N·m")

        backend.reported.position[1] = 1  // at its upper limit, the torque pushing on outward
        try arm.command([0, 1])  // the state the guard sees is the one read back now
        try arm.command([0, 1])
        XCTAssertEqual(backend.sent.suffix(2).map { $0[1] }, [2.5, 0], "cut from 2.5 N·m to 0 in one period, not ramped down")
        XCTAssertEqual(arm.lastCommandReport.positionCuts, 1)
        try arm.command([0, 1])
        XCTAssertEqual(backend.sent.last?[1], 0, "still cut while at the limit")

        backend.reported.position[1] = 0.5
        try arm.command([0, 1])
        try arm.command([0, 1])
        XCTAssertEqual(backend.sent.suffix(2).map { $0[1] }, [0, 0.5], "back in range, the torque ramps up from what was sent")
        XCTAssertEqual(arm.interventions.positionCuts, 3)
    }

    func testANonFiniteActionStillThrowsAndLeavesTheFilterStateFinite() throws {
        let (arm, backend) = try scriptedArm("actuation: {action_time_constant: 0.05, torque_rate_limit: 16}")
        for _ in 0..<3 { try arm.command([0.5, -0.5]) }
        let action = arm.filter.action
        let previous = arm.filter.previousTorques
        let sent = backend.sent.count

        for bad in [Double.nan, .infinity, -.infinity] {
            XCTAssertThrowsError(try arm.command([0.5, bad])) { error in
                guard case .nonFinite(let joint, _) = error as? ActionError else { return XCTFail("\(error)") }
                XCTAssertEqual(joint, 1)
            }
        }
        XCTAssertThrowsError(try arm.command([0.5]), "a wrong-sized action is refused as before")
        XCTAssertEqual(arm.filter.action, action)
        XCTAssertEqual(arm.filter.previousTorques, previous)
        XCTAssertTrue(arm.filter.action.allSatisfy(\.isFinite))
        XCTAssertEqual(backend.sent.count, sent, "nothing reaches the motors")
        XCTAssertEqual(arm.torques, [0, 0], "the map zeroed the torques, as without filters")

        try arm.command([0.5, -0.5])
        XCTAssertEqual(arm.filter.action[0], action[0] + (1 - exp(-1.0 / 64 / 0.05)) * (0.5 - action[0]), accuracy: 1e-15)
    }

    func testFilterStateRestartsAtEveryEpisodeStartFromAZeroActionAndTheTorqueHoldingTheArm() throws {
        let (arm, backend) = try scriptedArm("actuation: {action_time_constant: 0.05, torque_rate_limit: [16, 32]}")
        try arm.command([1, 1])
        let first = backend.sent[0]
        XCTAssertEqual(first, [0.25, 0.5])
        for _ in 0..<10 { try arm.command([1, 1]) }

        // A device holds a moved arm with its position controller's torque.
        backend.reported.torque = [0.1, -0.2]
        for start in EpisodeStart.allCases {
            for _ in 0..<5 { try arm.command([1, -1]) }
            try arm.begin(start, position: [0, 0], velocity: [0, 0])
            XCTAssertEqual(arm.filter.action, [0, 0], "\(start)")
            XCTAssertEqual(arm.filter.previousTorques, [0.1, -0.2], "\(start)")
        }
        try arm.command([1, 1])
        let gain = 1 - exp(-1.0 / 64 / 0.05)
        XCTAssertEqual(arm.filter.action[0], gain, accuracy: 1e-15, "the low-pass starts again from zero")
        XCTAssertEqual(backend.sent.last, [0.1 + 0.25, -0.2 + 0.5], "the ramps start from the held torque")

        arm.deactivate()
        XCTAssertEqual(arm.filter.previousTorques, [0, 0], "torque off: the next ramp starts from zero")
        XCTAssertEqual(arm.filter.action, [0, 0])
        try arm.activate()
        try arm.command([1, 1])
        XCTAssertEqual(backend.sent.last, first)
    }
}
