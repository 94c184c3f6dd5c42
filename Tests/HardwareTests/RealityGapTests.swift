import ArmDynamics
import Hardware
import RobotModel
import TestSupport
import XCTest

/// The reality gap against closed-form cases, and zero gap as the exact model.
final class RealityGapTests: XCTestCase {
    var robot: RobotDescription!
    override func setUpWithError() throws { robot = try RepositoryFiles.robot("reacher") }

    func gap(_ change: (inout RealityGap) -> Void) -> RealityGap {
        var gap = RealityGap(jointCount: robot.jointCount)
        change(&gap)
        return gap
    }

    /// Joint positions after each of `torques`, from rest at `start`.
    func trajectory(_ gap: RealityGap, _ torques: [[Double]], start: [Double] = [0.1, -0.2], seed: UInt64 = 0) throws -> [JointState] {
        let arm = SimulatedArm(robot: robot, gap: gap, seed: seed)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        try arm.place(position: start, velocity: [0, 0], state: &state)
        return try torques.map { command in
            try arm.step(torques: command, state: &state)
            return state
        }
    }

    let commands: [[Double]] = (0..<30).map { (k: Int) -> [Double] in
        let first = Double(k % 7) * 3 - 9
        let second = 6 - Double(k % 5) * 3
        return [first, second]
    }

    func testZeroGapIsTheExactModel() throws {
        let simulator = ArmSimulator(robot: robot)
        simulator.reset(q: [0.1, -0.2], qd: [0, 0])
        let viaArm = try trajectory(RealityGap(jointCount: 2), commands)
        for (command, state) in zip(commands, viaArm) {
            simulator.advance(torques: command, steps: 2)
            XCTAssertEqual(state.position, simulator.q)
            XCTAssertEqual(state.velocity, simulator.qd)
            XCTAssertEqual(state.torque, command)
        }
    }

    func testAPureDelayShiftsTheTrajectoryByExactlyKPeriods() throws {
        let exact = try trajectory(RealityGap(jointCount: 2), commands)
        for k in [1, 3] {
            let delayed = try trajectory(gap { $0.latency = Double(k) * robot.control.period }, commands)
            for m in 0..<(commands.count - k) {
                XCTAssertEqual(delayed[m + k].position, exact[m].position, "k = \(k), step \(m)")
                XCTAssertEqual(delayed[m + k].torque, exact[m].torque)
            }
            for m in 0..<k { XCTAssertEqual(delayed[m].position, [0.1, -0.2], "nothing arrives in the first \(k) periods") }
        }
    }

    func testAFractionalDelayArrivesWithinThePeriod() throws {
        // Two physics steps per period: half a period of latency holds the old torque for one step.
        let half = try trajectory(gap { $0.latency = robot.control.period / 2 }, [[20, 0], [20, 0]])
        let exact = try trajectory(RealityGap(jointCount: 2), [[20, 0], [20, 0]])
        XCTAssertEqual(half[0].torque, [20, 0], "in force by the period's end")
        XCTAssertLessThan(abs(half[0].position[0] - 0.1), abs(exact[0].position[0] - 0.1), "but for half of it only")
        XCTAssertGreaterThan(abs(half[0].position[0] - 0.1), 0)
    }

    func testFrictionHoldsAJointStillUnderATorqueBelowIt() throws {
        let sticky = gap { $0.coulombFriction = [50, 50] }
        for state in try trajectory(sticky, Array(repeating: [30, -20], count: 50)) {
            XCTAssertEqual(state.position, [0.1, -0.2])
            XCTAssertEqual(state.velocity, [0, 0])
        }
        let pushed = try trajectory(sticky, Array(repeating: [80, 0], count: 10))
        let free = try trajectory(RealityGap(jointCount: 2), Array(repeating: [80, 0], count: 10))
        XCTAssertGreaterThan(pushed.last!.position[0], 0.1, "a torque above the friction breaks away")
        XCTAssertLessThan(pushed.last!.position[0], free.last!.position[0], "and is slowed by it")
    }

