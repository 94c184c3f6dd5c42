import Foundation
import TestSupport
import XCTest

final class CommandLineTests: XCTestCase {
    func temporaryFile(_ name: String, _ contents: String? = nil) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(name).path
        if let contents { try contents.write(toFile: path, atomically: true, encoding: .utf8) }
        return path
    }

    func testDescribePrintsTheJointTableAndDerivedMasses() throws {
        let result = try CommandRunner.armature(["describe", "robots/two-joint-arm.yaml"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let header = try XCTUnwrap(lines.first { $0.hasPrefix("joint ") })
        for column in ["torque low", "torque high", "scale", "midpoint", "position (rad)", "velocity (rad/s)"] {
            XCTAssertTrue(header.contains(column), header)
        }
        let elbow = try XCTUnwrap(lines.first { $0.hasPrefix("elbow ") })
        XCTAssertTrue(elbow.contains("-0.8") && elbow.contains("[-2.61799, 1.91986]") && elbow.contains("±6"), elbow)
        XCTAssertTrue(result.stdout.contains("inertia@joint"))
        let reacher = try CommandRunner.armature(["describe", "robots/reacher.yaml"])
        XCTAssertTrue(reacher.stdout.contains("0.0397935"), "forearm mass derived from capsule + sphere")
    }

    func testDescribeHandlesSixJoints() throws {
        let result = try CommandRunner.armature(["describe", "robots/six-joint-planar.yaml"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for name in ["j0", "j1", "j2", "j3", "j4", "j5"] {
            XCTAssertTrue(result.stdout.split(separator: "\n").contains { $0.hasPrefix(name + " ") }, name)
        }
    }

    func testValidateListsEveryProblemAndExitsNonZero() throws {
        let bad = try temporaryFile("bad.yaml", """
            name: bad
            control: {rate_hz: 50}
            joints:
              - name: a
                torque: {low: 1, high: -1}
                dampng: 2
            links:
              - name: l
                length: -0.1
                inertial: {mass: 1, com: 0, inertia: 1}
            """)
        let result = try CommandRunner.armature(["validate", "robots/reacher.yaml", bad])
        assertUserError(result, mentions: "\(bad):5:")
        XCTAssertTrue(result.stdout.contains("robots/reacher.yaml: ok"))
        XCTAssertTrue(result.stderr.contains("joints[0].torque: low (1.0) must be less than high (-1.0)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("\(bad):6:5: joints[0].dampng: unknown key 'dampng'; did you mean 'damping'?"), result.stderr)
        XCTAssertTrue(result.stderr.contains("\(bad):9:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("1 of 2 descriptions invalid"))
        let good = try CommandRunner.armature(["validate", "robots/reacher.yaml", "robots/two-joint-arm.yaml"])
        XCTAssertEqual(good.status, 0)
    }

    func testReplayMatchesMuJoCoReacher() throws {
        let out = try temporaryFile("trajectory.csv")
        let result = try CommandRunner.armature([
            "replay", "--robot", "robots/reacher.yaml", "--actions", "reference/mujoco/random_uniform_seed1.actions.csv",
            "--initial-q", "0.3,-0.5", "--out", out,
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let header = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").first
        XCTAssertEqual(header, "step,q0,q1,qd0,qd1,tip_x,tip_y")
        let ours = try RepositoryFiles.csv(absolutePath: out)
        let mujoco = try RepositoryFiles.csv("reference/mujoco/random_uniform_seed1.trajectory.csv")
        XCTAssertEqual(ours["step"]!, (1...100).map(Double.init))
        for column in ["q0", "q1"] {
            let worst = zip(ours[column]!, mujoco[column]!).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(worst, 0.01, column)
        }
    }

    func testReplayRejectsAMalformedActionsFile() throws {
        let actions = try temporaryFile("actions.csv", "a0,a1\n0.1,0.2\n0.3,nan\n")
        let result = try CommandRunner.armature([
            "replay", "--robot", "robots/reacher.yaml", "--actions", actions, "--out", actions + ".out",
        ])
        assertUserError(result, mentions: "\(actions):3: column a1: 'nan' is not a finite number")
        let wrongHeader = try temporaryFile("wrong.csv", "a0\n0.1\n")
        assertUserError(
            try CommandRunner.armature(["replay", "--robot", "robots/reacher.yaml", "--actions", wrongHeader, "--out", "/dev/null"]),
            mentions: "header is 'a0' but this robot needs 'a0,a1'")
    }

    func testUserErrorsPrintAClearLineAndExitOne() throws {
        assertUserError(try CommandRunner.armature(["describe", "robots/missing.yaml"]), mentions: "robots/missing.yaml: cannot read")
        let binary = try temporaryFile("binary.yaml")
        try Data([0, 1, 2, 255, 254]).write(to: URL(fileURLWithPath: binary))
        assertUserError(try CommandRunner.armature(["describe", binary]), mentions: "not UTF-8 text")
        assertUserError(
            try CommandRunner.armature([
                "replay", "--robot", "robots/reacher.yaml", "--actions", "reference/mujoco/elbow_limit.actions.csv",
                "--initial-q", "1,2,3", "--out", "/dev/null",
            ]), mentions: "--initial-q '1,2,3' must be 2 finite numbers")
    }

    func testUsageMistakesExitOneWithTheUsage() throws {
        let result = try CommandRunner.armature(["replay", "--robot", "robots/reacher.yaml"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("Missing expected argument '--actions <actions>'"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Usage: armature replay"), result.stderr)
        XCTAssertEqual(try CommandRunner.armature(["rollout", "--episodes", "0"]).status, 1)
    }

    func testHelpTeachesEachCommand() throws {
        for command in ["describe", "validate", "replay", "rollout"] {
            let result = try CommandRunner.armature([command, "--help"])
            XCTAssertEqual(result.status, 0, command)
            XCTAssertTrue(result.stdout.contains("USAGE: armature \(command)"), command)
        }
        let top = try CommandRunner.armature(["--help"])
        XCTAssertTrue(top.stdout.contains("describe") && top.stdout.contains("replay") && top.stdout.contains("rollout"))
    }

    func testRolloutReportsReturnsAndDistances() throws {
        let result = try CommandRunner.armature(["rollout", "--robot", "robots/reacher.yaml", "--episodes", "3", "--seed", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.components(separatedBy: "final distance").count - 1, 4, result.stdout)
        XCTAssertTrue(result.stdout.contains("return") && result.stdout.contains("success (< 1 cm)"), result.stdout)
    }
}

/// How episodes start, and the one command that re-zeroes an arm.
final class EpisodeStartCommandTests: XCTestCase {
    func testHomeSendsNothingWithoutConfirmation() throws {
        // No port exists at this path: the refusal comes before anything is opened.
        assertUserError(
            try CommandRunner.armature(["home", "--robot", "robots/reacher.yaml", "--port", "/nonexistent/tty", "--pose", "0,0"]),
            mentions: "nothing was sent")
        assertUserError(
            try CommandRunner.armature(["home", "--robot", "robots/reacher.yaml", "--port", "/nonexistent/tty", "--pose", "0", "--confirm"]),
            mentions: "--pose '0' must be 2 finite numbers")
    }

    func testARealArmCannotBePlacedAtAnEpisodesStart() throws {
        assertUsageError(
            try CommandRunner.armature([
                "run", "--robot", "robots/reacher.yaml", "--policy", "x.safetensors", "--port", "/dev/null", "--episode-start", "place",
            ]), mentions: "--episode-start place needs the simulator")
        assertUsageError(
            try CommandRunner.armature(["train", "--robot", "robots/reacher.yaml", "--episode-start", "teleport", "--out", "/tmp/x"]),
            mentions: "--episode-start must be place, move or measured")
    }

    func testTheSimulatedArmMovesToAPoseAsHardwareWould() throws {
        let result = try CommandRunner.armature(["move", "--robot", "robots/six-joint-planar.yaml", "--sim", "--to", "0.1,0.1,0.1,0.1,0.1,0.1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("settled at"), result.stdout)
        assertUserError(
            try CommandRunner.armature(["move", "--robot", "robots/reacher.yaml", "--sim", "--to", "0,3.5"]), mentions: "out_of_range")
    }
}
