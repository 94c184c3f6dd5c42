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

    func testOneSeededEpisodeAgreesBetweenSimulatorAndLockstepEmulator() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let policy = trainedLikePolicy()

        let simulatedTask = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot))
        let simulated = ControlLoop(task: simulatedTask, policy: policy, realTime: false)
            .run(episodes: 1, duration: nil, seed: 77, recordTrajectory: true)

        let emulator = try DeviceEmulator(robot: robot, options: .init(timing: .lockstep))
        defer { emulator.stop() }
        let serial = try SerialArm(robot: robot, port: emulator.path)
        let serialTask = ReachEnvironment(robot: robot, backend: serial)
        let overWire = ControlLoop(task: serialTask, policy: policy, realTime: false)
            .run(episodes: 1, duration: nil, seed: 77, recordTrajectory: true)

        XCTAssertEqual(simulated.stopReason, .completed)
        XCTAssertEqual(overWire.stopReason, .completed)
        XCTAssertEqual(overWire.trajectory.count, 50)
        var worst = 0.0
        for (a, b) in zip(simulated.trajectory, overWire.trajectory) {
            for j in 0..<2 { worst = max(worst, abs(a[j] - b[j])) }
        }
        XCTAssertLessThan(worst, 1e-4, "joint trajectories differ by \(worst) rad")
        XCTAssertEqual(simulated.episodes[0].returnValue, overWire.episodes[0].returnValue, accuracy: 1e-3)
        XCTAssertGreaterThan(simulated.trajectory.map { abs($0[0]) }.max()!, 0.05, "the arm actually moved")
        XCTAssertFalse(serial.isActive, "torque off after the run")
        XCTAssertFalse(emulator.snapshot().status.contains(.enabled))
        print("sim vs lockstep emulator: max joint difference \(worst) rad, returns \(simulated.episodes[0].returnValue) vs \(overWire.episodes[0].returnValue)")
    }
}
