import DeterministicRandom
import Foundation
import Hardware
import NeuralNetwork
import Policy
import RobotModel
import Tasks
import TestSupport
import XCTest

@testable import FirmwareExport

/// The C header writer: exact literals, refusals of policies that cannot drive the robot, and the
/// committed fixture that firmware-protocol's C tests compile (`make test`).
final class ActorCSourceTests: XCTestCase {
    func testFloatLiteralsReadBackBitForBit() {
        var random = Xoshiro256(seed: 12)
        var values: [Float] = [0, -0.0, 1, -1, 0.125, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, -3.0e-41]
        for _ in 0..<20000 { values.append(Float(bitPattern: UInt32(truncatingIfNeeded: random.next()))) }
        for value in values where value.isFinite {
            let literal = CLiteral.float(value)
            XCTAssertTrue(literal.hasSuffix("f"))
            let parsed = Float(String(literal.dropLast()))
            XCTAssertEqual(parsed?.bitPattern, value.bitPattern, "\(value) written as \(literal)")
        }
        XCTAssertEqual(CLiteral.float(0.375), "0x1.8p-2f")
        XCTAssertEqual(CLiteral.float(1), "0x1p0f")
    }

    func testDoubleLiteralsReadBackBitForBit() {
        var random = Xoshiro256(seed: 13)
        for _ in 0..<20000 {
            let value = Double(bitPattern: random.next())
            guard value.isFinite else { continue }
            XCTAssertEqual(Double(CLiteral.double(value))?.bitPattern, value.bitPattern, "\(value)")
        }
        XCTAssertEqual(CLiteral.double(.infinity), "INFINITY")
        XCTAssertEqual(CLiteral.double(-.infinity), "-INFINITY")
        XCTAssertEqual(CLiteral.double(0.1), "0x1.999999999999ap-4")
    }

