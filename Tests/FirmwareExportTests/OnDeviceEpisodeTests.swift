import FirmwareExport
import Foundation
import FirmwareLink
import Hardware
import Policy
import RobotModel
import Tasks
import TestSupport
import XCTest

/// Protocol 1.4 end to end: the emulated device runs the exported actor itself (GOAL), and its
/// episode tracks the same episode closed on the host (the Swift actor, ActuatedArm, TORQUE) on an
/// identical emulated arm, step for step in lockstep.
final class OnDeviceEpisodeTests: XCTestCase {
    private var emulators: [DeviceEmulator] = []

    override func tearDown() {
        for emulator in emulators { emulator.stop() }
        emulators.removeAll()
        super.tearDown()
    }

    private func emulator(_ robot: RobotDescription, actor: DeviceActor? = nil) throws -> DeviceEmulator {
        let emulator = try DeviceEmulator(robot: robot, options: .init(timing: .lockstep, watchdogPeriod: 5), actor: actor)
        emulators.append(emulator)
        return emulator
    }

    /// The arm at `start`, at rest, enabled: HOME (the emulator places it) then a new session.
    private func start(_ arm: SerialArm, at position: [Double], state: inout JointState) throws {
        try arm.activate(state: &state)
        try arm.rezero(position: position, state: &state)
        try arm.activate(state: &state)
    }

    private func deviceEpisode(_ arm: SerialArm, start position: [Double], goal: (x: Double, y: Double), steps: Int) throws -> [[Double]] {
        var state = JointState(jointCount: 2)
        try start(arm, at: position, state: &state)
        var positions: [[Double]] = []
        for _ in 0..<steps {
            try arm.actOnDevice(goal: [goal.x, goal.y], state: &state)
            XCTAssertTrue(arm.report.status.contains(.actor))
            positions.append(state.position)
        }
        arm.deactivate()
        return positions
    }

    func testEpisodeClosedOnTheDeviceTracksTheSameEpisodeClosedOnTheHost() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let policy = ActorFixtures.actor(robot: robot, seed: 21, spread: 3)
        let actor = try ExportedActor(policy: policy, robot: robot).deviceActor()
        // Values the wire carries exactly, so host and device start from the same numbers.
        let startPosition = [Double(Float(0.05)), Double(Float(-0.08))]
        let goal = (x: Double(Float(0.11)), y: Double(Float(-0.09)))
        let steps = 50

        // On the host: observation, actor, actuation stage, TORQUE; the device only applies it.
        let hostArm = try SerialArm(robot: robot, port: try emulator(robot).path)
        var hostState = JointState(jointCount: 2)
        try start(hostArm, at: startPosition, state: &hostState)
        let actuated = ActuatedArm(robot: robot, backend: hostArm)
        try actuated.begin(.measured, position: startPosition, velocity: [0, 0])
        let task = ReachTask(robot: robot)
        var observation = [Float](repeating: 0, count: task.observationSize)
        var action = [0.0, 0.0]
        var hostPositions: [[Double]] = []
        for _ in 0..<steps {
            task.observe(actuated.state, goal: goal, into: &observation)
            policy.act(observation: observation, into: &action)
            try actuated.command(action)
            hostPositions.append(actuated.state.position)
        }
        hostArm.deactivate()

        // On the device: the host only sends the goal.
        let deviceArm = try SerialArm(robot: robot, port: try emulator(robot, actor: actor).path)
        let devicePositions = try deviceEpisode(deviceArm, start: startPosition, goal: goal, steps: steps)

        var largest = 0.0
        for (host, device) in zip(hostPositions, devicePositions) {
            for j in 0..<2 { largest = max(largest, abs(host[j] - device[j])) }
        }
        let travelled = zip(hostPositions.last!, startPosition).map { abs($0 - $1) }.max()!
        print("episode on the device vs on the host, \(steps) steps: max |q difference| \(largest) rad; the arm moved \(travelled) rad")
        XCTAssertGreaterThan(travelled, 0.05, "the policy drives the arm somewhere")
        XCTAssertLessThanOrEqual(largest, 1e-5)

        // The comparison can fail: another goal gives another episode.
        let other = try deviceEpisode(deviceArm, start: startPosition, goal: (goal.x - 0.05, goal.y + 0.05), steps: steps)
        let apart = zip(hostPositions, other).map { max(abs($0[0] - $1[0]), abs($0[1] - $1[1])) }.max()!
        XCTAssertGreaterThan(apart, 1e-3)
    }

    /// `armature run --port P --on-device`: a trained policy's actor on the lockstep emulator, the
    /// command sending goals; and the refusal when the firmware holds no actor.
    func testRunOnDeviceDrivesTheFirmwaresActor() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("on-device-run-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let policyPath = try CommandRunner.tinyPolicy(in: directory)
        let (exported, _) = try loadDeviceActor(policyPath: policyPath, robot: robot)
        let device = try emulator(robot, actor: exported.deviceActor())
        let result = try CommandRunner.armature(
            ["run", "--port", device.path, "--policy", policyPath, "--on-device", "--episodes", "2", "--as-fast-as-possible"], timeout: 60)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("running the device's own actor on reacher"), result.stdout)
        XCTAssertTrue(result.stdout.contains("episode   1  mean distance"), result.stdout)
        XCTAssertFalse(device.snapshot().status.contains(.enabled), "torque off at the end")
        XCTAssertGreaterThan(device.snapshot().counters.rxFrames, 100, "a GOAL every period of two 50-step episodes")

        let plain = try emulator(robot)
        let refused = try CommandRunner.armature(
            ["run", "--port", plain.path, "--policy", policyPath, "--on-device", "--episodes", "1", "--as-fast-as-possible"], timeout: 60)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("holds no actor"), refused.stderr)
        XCTAssertFalse(plain.snapshot().status.contains(.enabled))
    }

    func testGoalIsRefusedByADeviceWithoutAnActor() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let arm = try SerialArm(robot: robot, port: try emulator(robot).path)
        var state = JointState(jointCount: 2)
        try arm.activate(state: &state)
        XCTAssertFalse(arm.canRunActor)
        XCTAssertThrowsError(try arm.actOnDevice(goal: [0.1, 0.1], state: &state)) { error in
            XCTAssertEqual(error as? FirmwareLinkError, .unsupported(port: arm.link.path, request: .goal, version: "1.4"))
        }
        arm.deactivate()
    }

    func testEmulatorRefusesAnActorForAnotherArm() throws {
        let reacher = try RepositoryFiles.robot("reacher")
        let threeJoints = try RepositoryFiles.robot("three-joint-planar")
        let actor = try ExportedActor(policy: ActorFixtures.actor(robot: threeJoints, hidden: [8], seed: 2), robot: threeJoints).deviceActor()
        XCTAssertThrowsError(try DeviceEmulator(robot: reacher, options: .init(timing: .lockstep), actor: actor)) { error in
            guard case DeviceEmulatorError.actorRefused = error else { return XCTFail("\(error)") }
        }
    }
}
