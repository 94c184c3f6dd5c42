import Foundation
import TestSupport
import XCTest

/// `armature plot` on the files other commands write: a training run's scalars.csv, eval's JSON
/// summaries and a recording; the pictures parse as XML and show what the files hold.
final class PlotCommandTests: XCTestCase {
    private func temporaryDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("armature-plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    private func svg(_ path: String) throws -> SVGElements {
        SVGElements.parse(try String(contentsOfFile: path, encoding: .utf8))
    }

    func testCurvesOfTwoRunsAndTheirEvaluationBars() throws {
        let directory = try temporaryDirectory()
        var summaries: [String] = []
        for seed in ["1", "2"] {
            let run = directory + "/seed\(seed)"
            let train = try CommandRunner.armature([
                "train", "--steps", "300", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "100", "--checkpoint-every", "0",
                "--seed", seed, "--out", run,
            ])
            XCTAssertEqual(train.status, 0, train.stderr)
            let summary = run + "/eval.json"
            let eval = try CommandRunner.armature(["eval", "--policy", run + "/actor.safetensors", "--episodes", "3", "--summary", summary])
            XCTAssertEqual(eval.status, 0, eval.stderr)
            summaries.append(summary)
        }
        let curve = directory + "/curve.svg"
        let plot = try CommandRunner.armature(["plot", "curve", directory + "/seed1", directory + "/seed2", "--bins", "3", "--out", curve])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        let elements = try svg(curve)
        let axes = try SVGAxes(try XCTUnwrap(elements.first("id", "plot")))
        let mean = axes.points(elements.first("id", "mean")?["points"])
        XCTAssertEqual(mean.count, 3)
        XCTAssertNotNil(elements.first("id", "band"))
        // Six 50-step episodes per run; the last bin's centre is at 5/6 of the last step (300).
        XCTAssertEqual(mean.last?.0 ?? 0, 250, accuracy: axes.xResolution)

        let bars = directory + "/eval.svg"
        let barPlot = try CommandRunner.armature(["plot", "eval"] + summaries + ["--out", bars, "--png"])
        XCTAssertEqual(barPlot.status, 0, barPlot.stderr)
        let barElements = try svg(bars)
        for (i, summary) in summaries.enumerated() {
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summary))) as? [String: Any]
            let meanReturn = try XCTUnwrap(json?["mean_return"] as? Double)
            XCTAssertEqual(Double(barElements.first("id", "bar-\(i)")?["data-value"] ?? "") ?? .nan, meanReturn, accuracy: 1e-9)
        }
        let png = directory + "/eval.png"
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") {
            XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: png)).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        } else {
            XCTAssertTrue(barPlot.stdout.contains("PNG skipped"), barPlot.stdout)
            XCTAssertFalse(FileManager.default.fileExists(atPath: png))
        }
    }

    func testAnEpisodeFromARecordingEndsAtTheRecordedFinalDistance() throws {
        let directory = try temporaryDirectory()
        let recording = directory + "/rollout.mcap"
        let rollout = try CommandRunner.armature(["rollout", "--episodes", "2", "--seed", "5", "--record", recording])
        XCTAssertEqual(rollout.status, 0, rollout.stderr)
        let final = try XCTUnwrap(RecordingCheck.read(recording).episodes.last?.finalDistance)

        let picture = directory + "/episode.svg"
        let plot = try CommandRunner.armature(["plot", "episode", "--recording", recording, "--episode", "2", "--out", picture])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        let elements = try svg(picture)
        let lastPanel = try XCTUnwrap(elements.all.last { $0.attributes["id"]?.hasPrefix("pose-") ?? false }?.attributes)
        XCTAssertEqual(lastPanel["data-step"], "50")
        let axes = try SVGAxes(lastPanel)
        let path = axes.points(elements.first("id", "tip-path")?["points"])
        XCTAssertEqual(path.count, 51, "the start and 50 steps")
        let goal = try XCTUnwrap(elements.all.last { $0.attributes["class"] == "goal" }?.attributes)
        let goalX = axes.x(Double(goal["cx"]!)!)
        let goalY = axes.y(Double(goal["cy"]!)!)
        let tip = try XCTUnwrap(path.last)
        XCTAssertEqual(((tip.0 - goalX) * (tip.0 - goalX) + (tip.1 - goalY) * (tip.1 - goalY)).squareRoot(), final, accuracy: 4 * axes.xResolution)

        let missing = try CommandRunner.armature(["plot", "episode", "--recording", recording, "--episode", "7", "--out", picture])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("episode 7 is not in the recording"), missing.stderr)
    }

    func testAPolicyObservingItsPreviousActionIsDrawnOnTheEpisodeEvalRuns() throws {
        let directory = try temporaryDirectory()
        let run = directory + "/memory"
        let train = try CommandRunner.armature([
            "train", "--observe-previous-action", "--steps", "100", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "50",
            "--checkpoint-every", "0", "--out", run,
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        let policy = run + "/actor.safetensors"
        let eval = try CommandRunner.armature(["eval", "--policy", policy, "--episodes", "1", "--summary", directory + "/eval.json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/eval.json"))) as? [String: Any]
        let evaluated = try XCTUnwrap((summary?["returns"] as? [Double])?.first)

        let picture = directory + "/memory.svg"
        let plot = try CommandRunner.armature(["plot", "episode", "--policy", policy, "--out", picture])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        // Both run seed 1's first episode with the layout the policy names, so the returns agree.
        let text = try String(contentsOfFile: picture, encoding: .utf8)
        XCTAssertTrue(text.contains("return \(String(format: "%.2f", evaluated))"), "eval's return \(evaluated) in the picture's title")
    }

    func testASimulatedEpisodeIsDrawnWithoutARecording() throws {
        let picture = try temporaryDirectory() + "/scripted.svg"
        let plot = try CommandRunner.armature(["plot", "episode", "--robot", "robots/three-joint-planar.yaml", "--panels", "4", "--out", picture])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        let elements = try svg(picture)
        let links = elements.all.filter { $0.attributes["class"] == "links" }
        XCTAssertEqual(links.count, 4)
        XCTAssertEqual(links[0].attributes["points"]?.split(separator: " ").count, 4, "base, two elbows and the fingertip")
    }
}
