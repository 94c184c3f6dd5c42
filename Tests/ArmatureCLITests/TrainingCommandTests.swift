import Foundation
import TestSupport
import XCTest

final class TrainingCommandTests: XCTestCase {
    func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    let small = ["--hidden", "16,16", "--batch-size", "16", "--learning-starts", "100", "--checkpoint-every", "200", "--seed", "3"]

    func testTrainWritesLogsCheckpointAndActorThenResumes() throws {
        let run = try temporaryDirectory() + "/run"
        let first = try CommandRunner.armature(["train", "--steps", "300", "--out", run] + small)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stdout.contains("step 300/300"), first.stdout)
        let files = try FileManager.default.contentsOfDirectory(atPath: run)
        XCTAssertTrue(files.contains("actor.safetensors") && files.contains("checkpoint.safetensors") && files.contains("scalars.csv"), "\(files)")
        XCTAssertTrue(files.contains { $0.hasPrefix("events.out.tfevents.") }, "\(files)")

        let again = try CommandRunner.armature(["train", "--steps", "300", "--out", run] + small)
        XCTAssertEqual(again.status, 1, "an existing run is not overwritten")
        XCTAssertTrue(again.stderr.contains("pass --resume"), again.stderr)

        let resumed = try CommandRunner.armature(["train", "--steps", "500", "--resume", "--out", run] + small)
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resuming \(run) at step 300"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("continuing to step 500"), resumed.stdout)
        XCTAssertTrue(resumed.stdout.contains("replay grown from 300 to 500 transitions"), resumed.stdout)
        // Options that would change the learner are refused by name, not silently ignored.
        let changed = try CommandRunner.armature(["train", "--steps", "600", "--resume", "--out", run, "--gamma", "0.9", "--hidden", "32,32"])
        assertUserError(changed, mentions: "--gamma 0.9 (the run has 0.99)")
        XCTAssertTrue(changed.stderr.contains("--hidden [32, 32] (the run has [16, 16])"), changed.stderr)
        assertUserError(
            try CommandRunner.armature(["train", "--steps", "600", "--resume", "--out", run, "--seed", "9"]), mentions: "--seed 9 (the run has 3)")
        assertUserError(try CommandRunner.armature(["train", "--steps", "400", "--resume", "--out", run]), mentions: "already at step 500")
        let csv = try String(contentsOfFile: run + "/scalars.csv", encoding: .utf8)
        XCTAssertEqual(csv.components(separatedBy: "step,tag,value,wall_time").count - 1, 1, "one header across the resume")
        XCTAssertTrue(csv.contains(",charts/episodic_return,"))

