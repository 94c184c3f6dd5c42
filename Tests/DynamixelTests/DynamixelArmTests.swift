import Dynamixel
import Foundation
import Hardware
import RobotModel
import TestSupport
import XCTest

/// `DynamixelArm` against the bus emulator: activation's configuration, steps as the simulator's
/// in the servos' units, the move-to, and every way it stops, each ending with torque disabled.
final class DynamixelArmTests: XCTestCase {
    typealias Table = XSeriesControlTable
    private var emulators: [BusEmulator] = []

    override func tearDown() {
        for emulator in emulators { emulator.stop() }
        emulators.removeAll()
        super.tearDown()
    }

    /// The shipped XM430 arm with a patient bus, so that a loaded test machine's late status packets
    /// are not lost ones (the tests that lose them on purpose say so).
    private func robot() throws -> RobotDescription {
        var robot = try RepositoryFiles.robot("xm430-two-joint")
        robot.bus?.timeout = 0.2
        robot.bus?.watchdog = 2.54
        return robot
    }

    private func emulator(_ options: BusEmulator.Options = .init(timing: .lockstep)) throws -> BusEmulator {
        let emulator = try BusEmulator(robot: try robot(), options: options)
        emulators.append(emulator)
        return emulator
    }

    private func assertTorqueOff(_ emulator: BusEmulator, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(emulator.snapshot().servos.map(\.torqueEnable), [0, 0], "Torque Enable on every servo", file: file, line: line)
    }

    func testActivationPutsEveryServoInCurrentModeWithTheGuardsLimitsAndTheWatchdog() throws {
        let emulator = try emulator()
        let arm = try DynamixelArm(robot: try robot(), port: emulator.path)
        arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        // ceil(1.5 N·m / (1.78 N·m/A × 2.69 mA)) and ceil(1.0 / …): the guard's limits as current.
        XCTAssertEqual(arm.currentLimits, [314, 209])
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        XCTAssertTrue(arm.isActive)
        for servo in emulator.snapshot().servos {
            XCTAssertEqual(servo.operatingMode, Table.OperatingMode.current.rawValue)
            XCTAssertEqual(servo.returnDelayTime, 0)
            XCTAssertEqual(servo.busWatchdog, 127, "2.54 s in units of 20 ms")
            XCTAssertEqual(servo.torqueEnable, 1)
            XCTAssertEqual(servo.goalCurrent, 0)
        }
        XCTAssertEqual(emulator.snapshot().servos.map(\.currentLimit), [314, 209])
        XCTAssertEqual(state.position, [0, 0], "the description's offsets are the emulator's mounting")
        arm.deactivate()
        XCTAssertFalse(arm.isActive)
        assertTorqueOff(emulator)
        arm.deactivate()  // again: harmless
    }

    /// The shipped description states its servos' resolution in its reality gap, to the bit, so that
    /// `--sim` rounds on the grid the bus reads in.
    func testTheShippedArmsRealityGapIsItsServosResolution() throws {
        let robot = try robot()
        let gap = robot.realityGap
        XCTAssertEqual(gap.encoderResolution, [Int(Table.ticksPerRevolution), Int(Table.ticksPerRevolution)])
        XCTAssertEqual(gap.velocityResolution, [Table.velocityUnit, Table.velocityUnit])
        XCTAssertEqual(gap.torqueResolution, robot.bus!.servos.map { $0.torqueConstant * $0.model.currentUnit })
        XCTAssertFalse(gap.isNoisy)
        XCTAssertEqual(gap.latency, 0)
    }

