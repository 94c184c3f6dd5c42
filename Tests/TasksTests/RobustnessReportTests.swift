import Foundation
import Hardware
import RobotModel
import Tasks
import TestSupport
import XCTest

/// The robustness report compares plants, so every plant must see the same episodes.
final class RobustnessReportTests: XCTestCase {
    func testEveryPlantOfTheGridMeetsTheSameStartsAndGoals() throws {
        let robot = try RepositoryFiles.robot("reacher")
        func goals(_ variation: PlantVariation) throws -> [[Double]] {
            let environment = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: variation.applied(to: robot), seed: 4))
            defer { environment.arm.deactivate() }
            var observation = [Float](repeating: 0, count: environment.observationSize)
            return try (0..<10).map { episode in
                try environment.reset(seed: episode == 0 ? 21 : nil, observation: &observation)
                return [environment.goal.x, environment.goal.y]
            }
        }
        let nominal = try goals(.nominal)
        for variation in PlantVariation.standardGrid {
            XCTAssertEqual(try goals(variation), nominal, variation.name)
        }
    }

    func testNoiseOfTwiceTheSizeCostsTheScriptedControllerMoreAndNominalCostsNothing() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let controller = ScriptedReacher(linkLengths: [0.1, 0.11], stiffness: 20, damping: 0.06)
        var small = PlantVariation(name: "small noise")
        small.positionNoise = 0.01
        var large = PlantVariation(name: "large noise")
        large.positionNoise = 0.05
        let report = try RobustnessReport.evaluate(
            robot: robot, conditions: [.nominal, small, large], episodes: 20, seed: 2, act: { controller.act(observation: $0, into: &$1) })
        XCTAssertEqual(report.rows.map(\.condition.name), ["nominal", "small noise", "large noise"])
        XCTAssertEqual(report.rows[0].lossAgainstNominal, 0)
        XCTAssertGreaterThan(report.rows[1].lossAgainstNominal, 0)
        XCTAssertGreaterThan(report.rows[2].lossAgainstNominal, report.rows[1].lossAgainstNominal)
    }

    func testTheControlCostIsTheSumOfSquaredActionsAndTheRestOfTheReturnIsDistance() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let environment = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
        let evaluation = try environment.evaluate(
            episodes: 3, seed: 5, act: { _, action in action = [0.5, -0.5] }, onEpisode: { _, _, _ in })
        XCTAssertEqual(evaluation.controlCosts, [25, 25, 25], "50 steps of 0.5² + 0.5²")
        XCTAssertEqual(evaluation.meanControlCost, 25)
        // The rest of each return is the summed distance, positive.
        for (total, control) in zip(evaluation.returns, evaluation.controlCosts) {
            XCTAssertGreaterThan(-total - control, 0)
        }
    }
}
