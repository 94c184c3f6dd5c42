/// A learning curve: a scalar (the episodic return) against environment steps for one or several runs.
/// Each run's points are averaged in equal step bins (returns are noisy episode to episode); several runs
/// (seeds) are drawn as their mean across runs with a band of ± one standard deviation, each run faint
/// behind it.
public enum LearningCurve {
    /// One run's points, (step, value).
    public struct Run: Sendable {
        public var name: String
        public var points: [(step: Double, value: Double)]

        public init(name: String, points: [(step: Double, value: Double)]) {
            self.name = name
            self.points = points
        }
    }

    /// A bin's centre and the runs' statistics there.
    public struct Bin: Sendable, Equatable {
        public var step: Double
        public var mean: Double
        public var low: Double
        public var high: Double
        /// Each run's mean in the bin, nil where the run has no point in it.
        public var runs: [Double?]
    }

    /// Bins of equal width from step 0 to the last step of any run; bins no run reaches are left out.
    public static func bins(_ runs: [Run], count: Int) -> [Bin] {
        let last = runs.flatMap { $0.points.map(\.step) }.max() ?? 0
        guard last > 0, count > 0 else { return [] }
        let width = last / Double(count)
        var sums = Array(repeating: Array(repeating: 0.0, count: count), count: runs.count)
        var counts = Array(repeating: Array(repeating: 0, count: count), count: runs.count)
        for (r, run) in runs.enumerated() {
            for point in run.points where point.value.isFinite {
                let bin = min(count - 1, max(0, Int((point.step / width).rounded(.up)) - 1))
                sums[r][bin] += point.value
                counts[r][bin] += 1
            }
        }
        var result: [Bin] = []
        for bin in 0..<count {
            let means: [Double?] = (0..<runs.count).map { counts[$0][bin] > 0 ? sums[$0][bin] / Double(counts[$0][bin]) : nil }
            let present = means.compactMap { $0 }
            guard !present.isEmpty else { continue }
            let mean = present.reduce(0, +) / Double(present.count)
            let deviation = (present.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(present.count)).squareRoot()
            result.append(Bin(step: (Double(bin) + 0.5) * width, mean: mean, low: mean - deviation, high: mean + deviation, runs: means))
        }
        return result
    }

    /// The chart as SVG text. The mean is the polyline with id `mean`; the band the polygon `band`.
    public static func svg(runs: [Run], title: String, valueName: String, bins count: Int = 40) -> String {
        let bins = bins(runs, count: count)
        var svg = SVGDocument(width: 720, height: 420)
        svg.text(title, x: 360, y: 24, size: 15, extra: [("font-weight", "bold")])
        let values = bins.flatMap { [$0.low, $0.high] + $0.runs.compactMap { $0 } }
        let xMax = bins.last.map { $0.step + $0.step / Double(2 * bins.count) } ?? 1
        let axes = Axes(
            left: 80, top: 44, width: 600, height: 300, x: 0...xMax,
            y: Axes.rounded((values.min() ?? 0)...(values.max() ?? 1)))
        axes.draw(into: &svg, xTitle: "environment steps", yTitle: valueName)
        svg.open("g", [("id", "plot")] + axes.attributes)
        let colors = ["#9bbbe0", "#e0b49b", "#a8d5a2", "#d5a2c9", "#c9c9a2"]
        if runs.count > 1 {
            let upper = bins.map { (axes.px($0.step), axes.py($0.high)) }
            let lower = bins.reversed().map { (axes.px($0.step), axes.py($0.low)) }
            svg.element("polygon", [("id", "band"), ("points", SVGDocument.points(upper + lower)), ("fill", "#1f5fae"), ("fill-opacity", "0.18")])
            for (r, run) in runs.enumerated() {
                let points = bins.compactMap { bin in bin.runs[r].map { (axes.px(bin.step), axes.py($0)) } }
                svg.element(
                    "polyline",
                    [("class", "run"), ("data-run", run.name), ("points", SVGDocument.points(points)), ("fill", "none"),
                     ("stroke", colors[r % colors.count]), ("stroke-width", "1")])
            }
        }
        svg.element(
            "polyline",
            [("id", "mean"), ("points", SVGDocument.points(bins.map { (axes.px($0.step), axes.py($0.mean)) })), ("fill", "none"),
             ("stroke", "#1f5fae"), ("stroke-width", "2.2")])
        svg.close("g")
        let legend = runs.count > 1 ? "mean of \(runs.count) runs ± 1 std (\(runs.map(\.name).joined(separator: ", ")))" : runs.first?.name ?? ""
        svg.text(legend, x: 80, y: 404, size: 11, anchor: "start")
        return svg.text
    }
}
