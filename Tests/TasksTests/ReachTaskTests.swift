import Foundation
import Hardware
import RobotModel
import Tasks
import TestSupport
import XCTest

final class ReachTaskTests: XCTestCase {
    func makeTask(_ name: String = "reacher") throws -> ReachEnvironment {
        let robot = try RepositoryFiles.robot(name)
        return ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
    }

    /// Gymnasium Reacher-v5 recorded from a set state (reference/mujoco/reacher_v5_steps.csv).
    func testObservationsAndRewardsMatchGymnasiumReacherV5() throws {
        let reference = try RepositoryFiles.csv("reference/mujoco/reacher_v5_steps.csv")
        let task = try makeTask()
        var observation = [Float](repeating: 0, count: 10)
        try task.start(position: [0.2, -0.3], velocity: [0.1, -0.2], goal: (0.05, 0.12), observation: &observation)
        for i in 0..<10 { XCTAssertEqual(Double(observation[i]), reference["obs\(i)"]![0], accuracy: 1e-6, "initial obs\(i)") }
        for step in 1..<reference["step"]!.count {
            let action = [reference["a0"]![step], reference["a1"]![step]]
            let outcome = try task.step(action: action, observation: &observation)
            // MuJoCo reports the fingertip from its last RK4 stage, up to ~4e-6 m from the final pose.
            for i in 0..<10 {
                XCTAssertEqual(Double(observation[i]), reference["obs\(i)"]![step], accuracy: 2e-5, "step \(step) obs\(i)")
            }
            XCTAssertEqual(outcome.reward, reference["reward"]![step], accuracy: 2e-5, "step \(step) reward")
            XCTAssertFalse(outcome.terminated)
        }
    }

    func testRewardIsMinusDistanceMinusSquaredAction() throws {
        let task = try makeTask()
        var observation = [Float](repeating: 0, count: 10)
        try task.reset(seed: 5, observation: &observation)
        let outcome = try task.step(action: [0.5, -2.0], observation: &observation)
        XCTAssertEqual(outcome.reward, -task.distance - (0.25 + 4.0), accuracy: 1e-12, "unclipped action, as Gymnasium")
        let dx = Double(observation[8])
        let dy = Double(observation[9])
        XCTAssertEqual(task.distance, (dx * dx + dy * dy).squareRoot(), accuracy: 1e-6)
    }

    func testEpisodesTruncateAtFiftyStepsAndNeverTerminate() throws {
        let task = try makeTask()
        var observation = [Float](repeating: 0, count: 10)
        try task.reset(seed: 1, observation: &observation)
        for step in 1...50 {
            let outcome = try task.step(action: [0.1, 0.1], observation: &observation)
            XCTAssertFalse(outcome.terminated)
            XCTAssertEqual(outcome.truncated, step == 50)
        }
    }

    func testResetsAreReproducibleForASeed() throws {
        func trajectory(seed: UInt64) throws -> [[Float]] {
            let task = try makeTask()
            var observation = [Float](repeating: 0, count: 10)
            var out: [[Float]] = []
            for episode in 0..<3 {
                try task.reset(seed: episode == 0 ? seed : nil, observation: &observation)
                out.append(observation)
                for _ in 0..<5 {
                    _ = try task.step(action: [0.3, -0.2], observation: &observation)
                    out.append(observation)
                }
            }
            return out
        }
        XCTAssertEqual(try trajectory(seed: 42), try trajectory(seed: 42))
        XCTAssertNotEqual(try trajectory(seed: 42), try trajectory(seed: 43))
    }

    func testTargetsAndInitialStatesFollowReacherV5Distributions() throws {
        let task = try makeTask()
        var observation = [Float](repeating: 0, count: 10)
        var targets: [(Double, Double)] = []
        try task.reset(seed: 9, observation: &observation)
        for _ in 0..<2000 {
            try task.reset(seed: nil, observation: &observation)
            let t = task.goal
            XCTAssertLessThan((t.x * t.x + t.y * t.y).squareRoot(), 0.2)
            XCTAssertEqual(Double(observation[4]), t.x, accuracy: 1e-7)
            XCTAssertEqual(Double(observation[5]), t.y, accuracy: 1e-7)
            for j in 0..<2 {
                XCTAssertLessThanOrEqual(abs(task.state.position[j]), 0.1)
                XCTAssertLessThanOrEqual(abs(task.state.velocity[j]), 0.005)
            }
            targets.append(t)
        }
        // Uniform in the disk: a quarter of targets inside radius 0.1 (area ratio), each quadrant a quarter.
        let inner = Double(targets.filter { ($0.0 * $0.0 + $0.1 * $0.1).squareRoot() < 0.1 }.count) / 2000
        XCTAssertEqual(inner, 0.25, accuracy: 0.04)
        let firstQuadrant = Double(targets.filter { $0.0 > 0 && $0.1 > 0 }.count) / 2000
        XCTAssertEqual(firstQuadrant, 0.25, accuracy: 0.04)
    }

