import DeterministicRandom
import Dynamixel
import Foundation
import Hardware
import Policy
import RobotModel
import Tasks
import TestSupport
import XCTest

/// A trained reach policy deployed through the lockstep bus emulator against the same policy on
/// the simulator, episode by episode from the same start: equal to a simulator seen through the
/// servos' units (whole ticks, velocity units and units of current), and within what those units
/// cost of the plain simulator.
final class LockstepDeployTests: XCTestCase {
    typealias Table = XSeriesControlTable

    /// The simulator as the servos see it: torque in whole units of Goal Current, position in whole
    /// ticks, velocity in whole units of 0.229 rpm. The reference the bus must equal.
    private final class ServoUnitsArm: ArmBackend {
        let plant: SimulatedArm
        let torqueUnit: Double
        let offset: Double
        var torques = [0.0, 0.0]
        init(robot: RobotDescription) {
            plant = SimulatedArm(robot: robot)
            let servo = robot.bus!.servos[0]
            torqueUnit = servo.torqueConstant * servo.model.currentUnit
            offset = Double(servo.offset)
        }
        var jointCount: Int { plant.jointCount }
        var controlPeriod: Double { plant.controlPeriod }
        var isActive: Bool { plant.isActive }
        var canPlace: Bool { true }
        func activate(state: inout JointState) throws {
            try plant.activate(state: &state)
            quantize(&state)
        }
        func step(torques: [Double], state: inout JointState) throws {
            for i in 0..<jointCount { self.torques[i] = (torques[i] / torqueUnit).rounded() * torqueUnit }
            try plant.step(torques: self.torques, state: &state)
            quantize(&state)
        }
        func read(state: inout JointState) throws {
            try plant.read(state: &state)
            quantize(&state)
        }
        func place(position: [Double], velocity: [Double], state: inout JointState) throws {
            try plant.place(position: position, velocity: velocity, state: &state)
            quantize(&state)
        }
        func move(to position: [Double], profile: MoveProfile, state: inout JointState) throws -> MoveOutcome {
            let outcome = try plant.move(to: position, profile: profile, state: &state)
            quantize(&state)
            return outcome
        }
        func deactivate() { plant.deactivate() }
        private func quantize(_ state: inout JointState) {
            for i in 0..<jointCount {
                // As the emulator reports them and DynamixelArm converts them back.
                let ticks = offset + (state.position[i] / Table.positionUnit).rounded()
                state.position[i] = (ticks - offset) * Table.positionUnit
                state.velocity[i] = (state.velocity[i] / Table.velocityUnit).rounded() * Table.velocityUnit
            }
        }
    }

    func testAReachPolicyThroughTheLockstepBusReturnsWhatTheSimulatorDoes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-dxl-deploy-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trained = try CommandRunner.armature([
            "train", "--robot", "robots/xm430-two-joint.yaml", "--steps", "2000", "--learning-starts", "500", "--hidden", "64,64",
            "--checkpoint-every", "0", "--out", directory,
        ])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let (policy, _) = try ActorPolicy.load(path: directory + "/actor.safetensors", expecting: nil)

        var robot = try RepositoryFiles.robot("xm430-two-joint")
        robot.bus?.timeout = 0.2  // a loaded machine's late status is not a lost one
        robot.bus?.watchdog = 2.54
        let emulator = try BusEmulator(robot: robot, options: .init(timing: .lockstep))
        defer { emulator.stop() }
        let arm = try DynamixelArm(robot: robot, port: emulator.path)
        defer { arm.deactivate() }
        let viaBus = ReachEnvironment(robot: robot, backend: arm)
        XCTAssertEqual(viaBus.episodeStart, .move, "a Dynamixel arm's episodes start by moving it")
        let simulated = ReachEnvironment(robot: robot, backend: SimulatedArm(robot: robot), episodeStart: .place)
        let inServoUnits = ReachEnvironment(robot: robot, backend: ServoUnitsArm(robot: robot), episodeStart: .place)

        var random = Xoshiro256(seed: 11)
        var position = [0.0, 0.0]
        var velocity = [0.0, 0.0]
        var observation = [Float](repeating: 0, count: viaBus.observationSize)
        var action = [0.0, 0.0]
        var differences: [Double] = []
        var unitDifferences: [Double] = []
        for _ in 0..<5 {
            let goal = viaBus.task.sampleStart(&random, position: &position, velocity: &velocity)
            // The servos are moved to the start; the simulator starts exactly where they stopped.
            try viaBus.start(position: position, velocity: velocity, goal: goal, observation: &observation)
            let reached = emulator.snapshot()
            var simulatedObservation = observation
            try simulated.start(position: reached.position, velocity: reached.velocity, goal: goal, observation: &simulatedObservation)
            var unitsObservation = observation
            try inServoUnits.start(position: reached.position, velocity: reached.velocity, goal: goal, observation: &unitsObservation)
            var returns = (bus: 0.0, simulator: 0.0, units: 0.0)
            for _ in 0..<viaBus.maxEpisodeSteps {
                policy.act(observation: observation, into: &action)
                returns.bus += try viaBus.step(action: action, observation: &observation).reward
                policy.act(observation: simulatedObservation, into: &action)
                returns.simulator += try simulated.step(action: action, observation: &simulatedObservation).reward
                policy.act(observation: unitsObservation, into: &action)
                returns.units += try inServoUnits.step(action: action, observation: &unitsObservation).reward
            }
            differences.append(abs(returns.bus - returns.simulator))
            unitDifferences.append(abs(returns.bus - returns.units))
            print(String(format: "return via the bus %.6f, simulator %.6f, simulator in servo units %.6f", returns.bus, returns.simulator, returns.units))
        }
        print("largest return difference over \(differences.count) episodes: \(differences.max()!) from the simulator, "
            + "\(unitDifferences.max()!) from the simulator in servo units")
        XCTAssertLessThan(unitDifferences.max()!, 1e-9, "the bus is the simulator seen through the servos' units")
        // A tick is 1.5 mrad: at the fingertip (0.22 m) up to 1.7e-4 m of distance per step read, so
        // 50 steps of reward can differ by ~1e-2 from the unquantized simulator by reading alone.
        XCTAssertLessThan(differences.max()!, 0.05)
        XCTAssertEqual(arm.lostStatuses, 0)
    }
}
