import DeterministicRandom
import RobotModel
import XCTest

final class ActuatorMapTests: XCTestCase {
    /// Random torque ranges for n joints, including asymmetric and all-positive ones.
    func randomMap(_ random: inout Xoshiro256, joints: Int) -> ActuatorMap {
        ActuatorMap(torqueLimits: (0..<joints).map { _ in
            let low = random.uniform(-300, 100)
            return Limits(low: low, high: low + random.uniform(0.01, 400))
        })
    }

    func testScaleIsHalfRangeAndMidpointIsCentre() {
        let map = ActuatorMap(torqueLimits: [Limits(low: -1, high: 3), Limits(low: -200, high: 200)])
        XCTAssertEqual(map.scale, [2, 200])
        XCTAssertEqual(map.midpoint, [1, 0])
    }

    func testEndpointsAndCentreMapToLowHighAndMidpoint() {
        var random = Xoshiro256(seed: 1)
        for _ in 0..<200 {
            let n = 1 + Int(random.next() % 7)
            let map = randomMap(&random, joints: n)
            for j in 0..<n {
                XCTAssertEqual(map.torque(action: -1, joint: j), map.low[j])
                XCTAssertEqual(map.torque(action: 1, joint: j), map.high[j])
                XCTAssertEqual(map.torque(action: 0, joint: j), map.midpoint[j])
                XCTAssertEqual(map.torque(action: 0.5, joint: j), 0.5 * map.scale[j] + map.midpoint[j], accuracy: 1e-9 * max(1, map.scale[j]))
            }
        }
    }

    func testActionToTorqueAndBackIsTheIdentityInsideTheRange() {
        var random = Xoshiro256(seed: 2)
        for _ in 0..<2000 {
            let map = randomMap(&random, joints: 1)
            let a = random.uniform(-1, 1)
            XCTAssertEqual(map.action(torque: map.torque(action: a, joint: 0), joint: 0), a, accuracy: 1e-9)
            let tau = random.uniform(map.low[0], map.high[0])
            XCTAssertEqual(map.torque(action: map.action(torque: tau, joint: 0), joint: 0), tau, accuracy: 1e-9 * max(1, abs(tau)))
        }
    }

    func testActionsOutsideTheUnitIntervalAreClampedToTheTorqueRange() {
        let map = ActuatorMap(torqueLimits: [Limits(low: -0.8, high: 1.5)])
        XCTAssertEqual(map.torque(action: 7, joint: 0), 1.5)
        XCTAssertEqual(map.torque(action: -1e9, joint: 0), -0.8)
        XCTAssertEqual(map.action(torque: 40, joint: 0), 1)
    }

    func testANonFiniteActionIsRejectedAndYieldsZeroTorque() {
        let map = ActuatorMap(torqueLimits: Array(repeating: Limits(low: 0.5, high: 2), count: 4))
        for bad in [Double.nan, .infinity, -.infinity] {
            var torques = [9.0, 9, 9, 9]
            XCTAssertThrowsError(try map.torques(actions: [0.1, bad, 0.2, 0.3], into: &torques)) { error in
                guard case .nonFinite(let joint, let value) = error as? ActionError else { return XCTFail("\(error)") }
                XCTAssertEqual(joint, 1)
                XCTAssertFalse(value.isFinite)
            }
            XCTAssertEqual(torques, [0, 0, 0, 0], "zero torque, not the midpoint")
        }
        var torques = [1.0, 1, 1, 1]
        XCTAssertThrowsError(try map.torques(actions: [0.1], into: &torques))
        XCTAssertEqual(torques, [0, 0, 0, 0])
    }

    func testBatchMappingMatchesPerJointMapping() throws {
        var random = Xoshiro256(seed: 3)
        let map = randomMap(&random, joints: 7)
        let actions = (0..<7).map { _ in random.uniform(-1.5, 1.5) }
        var torques = [Double](repeating: 0, count: 7)
        try map.torques(actions: actions, into: &torques)
        XCTAssertEqual(torques, (0..<7).map { map.torque(action: actions[$0], joint: $0) })
    }
}

final class ActionClampTests: XCTestCase {
    /// The clamp exploration uses: in-range values pass, others saturate, and a non-finite
    /// component throws with nothing changed — never −1 from min(1, max(−1, NaN)).
    func testClampSaturatesFiniteActionsAndRefusesNonFiniteOnes() throws {
        var actions = [0.5, -3, 7]
        try ActuatorMap.clamp(actions: &actions)
        XCTAssertEqual(actions, [0.5, -1, 1])
        for bad in [Double.nan, .infinity, -.infinity] {
            var actions = [0.2, bad]
            XCTAssertThrowsError(try ActuatorMap.clamp(actions: &actions)) { error in
                guard case .nonFinite(let joint, _)? = error as? ActionError else { return XCTFail("\(error)") }
                XCTAssertEqual(joint, 1)
            }
            XCTAssertEqual(actions[0], 0.2)
            XCTAssertFalse(actions[1].isFinite)
        }
    }
}