    /// In lockstep each step is the simulator's step through the description's reality gap — the
    /// torque the servos can make (whole units of current), read back in whole ticks, velocity units
    /// and units of current — to the bit, with an elbow mounted reversed and torques at exact
    /// half units among the commands; the plant underneath is the exact one.
    func testStepsAreTheSimulatorThroughTheServosResolution() throws {
        for elbowDirection in [1, -1] {
            var robot = try robot()
            robot.bus?.servos[1].direction = elbowDirection
            let emulator = try BusEmulator(robot: robot, options: .init(timing: .lockstep))
            emulators.append(emulator)
            let arm = try DynamixelArm(robot: robot, port: emulator.path)
            arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
            let reference = SimulatedArm(robot: robot)
            var viaBus = JointState(jointCount: 2)
            var expected = JointState(jointCount: 2)
            try arm.activate(state: &viaBus)
            try reference.activate(state: &expected)
            let unit = 1.78 * 2.69e-3
            // Torques whose quotient by the unit is exactly n + ½ in floating point: ties, which the
            // host, the servo and the simulator must all send away from zero.
            let ties = (1..<150).map { (Double($0) + 0.5) * unit }.filter { ($0 / unit).truncatingRemainder(dividingBy: 1) == 0.5 }
            XCTAssertGreaterThan(ties.count, 20)
            var tieSteps = 0
            for step in 0..<100 {
                var torques = [0.8 * sin(Double(step) / 9), -0.5 * cos(Double(step) / 7)]
                if step % 5 == 0 {
                    torques = [ties[step % ties.count], -ties[(step / 5) % ties.count]]
                    tieSteps += 1
                }
                try arm.step(torques: torques, state: &viaBus)
                try reference.step(torques: torques, state: &expected)
                XCTAssertEqual(emulator.snapshot().position, reference.simulator.q, "step \(step): the plant is the exact simulator")
                XCTAssertEqual(viaBus.position, expected.position, "step \(step), elbow direction \(elbowDirection)")
                XCTAssertEqual(viaBus.velocity, expected.velocity, "step \(step), elbow direction \(elbowDirection)")
                XCTAssertEqual(viaBus.torque, expected.torque, "step \(step), elbow direction \(elbowDirection)")
                for joint in 0..<2 {
                    XCTAssertEqual(viaBus.torque[joint], (torques[joint] / unit).rounded() * unit, accuracy: 1e-12)
                }
            }
            XCTAssertEqual(tieSteps, 20)
            XCTAssertEqual(arm.lostStatuses, 0)
            arm.deactivate()
            assertTorqueOff(emulator)
        }
    }

    /// An XL330-M288 counts current in 1 mA and reverses a joint with direction −1.
    func testXL330ServosUseTheirOwnCurrentUnitAndDirection() throws {
        var robot = try robot()
        for i in 0..<2 {
            robot.bus?.servos[i].model = .xl330M288
            robot.bus?.servos[i].torqueConstant = 0.35
            robot.joints[i].torque = Limits(low: -0.5, high: 0.5)
        }
        robot.bus?.servos[1].direction = -1
        let emulator = try BusEmulator(robot: robot, options: .init(timing: .lockstep))
        emulators.append(emulator)
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        XCTAssertEqual(arm.currentLimits, [1429, 1429], "ceil(0.5 N·m / (0.35 N·m/A × 1 mA))")
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        for _ in 0..<20 { try arm.step(torques: [0.1, 0.1], state: &state) }
        let servos = emulator.snapshot().servos
        XCTAssertEqual(servos.map(\.goalCurrent), [286, -286], "0.1 N·m / 0.35 mN·m per mA, the elbow reversed")
        XCTAssertEqual(servos[1].appliedTorque, 0.35 * 1e-3 * 286, accuracy: 1e-12, "the joint still gets +0.1 N·m")
        XCTAssertEqual(state.torque[1], 0.35 * 1e-3 * 286, accuracy: 1e-12)
        XCTAssertGreaterThan(state.position[1], 0, "pushed the positive way, the reversed joint reads positive")
        XCTAssertLessThan(servos[1].presentPosition, 2048, "while its servo turns the other way")
        arm.deactivate()
        assertTorqueOff(emulator)
    }