    func testPositionsAreReadInStepsOfTheEncodersResolution() throws {
        let counts = 4096
        let step = 2 * Double.pi / Double(counts)
        let exact = try trajectory(RealityGap(jointCount: 2), commands)
        let read = try trajectory(gap { $0.encoderResolution = [counts, counts] }, commands)
        for (truth, reading) in zip(exact, read) {
            for j in 0..<2 {
                let ticks = reading.position[j] / step
                XCTAssertEqual(ticks, ticks.rounded(), accuracy: 1e-9, "a whole number of counts")
                XCTAssertLessThanOrEqual(abs(reading.position[j] - truth.position[j]), step / 2 + 1e-12)
            }
        }
    }

    /// Commands go to the motor in whole units of the torque resolution, halves away from zero (as
    /// `DynamixelArm` turns torque into Goal Current), and what moves the arm is the rounded command.
    func testTorqueCommandsAreSentInWholeUnitsOfTheResolution() throws {
        let quarter = gap { $0.torqueResolution = [0.25, 0.25] }
        // 4.4 units → 4, −4.5 → −5; and 2.5 → 3, where rounding to even would give 2 and truncation 2.
        XCTAssertEqual(try trajectory(quarter, [[1.1, -1.125]])[0].torque, [1.0, -1.25])
        XCTAssertEqual(try trajectory(quarter, [[0.625, -0.625]])[0].torque, [0.75, -0.75])
        let unit = 0.7
        let rounded = commands.map { $0.map { ($0 / unit).rounded() * unit } }
        XCTAssertNotEqual(rounded, commands, "the commands are off the grid")
        // Joint 0 rounded, joint 1 (resolution 0) exact: the exact model under those commands, bit for bit.
        let viaGap = try trajectory(gap { $0.torqueResolution = [unit, 0] }, commands)
        let sent = zip(rounded, commands).map { [$0[0], $1[1]] }
        XCTAssertEqual(viaGap, try trajectory(RealityGap(jointCount: 2), sent))
        XCTAssertNotEqual(viaGap.map(\.position), try trajectory(RealityGap(jointCount: 2), commands).map(\.position))
    }

    /// The rounding comes first, before the motor: a 0.32 N·m command in units of 0.25 N·m is one
    /// unit, inside a 0.3 N·m deadband; and the measured torque is the delivered one, read in the same
    /// units (1 N·m through a gain of 0.8 delivers 0.8 N·m, which reads as 3 units of 0.25: 0.75).
    func testTheRoundingPrecedesTheMotorAndTheMeasuredTorqueIsReadInTheSameUnits() throws {
        let deadband = gap { $0.torqueResolution = [0.25, 0.25]; $0.deadband = [0.3, 0.3] }
        XCTAssertEqual(try trajectory(deadband, [[0.32, 0.4]])[0].torque, [0, 0.5])
        let weak = gap { $0.torqueResolution = [0.25, 0]; $0.torqueGain = [0.8, 0.8] }
        XCTAssertEqual(try trajectory(weak, [[1, 1]])[0].torque, [0.75, 0.8])
    }

    /// Velocities read as whole units of the resolution: the exact model's velocity rounded, the
    /// physics untouched; halves away from zero, shown on an arm placed exactly at ties.
    func testVelocitiesAreReadInWholeUnitsOfTheResolution() throws {
        let unit = 0.229 * 2 * Double.pi / 60  // a Dynamixel X servo's 0.229 rpm
        let exact = try trajectory(RealityGap(jointCount: 2), commands)
        let read = try trajectory(gap { $0.velocityResolution = [unit, 0] }, commands)
        var changed = 0
        for (truth, reading) in zip(exact, read) {
            let units = reading.velocity[0] / unit
            XCTAssertEqual(units, units.rounded(), accuracy: 1e-9, "a whole number of units")
            XCTAssertLessThanOrEqual(abs(reading.velocity[0] - truth.velocity[0]), unit / 2 + 1e-12)
            XCTAssertEqual(reading.velocity[1], truth.velocity[1], "a resolution of 0 is exact")
            XCTAssertEqual(reading.position, truth.position, "the physics underneath is the same")
            if reading.velocity[0] != truth.velocity[0] { changed += 1 }
        }
        XCTAssertGreaterThan(changed, 0)
        let arm = SimulatedArm(robot: robot, gap: gap { $0.velocityResolution = [0.25, 0.25] })
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        try arm.place(position: [0, 0], velocity: [0.375, -0.625], state: &state)
        XCTAssertEqual(state.velocity, [0.5, -0.75], "1.5 units → 2, −2.5 → −3")
        try arm.place(position: [0, 0], velocity: [0.12, -0.12], state: &state)
        XCTAssertEqual(state.velocity, [0, 0], "under half a unit reads 0")
    }