    func testANonFiniteActionIsRefusedBeforeReachingTheArm() throws {
        let task = try makeTask()
        var observation = [Float](repeating: 0, count: 10)
        try task.reset(seed: 1, observation: &observation)
        let before = task.state
        XCTAssertThrowsError(try task.step(action: [.nan, 0], observation: &observation))
        XCTAssertEqual(task.state, before, "the arm was not stepped")
    }

    /// Any planar arm gets the reach layout in Reacher-v5's order — cos q, sin q, goal, q̇, tip − goal —
    /// under the name reacher-v5 for two joints (interchangeable with Gymnasium) and planar-reach otherwise,
    /// with a goal disk of 95 % of the arm's reach (Reacher-v5's 0.2 m on two joints).
    func testAnyPlanarArmGetsTheReachLayoutInReacherOrder() throws {
        let robot = try RepositoryFiles.robot("six-joint-planar")
        let task = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
        XCTAssertEqual(task.layout, .planarReach)
        XCTAssertEqual(task.observationSize, 22)
        XCTAssertEqual(task.task.goalRadius, 0.95 * 0.99, accuracy: 1e-12)
        XCTAssertEqual(try makeTask().layout, .reacherV5)
        XCTAssertEqual(try makeTask().task.goalRadius, 0.2)
        let q = [0.1, -0.2, 0.3, -0.4, 0.5, -0.6]
        let qd = [1.0, 2, 3, 4, 5, 6]
        var observation = [Float](repeating: .nan, count: 22)
        try task.start(position: q, velocity: qd, goal: (0.3, -0.2), observation: &observation)
        let tip = task.fingertip
        let expected = q.map { Float(cos($0)) } + q.map { Float(sin($0)) } + [0.3, -0.2] + task.state.velocity.map(Float.init)
            + [Float(tip.x - 0.3), Float(tip.y + 0.2)]
        XCTAssertEqual(observation, expected)
        let outcome = try task.step(action: [0.5, 0, 0, 0, 0, -0.5], observation: &observation)
        XCTAssertEqual(outcome.reward, -task.distance - 0.5, accuracy: 1e-12)
    }

    func testTheScriptedControllerBeatsDoingNothing() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let controller = ScriptedReacher(linkLengths: [0.1, 0.11], stiffness: 20, damping: 0.06)
        func meanReturn(_ act: ([Float], inout [Double]) -> Void) throws -> Double {
            let task = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
            var observation = [Float](repeating: 0, count: 10)
            var action = [0.0, 0.0]
            var total = 0.0
            for episode in 0..<20 {
                try task.reset(seed: episode == 0 ? 11 : nil, observation: &observation)
                var done = false
                while !done {
                    act(observation, &action)
                    let outcome = try task.step(action: action, observation: &observation)
                    total += outcome.reward
                    done = outcome.truncated
                }
            }
            return total / 20
        }
        let scripted = try meanReturn { controller.act(observation: $0, into: &$1) }
        let idle = try meanReturn { _, action in action = [0, 0] }
        XCTAssertGreaterThan(scripted, idle + 1)
    }
}

/// The `+previous-action` layouts: the plain layout's values, then the action sent one period before.
final class PreviousActionLayoutTests: XCTestCase {
    func testObservationsEndWithThePreviousActionClampedAndZeroAtEachStart() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let plain = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
        let remembering = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot), previousAction: true)
        XCTAssertEqual(remembering.layout, .reacherV5PreviousAction)
        XCTAssertEqual(remembering.observationSize, 12)
        var a = [Float](repeating: 0, count: 10)
        var b = [Float](repeating: .nan, count: 12)
        try plain.reset(seed: 3, observation: &a)
        try remembering.reset(seed: 3, observation: &b)
        XCTAssertEqual(Array(b[..<10]), a, "the same ten values first")
        XCTAssertEqual(Array(b[10...]), [0, 0], "no previous action at a start")
        for action in [[0.5, -0.25], [3.0, -7.0], [-0.125, 1.0]] {
            _ = try plain.step(action: action, observation: &a)
            _ = try remembering.step(action: action, observation: &b)
            XCTAssertEqual(Array(b[..<10]), a)
            XCTAssertEqual(Array(b[10...]), action.map { Float(min(max($0, -1), 1)) }, "as the actuator map reads it")
        }
        XCTAssertThrowsError(try remembering.step(action: [.nan, 0], observation: &b))
        XCTAssertEqual(remembering.previousAction, [-0.125, 1.0], "a refused action is not remembered")
        try remembering.reset(seed: nil, observation: &b)
        XCTAssertEqual(Array(b[10...]), [0, 0])
    }

    func testEveryArmHasALayoutWithThePreviousActionSizedForItsJoints() {
        for joints in 1...7 {
            let layout = ObservationLayout.forPlanarArm(joints: joints, previousAction: true)
            XCTAssertTrue(layout.includesPreviousAction)
            XCTAssertTrue(layout.fits(joints: joints))
            XCTAssertEqual(layout.size(joints: joints), 4 * joints + 4)
            XCTAssertEqual(layout.rawValue, (joints == 2 ? "reacher-v5" : "planar-reach") + "+previous-action")
            XCTAssertFalse(ObservationLayout.forPlanarArm(joints: joints).includesPreviousAction)
        }
    }
}