        let evaluation = try CommandRunner.armature(["eval", "--policy", run + "/actor.safetensors", "--episodes", "5", "--seed", "4"])
        XCTAssertEqual(evaluation.status, 0, evaluation.stderr)
        XCTAssertTrue(evaluation.stdout.contains("return") && evaluation.stdout.contains("success (< 1 cm)"), evaluation.stdout)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/eval-seed4.json"))) as! [String: Any]
        XCTAssertEqual((summary["returns"] as! [Double]).count, 5)
        XCTAssertNotNil(summary["mean_final_distance"])
        XCTAssertNotNil(summary["success_rate"])
    }

    /// TD3 and SAC train, log CleanRL's tags, evaluate on a schedule, resume and deploy through the
    /// same actor file as DDPG: eval runs them with no option of its own.
    func testTD3AndSACTrainResumeAndDeployAsDDPGDoes() throws {
        for algorithm in ["td3", "sac"] {
            let run = try temporaryDirectory() + "/\(algorithm)"
            let trained = try CommandRunner.armature(
                ["train", "--algorithm", algorithm, "--steps", "300", "--out", run, "--eval-every", "200", "--eval-episodes", "3"] + small)
            XCTAssertEqual(trained.status, 0, trained.stderr)
            XCTAssertTrue(trained.stdout.contains("training \(algorithm.uppercased()) on reacher"), trained.stdout)
            XCTAssertTrue(trained.stdout.contains("eval at step 200: return"), trained.stdout)
            let csv = try String(contentsOfFile: run + "/scalars.csv", encoding: .utf8)
            var tags = ["losses/qf1_loss", "losses/qf2_loss", "losses/qf_loss", "losses/qf2_values", "losses/actor_loss", "eval/return"]
            if algorithm == "sac" { tags += ["losses/alpha", "losses/alpha_loss"] }
            for tag in tags { XCTAssertTrue(csv.contains(",\(tag),"), "\(algorithm): \(tag) missing") }

            let resumed = try CommandRunner.armature(["train", "--steps", "400", "--resume", "--out", run])
            XCTAssertEqual(resumed.status, 0, resumed.stderr)
            XCTAssertTrue(resumed.stdout.contains("training \(algorithm.uppercased())"), "a resumed run keeps its algorithm: \(resumed.stdout)")
            let other = algorithm == "td3" ? "sac" : "td3"
            assertUserError(
                try CommandRunner.armature(["train", "--steps", "500", "--resume", "--out", run, "--algorithm", other]),
                mentions: "--algorithm \(other) (the run has \(algorithm))")

            let evaluation = try CommandRunner.armature(["eval", "--policy", run + "/actor.safetensors", "--episodes", "3"])
            XCTAssertEqual(evaluation.status, 0, evaluation.stderr)
            let run1 = try CommandRunner.armature(["run", "--sim", "--policy", run + "/actor.safetensors", "--episodes", "1"])
            XCTAssertEqual(run1.status, 0, run1.stderr)
        }
    }

    /// DroQ's regularized critics from the command line: trained, resumed with the run's own
    /// options, a change refused by name, the actor file deployed as any other.
    func testRegularizedCriticsTrainAndResumeWithTheirOptions() throws {
        let run = try temporaryDirectory() + "/droq"
        let trained = try CommandRunner.armature(
            ["train", "--algorithm", "sac", "--steps", "300", "--out", run, "--critic-dropout", "0.01", "--critic-layer-norm", "--updates-per-step", "2"]
                + small)
        XCTAssertEqual(trained.status, 0, trained.stderr)
        let resumed = try CommandRunner.armature(["train", "--steps", "400", "--resume", "--out", run, "--critic-layer-norm"])
        XCTAssertEqual(resumed.status, 0, "the run's own option may be given again: \(resumed.stderr)")
        assertUserError(
            try CommandRunner.armature(["train", "--steps", "500", "--resume", "--out", run, "--critic-dropout", "0.1"]),
            mentions: "--critic-dropout 0.1 (the run has 0.01)")
        let evaluation = try CommandRunner.armature(["eval", "--policy", run + "/actor.safetensors", "--episodes", "2"])
        XCTAssertEqual(evaluation.status, 0, evaluation.stderr)

        let plain = try temporaryDirectory() + "/plain"
        XCTAssertEqual(try CommandRunner.armature(["train", "--steps", "200", "--out", plain] + small).status, 0)
        assertUserError(
            try CommandRunner.armature(["train", "--steps", "300", "--resume", "--out", plain, "--critic-layer-norm"]),
            mentions: "--critic-layer-norm (the run's critics have no layer normalization)")
        for bad in ["1", "-0.1", "nan"] {
            assertUsageError(
                try CommandRunner.armature(["train", "--steps", "10", "--out", try temporaryDirectory() + "/bad", "--critic-dropout=\(bad)"]),
                mentions: "--critic-dropout must be")
        }
    }

    func testAlgorithmOptionsBelongToTheirAlgorithm() throws {
        let run = try temporaryDirectory() + "/run"
        for (arguments, message) in [
            (["--algorithm", "sac", "--noise-sigma", "0.2"], "SAC explores by sampling its own policy"),
            (["--policy-noise", "0.3"], "give --algorithm td3"),
            (["--algorithm", "td3", "--alpha", "0.2"], "give --algorithm sac"),
            (["--algorithm", "ppo"], "--algorithm"),
            (["--algorithm", "td3", "--noise-clip=-1"], "--noise-clip must be"),
        ] {
            let result = try CommandRunner.armature(["train", "--steps", "10", "--out", run] + arguments)
            XCTAssertEqual(result.status, 1, "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }

    func testEvalRefusesAPolicyForAnotherRobot() throws {
        let run = try temporaryDirectory() + "/run"
        XCTAssertEqual(try CommandRunner.armature(["train", "--steps", "100", "--out", run] + small).status, 0)
        let result = try CommandRunner.armature(["eval", "--robot", "robots/two-joint-arm.yaml", "--policy", run + "/actor.safetensors", "--episodes", "1"])
        // Same joint names and layout: allowed, with a warning that the description differs.
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("warning:") && result.stderr.contains("description changed"), result.stderr)
        let bad = try temporaryDirectory() + "/bad.safetensors"
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: bad))
        let refused = try CommandRunner.armature(["eval", "--policy", bad])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.hasPrefix("error: \(bad):"), refused.stderr)
    }
}

final class BenchCommandTests: XCTestCase {
    /// The benchmark's machine-readable line carries every figure BENCHMARKS.md records, each a
    /// positive rate or latency, at both thread counts.
    func testBenchReportsUpdateRatesAndActorLatency() throws {
        let result = try CommandRunner.armature(["bench", "--seconds", "0.3", "--rounds", "3", "--calls", "200", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let line = try XCTUnwrap(result.stdout.split(separator: "\n").last)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], String(line))
        let figures = report.compactMapValues { $0 as? Double }
        for key in ["updates_per_s_pf1_threads1", "updates_per_s_pf2_threads1", "updates_per_s_pf1_threads2", "updates_per_s_pf2_threads2", "actor_p50_us", "actor_p99_us"] {
            XCTAssertGreaterThan(figures[key] ?? 0, 0, key)
        }
        XCTAssertLessThanOrEqual(figures["actor_p50_us"]!, figures["actor_p99_us"]!)
        XCTAssertTrue(result.stdout.contains("threads 2:"), result.stdout)
        // The figures name what they ran on: the CPU, its vector extensions, the BLAS kernels and threads.
        for key in ["cpu", "openblas_core", "openblas_config", "compiled_vector_level"] {
            XCTAssertFalse((report[key] as? String ?? "").isEmpty, key)
        }
        #if arch(x86_64)
        XCTAssertTrue((report["vector_extensions"] as? [String] ?? []).contains("sse2"), "\(report["vector_extensions"] ?? "none")")
        #endif
        XCTAssertEqual(report["openblas_threads_threads1"] as? Int, 1)
        XCTAssertEqual(report["openblas_threads_threads2"] as? Int, 1, "two-thread updates run OpenBLAS single-threaded")
        XCTAssertNotNil(report["row_cut"] as? Int, "CleanRL's batch has an exact cut on every kernel family")
        XCTAssertTrue(result.stdout.contains("OpenBLAS kernels: "), result.stdout)
        for option in ["--rounds", "--calls"] {
            let refused = try CommandRunner.armature(["bench", option, "0"])
            XCTAssertEqual(refused.status, 1, option)
            XCTAssertTrue(refused.stderr.contains(option), refused.stderr)
        }
    }
}
