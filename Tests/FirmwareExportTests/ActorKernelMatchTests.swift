import CArmProto
import DeterministicRandom
import FirmwareExport
import Hardware
import Policy
import RobotModel
import Tasks
import TestSupport
import XCTest

/// The device's C inference kernel (firmware-protocol/src/armproto_actor.c) against the Swift
/// actor and the Swift actuation stage it stands in for on the device.
final class ActorKernelMatchTests: XCTestCase {
    /// Largest |C − Swift| over every output of every observation.
    private func largestDifference(_ policy: ActorPolicy, _ actor: DeviceActor, observations: [[Float]]) -> Float {
        var swiftAction = [Double](repeating: 0, count: policy.actionSize)
        var cAction = [Float](repeating: 0, count: policy.actionSize)
        let scratch = UnsafeMutablePointer<armproto_actor_scratch>.allocate(capacity: 1)
        defer { scratch.deallocate() }
        var largest: Float = 0
        for observation in observations {
            policy.act(observation: observation, into: &swiftAction)
            armproto_actor_forward(actor.pointer, observation, &cAction, scratch)
            for i in 0..<policy.actionSize {
                let difference = abs(cAction[i] - Float(swiftAction[i]))
                largest = max(largest, difference.isNaN ? .infinity : difference)
            }
        }
        return largest
    }

    func testCKernelMatchesSwiftActorWithin1e5OnReacherShape() throws {
        let robot = try RepositoryFiles.robot("reacher")
        for (seed, spread) in [(UInt64(1), Float(1)), (2, 30)] {
            let policy = ActorFixtures.actor(robot: robot, seed: seed, spread: spread)
            let actor = try ExportedActor(policy: policy, robot: robot).deviceActor()
            XCTAssertEqual(actor.observationSize, 10)
            let observations = ActorFixtures.observations(size: 10, count: 500, seed: 10 + seed)
            let largest = largestDifference(policy, actor, observations: observations)
            print("C kernel vs Swift actor, 10-256-256-2 (seed \(seed), spread \(spread)): max |diff| \(largest) over \(observations.count) observations × 2 outputs")
            XCTAssertLessThanOrEqual(largest, 1e-5)
        }
    }

    func testCKernelMatchesWithActionScaleAndPreviousActionOnThreeJoints() throws {
        let robot = try RepositoryFiles.robot("three-joint-planar")
        let policy = ActorFixtures.actor(
            robot: robot, hidden: [64, 32, 48], seed: 3, previousAction: true, spread: 5, actionScale: [0.5, 2, 1], actionBias: [0.1, -0.2, 0])
        let actor = try ExportedActor(policy: policy, robot: robot).deviceActor()
        XCTAssertEqual(actor.observationSize, 16)
        let largest = largestDifference(policy, actor, observations: ActorFixtures.observations(size: 16, count: 300, seed: 4))
        XCTAssertLessThanOrEqual(largest, 1e-5)
    }

