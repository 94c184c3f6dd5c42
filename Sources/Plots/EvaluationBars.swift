/// An evaluation table as bars: each policy's mean return with ± one standard deviation as a whisker,
/// its success rate written above. Returns are negative for the reach, so bars hang down from zero.
public enum EvaluationBars {
    public struct Bar: Sendable {
        public var name: String
        public var mean: Double
        public var standardDeviation: Double
        /// 0…1.
        public var successRate: Double

        public init(name: String, mean: Double, standardDeviation: Double, successRate: Double) {
            self.name = name
            self.mean = mean
            self.standardDeviation = standardDeviation
            self.successRate = successRate
        }
    }

    /// The chart as SVG text; bar i is the rect with id `bar-i` and its value in `data-value`.
    public static func svg(bars: [Bar], title: String) -> String {
        let width = max(420, 120 + Double(bars.count) * 110)
        var svg = SVGDocument(width: width, height: 420)
        svg.text(title, x: width / 2, y: 24, size: 15, extra: [("font-weight", "bold")])
        let extremes: [Double] = bars.flatMap { bar -> [Double] in [bar.mean - bar.standardDeviation, bar.mean + bar.standardDeviation] } + [0]
        let axes = Axes(
            left: 80, top: 44, width: width - 110, height: 290, x: 0...Double(max(bars.count, 1)),
            y: Axes.rounded(extremes.min()!...extremes.max()!))
        // No x ticks: the bars are named below instead.
        svg.element(
            "rect",
            [("x", "80"), ("y", "44"), ("width", SVGDocument.number(axes.width)), ("height", "290"), ("fill", "#ffffff"), ("stroke", "#888888")])
        let yStep = Axes.tickStep(axes.y, ticks: 5)
        for value in Axes.ticks(axes.y, count: 5) {
            svg.line(80, axes.py(value), 80 + axes.width, axes.py(value), stroke: value == 0 ? "#555555" : "#e4e4e4")
            svg.text(Axes.label(value, step: yStep), x: 74, y: axes.py(value) + 4, size: 11, anchor: "end")
        }
        svg.text("mean return", x: 34, y: 189, size: 12, extra: [("transform", "rotate(-90 34 189)")])
        svg.open("g", [("id", "plot")] + axes.attributes)
        for (i, bar) in bars.enumerated() {
            let centre = axes.px(Double(i) + 0.5)
            let half: Double = min(40.0, axes.width / Double(bars.count) * 0.3)
            let zero = axes.py(0)
            let end = axes.py(bar.mean)
            svg.element(
                "rect",
                [("id", "bar-\(i)"), ("data-value", "\(bar.mean)"), ("x", SVGDocument.number(centre - half)),
                 ("y", SVGDocument.number(min(zero, end))), ("width", SVGDocument.number(2 * half)),
                 ("height", SVGDocument.number(abs(end - zero))), ("fill", "#1f5fae"), ("fill-opacity", "0.8")])
            let low = axes.py(bar.mean - bar.standardDeviation)
            let high = axes.py(bar.mean + bar.standardDeviation)
            svg.line(centre, low, centre, high, stroke: "#222222", width: 1.5)
            svg.line(centre - 8, low, centre + 8, low, stroke: "#222222", width: 1.5)
            svg.line(centre - 8, high, centre + 8, high, stroke: "#222222", width: 1.5)
            let percent = Int((bar.successRate * 100).rounded())
            // Under the chart, where no whisker reaches: the name, then the figures.
            svg.text(bar.name, x: centre, y: 354, size: 11)
            svg.text("\(formatted(bar.mean)) · \(percent)% < 1 cm", x: centre, y: 370, size: 11, extra: [("fill", "#444444")])
        }
        svg.close("g")
        return svg.text
    }

    private static func formatted(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return SVGDocument.number(rounded)
    }
}
