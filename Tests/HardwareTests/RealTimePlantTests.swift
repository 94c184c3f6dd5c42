import Hardware
import RobotModel
import TestSupport
import XCTest

/// A real-time emulator integrates in steps of at most a millisecond that divide the control period.
final class RealTimePlantTests: XCTestCase {
    func testTheReachersTenMillisecondStepsBecomeOneMillisecondInRealTime() throws {
        let robot = try RepositoryFiles.robot("reacher")
        XCTAssertEqual(robot.physics.timestep, 0.01)
        let plant = SimulatedArm(realTimeEmulationOf: robot)
        XCTAssertEqual(plant.simulator.timestep, 0.001, accuracy: 1e-15)
        XCTAssertEqual(plant.substeps, 20)
        XCTAssertEqual(plant.controlPeriod, robot.control.period)
    }

    func testAPeriodThatIsNotWholeMillisecondsIsDividedEvenly() throws {
        var robot = try RepositoryFiles.robot("reacher")
        robot.control.rateHz = 30  // a 33.3 ms period: 34 steps of 0.98 ms
        let plant = SimulatedArm(realTimeEmulationOf: robot)
        XCTAssertLessThanOrEqual(plant.simulator.timestep, SimulatedArm.realTimeTimestep)
        XCTAssertEqual(Double(plant.substeps) * plant.simulator.timestep, robot.control.period, accuracy: 1e-12)
    }

    func testAFinerTimestepIsKept() throws {
        var robot = try RepositoryFiles.robot("reacher")
        robot.physics.timestep = 0.0005
        XCTAssertEqual(SimulatedArm(realTimeEmulationOf: robot).simulator.timestep, 0.0005)
    }
}