    /// The comparison can fail: one weight moved by 1e-3 in the C copy shows.
    func testOneWeightPerturbedBy1e3IsCaught() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let policy = ActorFixtures.actor(robot: robot, seed: 1, spread: 10)
        let exported = try ExportedActor(policy: policy, robot: robot)
        let network = policy.network
        var layers = network.layers.enumerated().map { i, layer in
            DeviceActor.Layer(weight: exported.weights[i], bias: exported.biases[i], inputs: layer.inputs, outputs: layer.outputs, activation: i == 2 ? 2 : 1)
        }
        layers[2].weight[7] += 1e-3
        let perturbed = try XCTUnwrap(DeviceActor(layers: layers, robot: robot, previousAction: false, actionScale: [1, 1], actionBias: [0, 0]))
        let largest = largestDifference(policy, perturbed, observations: ActorFixtures.observations(size: 10, count: 100, seed: 5))
        XCTAssertGreaterThan(largest, 1e-5)
    }

    func testKernelRefusesNonFiniteWeightsAndShapesThatDoNotChain() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let good = DeviceActor.Layer(weight: Array(repeating: 0.1, count: 40), bias: [0, 0, 0, 0], inputs: 10, outputs: 4, activation: 1)
        let last = DeviceActor.Layer(weight: Array(repeating: 0.1, count: 8), bias: [0, 0], inputs: 4, outputs: 2, activation: 2)
        XCTAssertNotNil(DeviceActor(layers: [good, last], robot: robot, previousAction: false, actionScale: [1, 1], actionBias: [0, 0]))
        var nan = good
        nan.weight[3] = .nan
        XCTAssertNil(DeviceActor(layers: [nan, last], robot: robot, previousAction: false, actionScale: [1, 1], actionBias: [0, 0]))
        var wide = last
        wide.inputs = 5
        wide.weight = Array(repeating: 0.1, count: 10)
        XCTAssertNil(DeviceActor(layers: [good, wide], robot: robot, previousAction: false, actionScale: [1, 1], actionBias: [0, 0]))
        // The previous-action layout needs 12 inputs on two joints.
        XCTAssertNil(DeviceActor(layers: [good, last], robot: robot, previousAction: true, actionScale: [1, 1], actionBias: [0, 0]))
    }

    /// armproto_actor_observe builds what ReachTask.observe builds from the same float32 readings.
    func testCObservationMatchesReachTask() throws {
        for (name, previous) in [("reacher", false), ("three-joint-planar", true)] {
            let robot = try RepositoryFiles.robot(name)
            let n = robot.jointCount
            let task = ReachTask(robot: robot, previousAction: previous)
            let policy = ActorFixtures.actor(robot: robot, hidden: [8], seed: 9, previousAction: previous)
            let actor = try ExportedActor(policy: policy, robot: robot).deviceActor()
            var random = Xoshiro256(seed: 6)
            var state = JointState(jointCount: n)
            var swiftObservation = [Float](repeating: 0, count: task.observationSize)
            var cObservation = [Float](repeating: 0, count: task.observationSize)
            for _ in 0..<200 {
                let q = (0..<n).map { _ in Float(random.uniform(-4, 4)) }
                let qd = (0..<n).map { _ in Float(random.uniform(-30, 30)) }
                let goal = (Float(random.uniform(-0.3, 0.3)), Float(random.uniform(-0.3, 0.3)))
                let previousAction = (0..<n).map { _ in Float(random.uniform(-1.5, 1.5)) }
                state.position = q.map(Double.init)
                state.velocity = qd.map(Double.init)
                task.observe(state, goal: (Double(goal.0), Double(goal.1)), previousAction: previousAction.map(Double.init), into: &swiftObservation)
                armproto_actor_observe(actor.pointer, q, qd, [goal.0, goal.1], previousAction, &cObservation)
                for i in 0..<task.observationSize { XCTAssertEqual(cObservation[i], swiftObservation[i], accuracy: 1e-6, "\(name) value \(i)") }
            }
        }
    }

    /// armproto_actor_torques gives what ActuatorMap then SafetyGuard give (no filters), limits included.
    func testCTorquesMatchActuatorMapAndGuard() throws {
        var robot = try RepositoryFiles.robot("reacher")
        robot.joints[0].velocityLimit = 5
        robot.joints[1].torque = Limits(low: -50, high: 120)
        let policy = ActorFixtures.actor(robot: robot, hidden: [8], seed: 9)
        let actor = try ExportedActor(policy: policy, robot: robot).deviceActor()
        let map = ActuatorMap(robot: robot)
        var safety = SafetyGuard(robot: robot)
        var random = Xoshiro256(seed: 7)
        var state = JointState(jointCount: 2)
        var swiftTorques = [0.0, 0.0]
        var cTorques: [Float] = [0, 0]
        var guarded = 0
        for _ in 0..<2000 {
            let action = (0..<2).map { _ in Float(random.uniform(-1.3, 1.3)) }
            let q = (0..<2).map { _ in Float(random.uniform(-3.3, 3.3)) }
            let qd = (0..<2).map { _ in Float(random.uniform(-8, 8)) }
            state.position = q.map(Double.init)
            state.velocity = qd.map(Double.init)
            try map.torques(actions: action.map(Double.init), into: &swiftTorques)
            let before = safety.interventions.total
            safety.apply(torques: &swiftTorques, state: state)
            let flags = armproto_actor_torques(actor.pointer, action, q, qd, &cTorques)
            XCTAssertEqual(flags != 0, safety.interventions.total != before)
            if flags != 0 { guarded += 1 }
            for j in 0..<2 { XCTAssertEqual(cTorques[j], Float(swiftTorques[j]), "joint \(j) action \(action) q \(q) qd \(qd)") }
        }
        XCTAssertGreaterThan(guarded, 100, "the cases reach the guard's cuts")
        // A NaN action: every torque zero, the joint named.
        cTorques = [1, 1]
        XCTAssertEqual(armproto_actor_torques(actor.pointer, [0.5, .nan], [0, 0], [0, 0], &cTorques), -2)
        XCTAssertEqual(cTorques, [0, 0])
    }
}