    /// A position half way between two counts reads the count away from zero, as a servo's Present
    /// Position does.
    func testAPositionHalfWayBetweenCountsReadsTheCountAwayFromZero() throws {
        let step = 2 * Double.pi / 4096
        // 2.5 counts: away from zero gives 3, where rounding to even would give 2.
        let tie = 2.5 * step
        XCTAssertEqual(tie / step, 2.5, "an exact tie in floating point")
        let arm = SimulatedArm(robot: robot, gap: gap { $0.encoderResolution = [4096, 4096] })
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        try arm.place(position: [tie, -tie], velocity: [0, 0], state: &state)
        XCTAssertEqual(state.position, [3 * step, -3 * step])
    }

    /// A velocity by differencing is read in the velocity resolution too.
    func testADifferencedVelocityIsRoundedToTheVelocityResolution() throws {
        let unit = 0.05
        let read = try trajectory(
            gap { $0.encoderResolution = [1024, 1024]; $0.differencedVelocity = true; $0.velocityResolution = [unit, unit] }, commands)
        for k in 1..<read.count {
            for j in 0..<2 {
                let differenced = (read[k].position[j] - read[k - 1].position[j]) / robot.control.period
                XCTAssertEqual(read[k].velocity[j], (differenced / unit).rounded() * unit, accuracy: 1e-12)
            }
        }
    }

    func testDifferencedVelocityIsTheQuantizedPositionsChangeOverAPeriod() throws {
        let read = try trajectory(gap { $0.encoderResolution = [1024, 1024]; $0.differencedVelocity = true }, commands)
        for k in 1..<read.count {
            for j in 0..<2 {
                let expected = (read[k].position[j] - read[k - 1].position[j]) / robot.control.period
                XCTAssertEqual(read[k].velocity[j], expected, accuracy: 1e-9)
            }
        }
    }

    func testGainDeadbandAndLagShapeTheDeliveredTorque() throws {
        XCTAssertEqual(try trajectory(gap { $0.torqueGain = [0.5, 0.8] }, [[10, 10]])[0].torque, [5, 8])
        XCTAssertEqual(try trajectory(gap { $0.deadband = [3, 3] }, [[2.5, 3.5]])[0].torque, [0, 3.5])
        let tau = 0.02
        let lagged = try trajectory(gap { $0.timeConstant = [tau, 0] }, [[10, 10]])[0].torque
        let share = 1 - exp(-robot.physics.timestep / tau)
        XCTAssertEqual(lagged[0], 10 * (1 - (1 - share) * (1 - share)), accuracy: 1e-12, "two physics steps of a first-order lag")
        XCTAssertEqual(lagged[1], 10)
    }

    func testSensorNoiseIsSeededAndLeavesThePhysicsAlone() throws {
        let noisy = gap { $0.positionNoise = [0.01, 0.01] }
        let a = try trajectory(noisy, commands, seed: 3)
        XCTAssertEqual(a, try trajectory(noisy, commands, seed: 3))
        XCTAssertNotEqual(a.map(\.position), try trajectory(noisy, commands, seed: 4).map(\.position))
        let clean = try trajectory(RealityGap(jointCount: 2), commands)
        let deviation = zip(clean, a).map { abs($0.position[0] - $1.position[0]) }
        XCTAssertLessThan(deviation.max()!, 0.05)
        XCTAssertGreaterThan(deviation.max()!, 0.001)
        XCTAssertEqual(a.map(\.velocity), clean.map(\.velocity), "the physics underneath is the same")
    }
}