    func testHeaderHoldsEveryWeightLimitAndShape() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let policy = ActorFixtures.actor(robot: robot, hidden: [5], seed: 4)
        let header = try ActorCSource(policy: policy, robot: robot, name: "demo").header
        let layer0 = policy.network.layers[0]
        XCTAssertTrue(header.contains("static const float demo_fc1_weight[5 * 10] = {"))
        XCTAssertTrue(header.contains("static const float demo_fc_mu_bias[2] = {"))
        XCTAssertTrue(header.contains(CLiteral.float(layer0.weight[49])))
        XCTAssertTrue(header.contains("{demo_fc1_weight, demo_fc1_bias, 10, 5, ARMPROTO_ACTIVATION_RELU, {0, 0, 0}}"))
        XCTAssertTrue(header.contains("{demo_fc_mu_weight, demo_fc_mu_bias, 5, 2, ARMPROTO_ACTIVATION_TANH, {0, 0, 0}}"))
        // Elbow: ±200 N·m, ±3 rad, no velocity limit, 0.11 m link.
        XCTAssertTrue(header.contains("{-0x1.9p7, 0x1.9p7, -0x1.8p1, 0x1.8p1, INFINITY, 0x1.c28f5c28f5c29p-4, 0x1p0f, 0.0f}, /* elbow */"))
        XCTAssertTrue(header.contains("20000u"))
        XCTAssertTrue(header.contains("ARMPROTO_OBSERVATION_PLANAR_REACH, 2"))
    }

    func testExportRefusesPoliciesThatCannotDriveTheRobot() throws {
        let reacher = try RepositoryFiles.robot("reacher")
        let threeJoints = try RepositoryFiles.robot("three-joint-planar")
        // Trained for another arm: layout and sizes do not fit.
        XCTAssertThrowsError(try ExportedActor(policy: ActorFixtures.actor(robot: threeJoints, hidden: [4], seed: 1), robot: reacher)) {
            XCTAssertEqual($0 as? ActorExportError, .layoutDoesNotFit(layout: "planar-reach", joints: 2))
        }
        // The right layout but the wrong input width.
        let wide = ActorFixtures.actor(robot: reacher, hidden: [4], seed: 1, previousAction: true)
        let mislabelled = ActorPolicy(
            network: wide.network,
            metadata: PolicyMetadata(
                observationLayout: "reacher-v5", jointNames: reacher.jointNames, robotName: "r", robotFingerprint: "", activations: ["relu", "tanh"]))
        XCTAssertThrowsError(try ExportedActor(policy: mislabelled, robot: reacher)) {
            XCTAssertEqual($0 as? ActorExportError, .observationSize(policy: 12, layout: "reacher-v5", expected: 10))
        }
        // A NaN weight.
        let diverged = ActorFixtures.actor(robot: reacher, hidden: [4], seed: 1)
        diverged.network.layers[1].weight[3] = .nan
        XCTAssertThrowsError(try ExportedActor(policy: diverged, robot: reacher)) {
            XCTAssertEqual($0 as? ActorExportError, .nonFinite(tensor: "fc_mu.weight", index: 3))
            XCTAssertTrue("\($0)".contains("diverged"))
        }
        // Wider than the kernel.
        XCTAssertThrowsError(try ExportedActor(policy: ActorFixtures.actor(robot: reacher, hidden: [300], seed: 1), robot: reacher)) {
            XCTAssertEqual($0 as? ActorExportError, .tooLarge(what: "widest layer", value: 300, limit: 256))
        }
        // Renamed joints.
        var renamed = reacher
        renamed.joints[1].name = "wrist"
        XCTAssertThrowsError(try ExportedActor(policy: ActorFixtures.actor(robot: reacher, hidden: [4], seed: 1), robot: renamed)) {
            XCTAssertEqual($0 as? ActorExportError, .jointNames(policy: ["shoulder", "elbow"], robot: ["shoulder", "wrist"]))
        }
        // Filters the device does not apply.
        var filtered = reacher
        filtered.actuation = ActuationSettings(actionTimeConstant: 0.05, torqueRateLimit: [0, 0])
        XCTAssertThrowsError(try ExportedActor(policy: ActorFixtures.actor(robot: reacher, hidden: [4], seed: 1), robot: filtered)) {
            XCTAssertEqual($0 as? ActorExportError, .actuationFilters(robot: "reacher"))
        }
        XCTAssertThrowsError(try ActorCSource(policy: ActorFixtures.actor(robot: reacher, hidden: [4], seed: 1), robot: reacher, name: "9lives"))
    }

    func testWriteActorSourcesLoadsChecksAndWritesTheHeader() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("actor-sources-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let policy = ActorFixtures.actor(robot: robot, hidden: [6], seed: 8)
        let policyPath = directory + "/actor.safetensors"
        try policy.save(path: policyPath)
        let (files, warnings) = try writeActorSources(policyPath: policyPath, robot: robot, to: directory)
        XCTAssertEqual(files, [directory + "/armature_actor.h"])
        XCTAssertEqual(warnings, [])
        let written = try String(contentsOfFile: files[0], encoding: .utf8)
        XCTAssertEqual(written, try ActorCSource(policy: policy, robot: robot, origin: "actor.safetensors").header)
        // The three-joint arm is not what it was trained for.
        XCTAssertThrowsError(try writeActorSources(policyPath: policyPath, robot: try RepositoryFiles.robot("three-joint-planar"), to: directory))
    }

    // MARK: The C tests' fixture

    static let fixtureHeader = "firmware-protocol/tests/fixtures/fixture_actor.h"
    static let fixtureExpected = "firmware-protocol/tests/fixtures/fixture_actor_expected.h"

    /// The fixture's actor: the reacher's, narrow so the header stays small, its output layer
    /// spread so that tanh saturates for some cases, with CleanRL's action transform.
    static func fixturePolicy(_ robot: RobotDescription) -> ActorPolicy {
        ActorFixtures.actor(robot: robot, hidden: [16, 16], seed: 42, spread: 8, actionScale: [1, 0.75], actionBias: [0, 0.1])
    }

    /// What the Swift side computes for the fixture's cases: observation (ReachTask), action
    /// (ActorPolicy), torques (ActuatorMap then SafetyGuard), as C arrays.
    static func expectedText(robot: RobotDescription, policy: ActorPolicy) throws -> String {
        let task = ReachTask(robot: robot)
        let map = ActuatorMap(robot: robot)
        var safety = SafetyGuard(robot: robot)
        var random = Xoshiro256(seed: 77)
        var cases: [(q: [Float], qd: [Float], goal: [Float])] = [
            ([0, 0], [0, 0], [0.1, 0.1]),
            ([3.1, 3.1], [0, 0], [0.0, -0.2]),  // elbow past its limit
            ([-3.1, -3.05], [1, -2], [0.2, 0]),
            ([0.5, -1], [25, -25], [-0.1, 0.15]),
        ]
        while cases.count < 24 {
            cases.append((
                (0..<2).map { _ in Float(random.uniform(-3.2, 3.2)) }, (0..<2).map { _ in Float(random.uniform(-10, 10)) },
                (0..<2).map { _ in Float(random.uniform(-0.2, 0.2)) }))
        }
        var state = JointState(jointCount: 2)
        var observation = [Float](repeating: 0, count: 10)
        var action = [0.0, 0.0]
        var torques = [0.0, 0.0]
        var rows: (observation: [String], action: [String], torque: [String]) = ([], [], [])
        for c in cases {
            state.position = c.q.map(Double.init)
            state.velocity = c.qd.map(Double.init)
            task.observe(state, goal: (Double(c.goal[0]), Double(c.goal[1])), into: &observation)
            policy.act(observation: observation, into: &action)
            try map.torques(actions: action, into: &torques)
            safety.apply(torques: &torques, state: state)
            rows.observation.append(observation.map(CLiteral.float).joined(separator: ", "))
            rows.action.append(action.map { CLiteral.float(Float($0)) }.joined(separator: ", "))
            rows.torque.append(torques.map { CLiteral.float(Float($0)) }.joined(separator: ", "))
        }
        func table(_ name: String, _ width: Int, _ lines: [String]) -> String {
            "static const float \(name)[FIXTURE_CASES][\(width)] = {\n" + lines.map { "    {\($0)},\n" }.joined() + "};\n\n"
        }
        var text = """
            /* Generated by Tests/FirmwareExportTests/ActorCSourceTests.swift (ARMATURE_WRITE_FIXTURES=1); do not edit.
             * For fixture_actor.h: per case the joint state and goal, then what the Swift side computes from them:
             * the observation (ReachTask.observe), the action (ActorPolicy.act) and the torques (ActuatorMap, then
             * SafetyGuard, as float). */
            #ifndef FIXTURE_ACTOR_EXPECTED_H
            #define FIXTURE_ACTOR_EXPECTED_H

            #define FIXTURE_CASES \(cases.count)


            """
        text += table("fixture_q", 2, cases.map { $0.q.map(CLiteral.float).joined(separator: ", ") })
        text += table("fixture_qd", 2, cases.map { $0.qd.map(CLiteral.float).joined(separator: ", ") })
        text += table("fixture_goal", 2, cases.map { $0.goal.map(CLiteral.float).joined(separator: ", ") })
        text += table("fixture_observation", 10, rows.observation)
        text += table("fixture_action", 2, rows.action)
        text += table("fixture_torque", 2, rows.torque)
        return text + "#endif\n"
    }

    /// The committed fixture is what the generator writes now; ARMATURE_WRITE_FIXTURES=1 rewrites it.
    func testCommittedCFixtureIsWhatTheGeneratorWrites() throws {
        let robot = try RepositoryFiles.robot("reacher")
        let policy = Self.fixturePolicy(robot)
        let header = try ActorCSource(policy: policy, robot: robot, name: "fixture_actor", origin: "ActorCSourceTests.fixturePolicy").header
        let expected = try Self.expectedText(robot: robot, policy: policy)
        if ProcessInfo.processInfo.environment["ARMATURE_WRITE_FIXTURES"] == "1" {
            try FileManager.default.createDirectory(
                atPath: RepositoryFiles.path("firmware-protocol/tests/fixtures"), withIntermediateDirectories: true)
            try header.write(toFile: RepositoryFiles.path(Self.fixtureHeader), atomically: true, encoding: .utf8)
            try expected.write(toFile: RepositoryFiles.path(Self.fixtureExpected), atomically: true, encoding: .utf8)
        }
        XCTAssertEqual(try String(contentsOfFile: RepositoryFiles.path(Self.fixtureHeader), encoding: .utf8), header)
        XCTAssertEqual(try String(contentsOfFile: RepositoryFiles.path(Self.fixtureExpected), encoding: .utf8), expected)
    }
}
