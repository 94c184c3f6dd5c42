import Foundation
import TestSupport
import XCTest

@testable import Plots

/// The pictures are well-formed XML (parsed here with Foundation's XML parser), and what they draw maps
/// back, through the axes written on each plot group, to the data they were given.
final class PlotsTests: XCTestCase {
    func testTheLearningCurvesMeanAndBandAreTheRunsBinnedReturns() throws {
        // Four bins of 100 steps: run a climbs 1, 2, 3, 4 (two points per bin), run b stays at 3.
        let a = LearningCurve.Run(name: "a", points: (1...8).map { (Double($0) * 50, Double(($0 + 1) / 2)) })
        let b = LearningCurve.Run(name: "b", points: [(100, 3), (200, 3), (300, 3), (400, 3)])
        let svg = LearningCurve.svg(runs: [a, b], title: "return <seeds & bands>", valueName: "return", bins: 4)
        let elements = SVGElements.parse(svg)
        let inverse = try SVGAxes(try XCTUnwrap(elements.first("id", "plot")))
        let mean = inverse.points(elements.first("id", "mean")?["points"])
        let expectedMeans = [2.0, 2.5, 3, 3.5]
        XCTAssertEqual(mean.count, 4)
        for (point, (step, value)) in zip(mean, zip([50.0, 150, 250, 350], expectedMeans)) {
            XCTAssertEqual(point.0, step, accuracy: inverse.xResolution)
            XCTAssertEqual(point.1, value, accuracy: inverse.yResolution)
        }
        // The band is mean ± the runs' standard deviation: |a − b| / 2 for two runs.
        let band = inverse.points(elements.first("id", "band")?["points"])
        XCTAssertEqual(band.count, 8)
        let upper = band.prefix(4).map(\.1)
        let lower = band.suffix(4).reversed().map(\.1)
        for (i, spread) in [1.0, 0.5, 0, 0.5].enumerated() {
            XCTAssertEqual(upper[i], expectedMeans[i] + spread, accuracy: inverse.yResolution)
            XCTAssertEqual(lower[i], expectedMeans[i] - spread, accuracy: inverse.yResolution)
        }
        XCTAssertEqual(elements.all.filter { $0.attributes["class"] == "run" }.count, 2)
    }

    func testOneRunIsDrawnWithoutABand() {
        let run = LearningCurve.Run(name: "only", points: [(10, -5), (20, -4)])
        let elements = SVGElements.parse(LearningCurve.svg(runs: [run], title: "t", valueName: "return", bins: 2))
        XCTAssertNil(elements.first("id", "band"))
        XCTAssertNotNil(elements.first("id", "mean"))
    }

    func testEvaluationBarsEndAtTheMeanReturns() throws {
        let bars = [
            EvaluationBars.Bar(name: "γ 0.95", mean: -3.4, standardDeviation: 1.1, successRate: 0.5),
            EvaluationBars.Bar(name: "γ 0.99", mean: -5.9, standardDeviation: 2.0, successRate: 0.1),
            EvaluationBars.Bar(name: "scripted", mean: -4.2, standardDeviation: 0.7, successRate: 0.2),
        ]
        let elements = SVGElements.parse(EvaluationBars.svg(bars: bars, title: "Evaluation"))
        let inverse = try SVGAxes(try XCTUnwrap(elements.first("id", "plot")))
        for (i, bar) in bars.enumerated() {
            let rect = try XCTUnwrap(elements.first("id", "bar-\(i)"))
            let top = try XCTUnwrap(Double(rect["y"] ?? ""))
            let height = try XCTUnwrap(Double(rect["height"] ?? ""))
            // Negative returns hang down from zero: the bar's top is at 0, its bottom at the mean.
            XCTAssertEqual(inverse.y(top), 0, accuracy: inverse.yResolution)
            XCTAssertEqual(inverse.y(top + height), bar.mean, accuracy: 2 * inverse.yResolution)
        }
    }

    func testTheEpisodeStripDrawsTheFingertipPathAndTheArmAtEachShownStep() throws {
        // A two-link arm swinging its shoulder from 0 to 90°: the tip travels a quarter circle of radius 0.21.
        let poses: [[(x: Double, y: Double)]] = (0...10).map { step in
            let angle = Double(step) / 10 * Double.pi / 2
            return [(0, 0), (0.1 * cos(angle), 0.1 * sin(angle)), (0.21 * cos(angle), 0.21 * sin(angle))]
        }
        let episode = ArmEpisode(poses: poses, goal: (0.05, 0.15), title: "swing")
        let svg = episode.svg(panels: 3)
        let elements = SVGElements.parse(svg)
        XCTAssertEqual(episode.shownSteps(panels: 3), [0, 5, 10])
        let last = try XCTUnwrap(elements.first("id", "pose-2"))
        XCTAssertEqual(last["data-step"], "10")
        let inverse = try SVGAxes(last)
        let path = inverse.points(elements.first("id", "tip-path")?["points"])
        XCTAssertEqual(path.count, poses.count)
        for (drawn, pose) in zip(path, poses) {
            XCTAssertEqual(drawn.0, pose[2].x, accuracy: inverse.xResolution)
            XCTAssertEqual(drawn.1, pose[2].y, accuracy: inverse.yResolution)
        }
        let links = elements.all.filter { $0.attributes["class"] == "links" }
        XCTAssertEqual(links.count, 3)
        let lastPose = inverse.points(links[2].attributes["points"])
        XCTAssertEqual(lastPose.last?.1 ?? 0, 0.21, accuracy: inverse.yResolution)
    }

    func testTheAnimationHoldsOnePoseAStepAndPlaysAtTheControlRate() throws {
        let poses: [[(x: Double, y: Double)]] = (0...4).map { step in [(0, 0), (0.1, 0.02 * Double(step)), (0.2, 0.05 * Double(step))] }
        let elements = SVGElements.parse(ArmEpisode(poses: poses, goal: nil, title: "a").animatedSVG(secondsPerStep: 0.02))
        let axes = try SVGAxes(try XCTUnwrap(elements.first("id", "animation")))
        let animation = try XCTUnwrap(elements.first("attributeName", "points"))
        XCTAssertEqual(animation["dur"], "0.08s")
        let frames = try XCTUnwrap(animation["values"]).split(separator: ";").map { axes.points(String($0)) }
        XCTAssertEqual(frames.count, 5)
        for (frame, pose) in zip(frames, poses) {
            XCTAssertEqual(frame.count, 3)
            XCTAssertEqual(frame[2].1, pose[2].y, accuracy: axes.yResolution)
        }
    }

    func testTickLabelsAreRoundNumbers() {
        let ticks = Axes.ticks(0...1, count: 5)
        XCTAssertEqual(ticks.count, 6)
        for (tick, expected) in zip(ticks, [0, 0.2, 0.4, 0.6, 0.8, 1]) { XCTAssertEqual(tick, expected, accuracy: 1e-12) }
        XCTAssertEqual(Axes.label(20_000, step: 10_000), "20k")
        XCTAssertEqual(Axes.label(-0.25, step: 0.05), "-0.25")
        XCTAssertEqual(Axes.rounded(-3.7 ... -0.2), -4...0)
    }
}
