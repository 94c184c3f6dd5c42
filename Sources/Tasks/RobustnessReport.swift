import Hardware
import RobotModel

/// How one controller does on plants other than the one it was trained on: the reach task on each
/// `PlantVariation` of a grid, from the same seed (so every condition sees the same starts and
/// goals), and the loss of each against the nominal plant.
public struct RobustnessReport: Sendable, Equatable, Codable {
    public struct Row: Sendable, Equatable, Codable {
        public var condition: PlantVariation
        public var evaluation: ReachEvaluation
        /// Mean return on the nominal plant minus on this one (positive: worse here).
        public var lossAgainstNominal: Double
    }

    public var rows: [Row]
    public var episodes: Int
    public var seed: UInt64

    /// Runs `episodes` episodes per condition with `act`; the first condition named `nominal`, or
    /// else the first condition, is the baseline of the losses.
    public static func evaluate(
        robot: RobotDescription, conditions: [PlantVariation], episodes: Int, seed: UInt64, successRadius: Double = 0.01,
        previousAction: Bool = false,
        act: ([Float], inout [Double]) -> Void, onCondition: (Row) -> Void = { _ in }
    ) throws -> RobustnessReport {
        var evaluations: [(PlantVariation, ReachEvaluation)] = []
        for condition in conditions {
            let arm = SimulatedArm(robot: condition.applied(to: robot), seed: seed)
            // The controller's own view of the arm — actuator map, guard, task — stays the nominal description.
            let environment = ReachEnvironment(robot: robot, backend: arm, previousAction: previousAction)
            defer { arm.deactivate() }
            evaluations.append((condition, try environment.evaluate(episodes: episodes, seed: seed, successRadius: successRadius, act: act)))
        }
        let baseline = (evaluations.first { $0.0.name == PlantVariation.nominal.name } ?? evaluations[0]).1.meanReturn
        let rows = evaluations.map { Row(condition: $0.0, evaluation: $0.1, lossAgainstNominal: baseline - $0.1.meanReturn) }
        rows.forEach(onCondition)
        return RobustnessReport(rows: rows, episodes: episodes, seed: seed)
    }
}
