import DeterministicRandom
import Hardware
import NeuralNetwork
import Policy
import RobotModel
import Runtime
import Tasks
import TestSupport
import XCTest

/// The deploy loop over the serial link to the lockstep emulator (the firmware's C state machine
/// on a pseudo-terminal, the simulator as its arm) against the same loop on the simulator alone.
final class SimulatorEmulatorEquivalenceTests: XCTestCase {
    func trainedLikePolicy() -> ActorPolicy {
        var random = Xoshiro256(seed: 21)
        let network = MLP(sizes: [10, 64, 64, 2], activations: [.relu, .relu, .tanh])
        network.initializeLikePyTorch(using: &random)
        return ActorPolicy(
            network: network,
            metadata: PolicyMetadata(observationLayout: "reacher-v5", jointNames: ["shoulder", "elbow"], robotName: "reacher", robotFingerprint: "", activations: ["relu", "relu", "tanh"]))
    }

    /// Both episodes start as hardware episodes do, by a MOVE to the sampled pose: the simulated
    /// arm runs the device's own controller, so the starts agree too.
    func testOneSeededEpisodeAgreesBetweenSimulatorAndLockstepEmulator() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let policy = trainedLikePolicy()

        let simulatedTask = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot), episodeStart: .move)
        let simulated = ControlLoop(environment: simulatedTask, policy: policy, realTime: false)
            .run(episodes: 1, duration: nil, seed: 77, recordTrajectory: true)

        let emulator = try DeviceEmulator(robot: robot, options: .init(timing: .lockstep))
        defer { emulator.stop() }
        // A lost MOVE reply is sent again, which in lockstep moves the arm one period more: a
        // generous timeout keeps a busy machine from losing one (the wire is a pty).
        let serial = try SerialArm(robot: robot, port: emulator.path, timeout: 0.5)
        let serialTask = ReachEnvironment(robot: robot, backend: serial)
        let overWire = ControlLoop(environment: serialTask, policy: policy, realTime: false)
            .run(episodes: 1, duration: nil, seed: 77, recordTrajectory: true)

        XCTAssertEqual(simulated.stopReason, .completed)
        XCTAssertEqual(overWire.stopReason, .completed)
        XCTAssertEqual(overWire.trajectory.count, 50)
        var worst = 0.0
        for (a, b) in zip(simulated.trajectory, overWire.trajectory) {
            for j in 0..<2 { worst = max(worst, abs(a[j] - b[j])) }
        }
        XCTAssertLessThan(worst, 1e-4, "joint trajectories differ by \(worst) rad")
        XCTAssertEqual(simulatedTask.arm.lastMove?.periods, serialTask.arm.lastMove?.periods, "the start move took as long")
        XCTAssertEqual(simulated.episodes[0].returnValue, overWire.episodes[0].returnValue, accuracy: 1e-3)
        XCTAssertGreaterThan(simulated.trajectory.map { abs($0[0]) }.max()!, 0.05, "the arm actually moved")
        XCTAssertFalse(serial.isActive, "torque off after the run")
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled))
        XCTAssertEqual(serial.linkStatistics.requests[.home], nil, "no episode start re-zeroes the arm")
        XCTAssertGreaterThan(serial.linkStatistics.requests[.move] ?? 0, 0)
        print("sim vs lockstep emulator: max joint difference \(worst) rad, returns \(simulated.episodes[0].returnValue) vs \(overWire.episodes[0].returnValue)")
    }

    /// HOME re-zeroes a real arm's encoders; an episode start must never send it, whichever way it starts.
    func testEpisodeStartsOnTheSerialBackendNeverSendHome() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let emulator = try DeviceEmulator(robot: robot, options: .init(timing: .lockstep))
        defer { emulator.stop() }
        let serial = try SerialArm(robot: robot, port: emulator.path, timeout: 0.5)
        let task = ReachEnvironment(robot: robot, backend: serial)
        XCTAssertEqual(task.episodeStart, .move, "the default on hardware")
        let moved = ControlLoop(environment: task, policy: trainedLikePolicy(), realTime: false).run(episodes: 3, duration: nil, seed: 5)
        XCTAssertEqual(moved.stopReason, .completed)
        let afterMoves = serial.linkStatistics.requests
        XCTAssertNil(afterMoves[.home])
        XCTAssertGreaterThanOrEqual(afterMoves[.move] ?? 0, 3, "each episode moved to its start")

        task.episodeStart = .measured
        let measured = ControlLoop(environment: task, policy: trainedLikePolicy(), realTime: false).run(episodes: 2, duration: nil, seed: 6)
        XCTAssertEqual(measured.stopReason, .completed)
        XCTAssertNil(serial.linkStatistics.requests[.home])
        XCTAssertEqual(serial.linkStatistics.requests[.move], afterMoves[.move], "measured starts move nothing")
        XCTAssertEqual(emulator.snapshot().homes, 0, "the device re-zeroed nothing")
        XCTAssertThrowsError(try task.arm.begin(.place, position: [0, 0], velocity: [0, 0])) { error in
            XCTAssertEqual(error as? BackendError, .cannotPlace)
        }
    }
}