    func testAnotherModelOnTheBusIsRefusedWithTorqueOff() throws {
        let emulator = try emulator()
        var robot = try robot()
        robot.bus?.servos[1].model = .xl330M288
        robot.bus?.servos[1].torqueConstant = 0.35
        robot.joints[1].torque = Limits(low: -0.5, high: 0.5)
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        var state = JointState(jointCount: 2)
        XCTAssertThrowsError(try arm.activate(state: &state)) { error in
            XCTAssertEqual(error as? DynamixelArmError, .modelMismatch(port: emulator.path, id: 2, expected: .xl330M288, found: "XM430-W350"))
        }
        XCTAssertFalse(arm.isActive)
        assertTorqueOff(emulator)
    }

    func testAJointAskingForMoreTorqueThanItsServoHasIsRefusedBeforeAnythingMoves() throws {
        var robot = try robot()
        robot.joints[0].torque = Limits(low: -6, high: 6)
        XCTAssertThrowsError(try DynamixelArm(robot: robot, port: "/dev/null")) { error in
            guard case DynamixelArmError.torqueBeyondServo(joint: "shoulder", torque: 6, model: .xm430W350, _) = error else {
                return XCTFail("\(error)")
            }
        }
        robot.bus?.servos[0].model = .xl430W250
        XCTAssertThrowsError(try DynamixelArm(robot: robot, port: "/dev/null")) { error in
            XCTAssertEqual(error as? DynamixelArmError, .noCurrentControl(joint: "shoulder", id: 1, model: .xl430W250))
        }
    }

    /// The description's move settings with a faster setpoint, as the arm's episodes use them.
    private func profile(_ robot: RobotDescription, velocity: Double = 2) -> MoveProfile {
        var profile = MoveProfile(robot: robot)
        profile.maxVelocity = velocity
        return profile
    }

    /// A move drives the arm in current-based position mode and hands it back in current mode,
    /// holding the current the position loop ended with; it cannot be placed.
    func testMoveReachesThePoseAndHandsTheArmBackInCurrentMode() throws {
        let robot = try robot()
        let emulator = try emulator()
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        XCTAssertFalse(arm.canPlace)
        var state = JointState(jointCount: 2)
        XCTAssertThrowsError(try arm.move(to: [0.3, -0.2], profile: profile(robot), state: &state)) {
            XCTAssertEqual($0 as? BackendError, .inactive)
        }
        try arm.activate(state: &state)
        let profile = profile(robot)
        let outcome = try arm.move(to: [0.3, -0.2], profile: profile, state: &state)
        XCTAssertLessThanOrEqual(outcome.positionError, profile.positionTolerance)
        XCTAssertGreaterThan(outcome.periods, 1)
        XCTAssertTrue(arm.isActive)
        let snapshot = emulator.snapshot()
        for (joint, target) in [0.3, -0.2].enumerated() {
            XCTAssertEqual(state.position[joint], target, accuracy: profile.positionTolerance)
            XCTAssertEqual(snapshot.position[joint], target, accuracy: profile.positionTolerance)
            XCTAssertLessThanOrEqual(abs(snapshot.velocity[joint]), profile.velocityTolerance + Table.velocityUnit)
        }
        for (servo, torque) in zip(snapshot.servos, state.torque) {
            XCTAssertEqual(servo.operatingMode, Table.OperatingMode.current.rawValue)
            XCTAssertEqual(servo.torqueEnable, 1)
            XCTAssertEqual(servo.homingOffset, 0, "a move never re-zeroes the encoders")
            // Held with the position loop's last current, which the state reports as its torque.
            XCTAssertEqual(servo.appliedTorque, torque, accuracy: 1e-12)
        }
        try arm.step(torques: [0, 0], state: &state)
        XCTAssertEqual(emulator.snapshot().servos.map(\.goalCurrent), [0, 0], "the first step commands as any other")
        let before = emulator.snapshot().position
        try arm.read(state: &state)
        XCTAssertEqual(emulator.snapshot().position, before, "a read does not step the lockstep arm")
        XCTAssertThrowsError(try arm.place(position: [0, 0], velocity: [0, 0], state: &state)) {
            XCTAssertEqual($0 as? BackendError, .cannotPlace)
        }
        XCTAssertFalse(arm.isActive, "refused, the arm is switched off")
        assertTorqueOff(emulator)
        XCTAssertThrowsError(try arm.read(state: &state)) { XCTAssertEqual($0 as? BackendError, .inactive) }
    }

