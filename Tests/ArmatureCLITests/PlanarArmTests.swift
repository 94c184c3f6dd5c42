import Foundation
import NeuralNetwork
import TestSupport
import XCTest

/// Arms of any joint count go through every command: the reach task builds the planar-reach
/// observation for them, and the actuation layer, the simulator, the wire and the emulator take n joints.
final class PlanarArmTests: XCTestCase {
    func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-planar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    func testSixAndThreeJointArmsTrainEvaluateAndDeployThroughTheEmulator() throws {
        for (robot, joints) in [("robots/six-joint-planar.yaml", 6), ("robots/three-joint-planar.yaml", 3)] {
            let directory = try temporaryDirectory()
            let run = directory + "/run"
            let train = try CommandRunner.armature([
                "train", "--robot", robot, "--steps", "150", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "60",
                "--checkpoint-every", "0", "--out", run,
            ])
            XCTAssertEqual(train.status, 0, "\(robot): \(train.stderr)")
            let policy = run + "/actor.safetensors"
            let file = try SafeTensors.read(path: policy)
            XCTAssertEqual(file.metadata["observation_layout"], "planar-reach", robot)
            XCTAssertEqual(file.tensors["fc1.weight"]?.shape, [8, 3 * joints + 4], "cos q, sin q, goal, q̇, tip − goal")
            XCTAssertEqual(file.tensors["fc_mu.weight"]?.shape, [joints, 8])

            let evaluation = try CommandRunner.armature(["eval", "--robot", robot, "--policy", policy, "--episodes", "2"])
            XCTAssertEqual(evaluation.status, 0, "\(robot): \(evaluation.stderr)")
            let rollout = try CommandRunner.armature(["rollout", "--robot", robot, "--episodes", "2"])
            XCTAssertEqual(rollout.status, 0, "\(robot): \(rollout.stderr)")

            let simulated = try CommandRunner.armature(["run", "--robot", robot, "--policy", policy, "--sim", "--episodes", "1", "--as-fast-as-possible"])
            XCTAssertEqual(simulated.status, 0, "\(robot): \(simulated.stderr)")
            XCTAssertTrue(simulated.stdout.contains("stop: completed; torque off"), simulated.stdout)

            let link = directory + "/link"
            let emulator = try RunningCommand(["emulate", "--robot", robot, "--link", link, "--lockstep"])
            defer {
                emulator.send(SIGTERM)
                _ = emulator.waitForExit(timeout: 10)
            }
            XCTAssertTrue(emulator.waitForOutput(containing: "emulating", timeout: 20), emulator.standardError)
            let serial = try CommandRunner.armature(
                ["run", "--robot", robot, "--policy", policy, "--port", link, "--episodes", "2", "--as-fast-as-possible"], timeout: 60)
            XCTAssertEqual(serial.status, 0, "\(robot): \(serial.stderr)")
            XCTAssertTrue(serial.stdout.contains("stop: completed; torque off"), serial.stdout)
            XCTAssertTrue(serial.stdout.contains(" 0 lost replies"), serial.stdout)
            XCTAssertTrue(serial.stdout.contains("MOVE "), "episodes start by moving the arm: \(serial.stdout)")
            XCTAssertFalse(serial.stdout.contains("HOME"), "and never by re-zeroing it: \(serial.stdout)")

            let target = Array(repeating: "0.2", count: joints).joined(separator: ",")
            let move = try CommandRunner.armature(["move", "--robot", robot, "--port", link, "--to", target], timeout: 60)
            XCTAssertEqual(move.status, 0, "\(robot): \(move.stderr)")
            XCTAssertTrue(move.stdout.contains("settled at"), move.stdout)
        }
    }
}