    /// Stood up in a vertical plane the arm needs current to stay where the move left it: it is
    /// handed back holding the position loop's last current, which is the torque gravity asks for
    /// there, not dropped to zero until the first step.
    func testAMovedArmIsHeldWithThePositionLoopsCurrent() throws {
        var robot = try robot()
        robot.plane = .vertical
        robot.gravity = 9.81
        let emulator = try BusEmulator(robot: robot, options: .init(timing: .lockstep))
        emulators.append(emulator)
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        var profile = profile(robot)
        // The emulated servos' position loop has no integral term: gravity leaves a steady error.
        profile.positionTolerance = 0.06
        try arm.move(to: [0, 0], profile: profile, state: &state)
        let snapshot = emulator.snapshot()
        // Links along +x, gravity along −y: g·(m₁c₁ + m₂(l₁ + c₂)) at the shoulder, g·m₂c₂ at the elbow.
        let gravity = [9.81 * (0.122 * 0.094 + 0.04 * (0.12 + 0.05)), 9.81 * 0.04 * 0.05]
        for joint in 0..<2 {
            XCTAssertEqual(snapshot.servos[joint].operatingMode, Table.OperatingMode.current.rawValue)
            XCTAssertEqual(state.torque[joint], gravity[joint], accuracy: 0.1 * gravity[joint] + 0.005, "joint \(joint)")
            XCTAssertEqual(snapshot.servos[joint].appliedTorque, state.torque[joint], accuracy: 1e-12, "the servo applies it")
        }
        arm.deactivate()
        assertTorqueOff(emulator)
    }

    /// A target no move should go to is refused before the servos are told, and leaves torque off.
    func testAMoveOutsideTheJointRangeOrBeyondTheServosTurnsIsRefusedWithTorqueOff() throws {
        var robot = try robot()
        let emulator = try emulator()
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        XCTAssertThrowsError(try arm.move(to: [2.7, 0], profile: profile(robot), state: &state)) { error in
            guard case BackendError.moveRefused(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("shoulder") && reason.contains("outside its range"), reason)
        }
        XCTAssertFalse(arm.isActive)
        assertTorqueOff(emulator)
        try arm.activate(state: &state)
        XCTAssertThrowsError(try arm.move(to: [0, .nan], profile: profile(robot), state: &state)) { error in
            guard case BackendError.moveRefused(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("elbow"), reason)
        }
        assertTorqueOff(emulator)
        // A continuous joint may go anywhere the servo's ±256 turns reach, and no farther.
        robot.joints[0].position = nil
        let continuous = try DynamixelArm(robot: robot, port: emulator.path)
        continuous.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        try continuous.activate(state: &state)
        XCTAssertThrowsError(try continuous.move(to: [1e300, 0], profile: profile(robot), state: &state)) { error in
            XCTAssertEqual(error as? DynamixelArmError, .targetOutOfRange(joint: "shoulder", position: 1e300))
        }
        XCTAssertFalse(continuous.isActive)
        assertTorqueOff(emulator)
    }

    /// A move that cannot settle in time (here the slowest setpoint, far too slow for the timeout)
    /// stops with the profile's error, the joint that was farthest, and torque off.
    func testAMoveThatDoesNotSettleInTimeStopsWithTorqueOff() throws {
        let robot = try robot()
        let emulator = try emulator()
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        var slow = profile(robot, velocity: Table.velocityUnit)  // 0.024 rad/s: 2 rad takes 83 s
        slow.timeout = 0.2
        XCTAssertThrowsError(try arm.move(to: [0.1, 2.0], profile: slow, state: &state)) { error in
            guard case BackendError.moveNotSettled(let seconds, let joint, let distance, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(seconds, 0.2)
            XCTAssertEqual(joint, 1, "the elbow is the farther")
            XCTAssertGreaterThan(distance, 1)
        }
        XCTAssertFalse(arm.isActive)
        assertTorqueOff(emulator)
        XCTAssertThrowsError(try arm.step(torques: [0, 0], state: &state)) { XCTAssertEqual($0 as? BackendError, .inactive) }
    }

    /// The same move in real time, where the arm coasts while it is being switched over and the
    /// servos' position loop runs on the wall clock.
    func testMoveReachesThePoseInRealTime() throws {
        let robot = try robot()
        let emulator = try emulator(.init(timing: .realTime))
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        for _ in 0..<20 { try arm.step(torques: [0.6, -0.4], state: &state) }
        let profile = profile(robot)
        try arm.move(to: [-0.1, 0.1], profile: profile, state: &state)
        XCTAssertEqual(state.position[0], -0.1, accuracy: profile.positionTolerance + Table.positionUnit)
        XCTAssertEqual(state.position[1], 0.1, accuracy: profile.positionTolerance + Table.positionUnit)
        XCTAssertTrue(arm.isActive)
        arm.deactivate()
        assertTorqueOff(emulator)
    }

    /// Real servos answer the SYNC READ at once: read right after the SYNC WRITE, the state is the
    /// one the current began to act in. A step waits for its period to end and reads then.
    func testARealTimeStepReturnsTheStateItsPeriodEndsIn() throws {
        let robot = try robot()
        let emulator = try emulator(.init(timing: .realTime))
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        let start = state.position[0]
        try arm.step(torques: [0.6, 0], state: &state)
        XCTAssertGreaterThan(state.velocity[0], 0, "the current has acted for most of the period")
        XCTAssertGreaterThan(arm.lastStepWait, 0)
        // The round trips exclude the wait: a SYNC WRITE and a SYNC READ, well under the period.
        XCTAssertLessThan(arm.stepRoundTrips.maximum, robot.control.period / 2)
        for _ in 0..<4 { try arm.step(torques: [0.6, 0], state: &state) }
        XCTAssertGreaterThan(state.position[0], start)
        arm.deactivate()
        assertTorqueOff(emulator)
    }

    /// Episodes on the Dynamixel arm through `ActuatedArm`: by default each is moved to its start
    /// (never placed, never re-zeroed), and `measured` starts from where the arm is.
    func testEpisodesStartByMovingTheArmOrFromWhereItIs() throws {
        let robot = try robot()
        let emulator = try emulator()
        let backend = try DynamixelArm(robot: robot, port: emulator.path)
        backend.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        defer { backend.deactivate() }
        XCTAssertEqual(EpisodeStart.default(for: backend), .move)
        let arm = ActuatedArm(robot: robot, backend: backend)
        arm.moveProfile.maxVelocity = 2
        for start in [[0.4, -0.6], [-0.5, 0.3], [0.0, 0.0]] {
            try arm.begin(.move, position: start, velocity: [1, 1])
            for joint in 0..<2 { XCTAssertEqual(arm.state.position[joint], start[joint], accuracy: arm.moveProfile.positionTolerance) }
            XCTAssertNotNil(arm.lastMove)
            for _ in 0..<10 { try arm.command([0.3, -0.3]) }
        }
        let moved = emulator.snapshot().position
        try arm.begin(.measured, position: [1, 1], velocity: [0, 0])
        for joint in 0..<2 { XCTAssertEqual(arm.state.position[joint], moved[joint], accuracy: Table.positionUnit) }
        XCTAssertThrowsError(try arm.begin(.place, position: [0, 0], velocity: [0, 0])) {
            XCTAssertEqual($0 as? BackendError, .cannotPlace)
        }
        assertTorqueOff(emulator)
        XCTAssertEqual(emulator.snapshot().servos.map(\.homingOffset), [0, 0])
    }

    // MARK: Faults: every one ends with torque disabled.

    func testAHardwareErrorStopsTheArmWithTorqueOff() throws {
        let emulator = try emulator()
        let arm = try DynamixelArm(robot: try robot(), port: emulator.path)
        arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        try arm.step(torques: [0.5, 0.5], state: &state)
        emulator.injectHardwareError(id: 1, .overheating)
        XCTAssertThrowsError(try arm.step(torques: [0.5, 0.5], state: &state)) { error in
            XCTAssertEqual(error as? DynamixelArmError, .hardwareError(port: emulator.path, id: 1, error: .overheating))
        }
        XCTAssertFalse(arm.isActive)
        assertTorqueOff(emulator)
        XCTAssertThrowsError(try arm.step(torques: [0, 0], state: &state)) { XCTAssertEqual($0 as? BackendError, .inactive) }
    }

    func testLostStatusPacketsUpToTheLimitStopTheArmWithTorqueOff() throws {
        let emulator = try emulator()
        let arm = try DynamixelArm(robot: try robot(), port: emulator.path)
        arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        try arm.step(torques: [0.5, -0.5], state: &state)
        emulator.setDropStatus(1)
        XCTAssertThrowsError(try arm.step(torques: [0.5, -0.5], state: &state)) { error in
            XCTAssertEqual(error as? DynamixelArmError, .lostStatuses(port: emulator.path, count: 2))
        }
        XCTAssertFalse(arm.isActive)
        XCTAssertEqual(arm.lostStatuses, 2)
        // Status packets are still being dropped: the SYNC WRITE, which needs none, switched the servos off.
        assertTorqueOff(emulator)
    }

    /// A lost status now and then is a real bus: the SYNC READ is asked again and the run goes on.
    func testAnOccasionalLostStatusIsReadAgainAndCounted() throws {
        let emulator = try emulator(.init(timing: .lockstep, seed: 3, dropStatus: 0.05))
        var robot = try robot()
        robot.bus?.timeout = 0.05
        robot.bus?.lostReplies = 3
        robot.bus?.watchdog = 2.54
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        arm.readsAtPeriodEnd = false  // a lockstep bus: the SYNC WRITE stepped the period
        var state = JointState(jointCount: 2)
        // Activation's own WRITEs wait for their status; drop only once it is done.
        emulator.setDropStatus(0)
        try arm.activate(state: &state)
        emulator.setDropStatus(0.05)
        for _ in 0..<100 { try arm.step(torques: [0.1, -0.1], state: &state) }
        XCTAssertGreaterThan(arm.lostStatuses, 0, "the seed should drop a few")
        XCTAssertLessThan(arm.mostLostInARow, 3)
        XCTAssertEqual(emulator.snapshot().droppedStatuses, arm.lostStatuses)
        emulator.setDropStatus(0)
        arm.deactivate()
        assertTorqueOff(emulator)
    }

    /// A host that stalls past the servos' Bus Watchdog finds them stopped: the arm says so and
    /// switches torque off rather than send currents the servos ignore.
    func testAHostStalledPastTheBusWatchdogFindsTheArmStoppedAndSwitchesItOff() throws {
        let emulator = try emulator(.init(timing: .realTime))
        var robot = try robot()
        robot.bus?.watchdog = 0.1
        robot.bus?.timeout = 0.04
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        try arm.step(torques: [0.2, 0.2], state: &state)
        usleep(250_000)
        XCTAssertEqual(emulator.snapshot().servos.map(\.busWatchdog), [-1, -1])
        XCTAssertEqual(emulator.snapshot().servos.map(\.appliedTorque), [0, 0], "the servos stopped by themselves")
        XCTAssertThrowsError(try arm.step(torques: [0.2, 0.2], state: &state)) { error in
            guard case DynamixelArmError.watchdogTripped(_, [1, 2], _) = error else { return XCTFail("\(error)") }
        }
        assertTorqueOff(emulator)
        // Activating again clears the watchdog error.
        try arm.activate(state: &state)
        XCTAssertEqual(emulator.snapshot().servos.map(\.busWatchdog), [5, 5], "100 ms in units of 20 ms")
        arm.deactivate()
    }
}
