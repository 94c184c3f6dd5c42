/// A chart's plot area and the linear maps from data to pixels (y grows downwards in SVG), with tick
/// values at round numbers. The area and ranges are written on the plot's group (`data-*`), so a reader
/// of the picture — a test — can map every drawn point back to the data.
struct Axes {
    var left: Double
    var top: Double
    var width: Double
    var height: Double
    var x: ClosedRange<Double>
    var y: ClosedRange<Double>

    init(left: Double, top: Double, width: Double, height: Double, x: ClosedRange<Double>, y: ClosedRange<Double>) {
        self.left = left
        self.top = top
        self.width = width
        self.height = height
        self.x = Self.widened(x)
        self.y = Self.widened(y)
    }

    /// A range with room: an empty one is opened around its value.
    static func widened(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
        if range.upperBound > range.lowerBound { return range }
        let pad = max(abs(range.lowerBound) * 0.1, 1)
        return (range.lowerBound - pad)...(range.upperBound + pad)
    }

    /// A range that starts and ends on ticks.
    static func rounded(_ range: ClosedRange<Double>, ticks: Int = 5) -> ClosedRange<Double> {
        let open = widened(range)
        let step = tickStep(open, ticks: ticks)
        return ((open.lowerBound / step).rounded(.down) * step)...((open.upperBound / step).rounded(.up) * step)
    }

    func px(_ value: Double) -> Double { left + (value - x.lowerBound) / (x.upperBound - x.lowerBound) * width }
    func py(_ value: Double) -> Double { top + height - (value - y.lowerBound) / (y.upperBound - y.lowerBound) * height }

    var attributes: [(String, String)] {
        [
            ("data-area", [left, top, width, height].map(SVGDocument.number).joined(separator: " ")),
            ("data-x-range", "\(x.lowerBound) \(x.upperBound)"), ("data-y-range", "\(y.lowerBound) \(y.upperBound)"),
        ]
    }

    /// 1, 2 or 5 times a power of ten, giving about `ticks` ticks over the range.
    static func tickStep(_ range: ClosedRange<Double>, ticks: Int) -> Double {
        let raw = (range.upperBound - range.lowerBound) / Double(max(ticks, 1))
        let magnitude = pow10(floorLog10(raw))
        for factor in [1.0, 2.0, 5.0, 10.0] where raw <= factor * magnitude { return factor * magnitude }
        return 10 * magnitude
    }

    static func ticks(_ range: ClosedRange<Double>, count: Int = 5) -> [Double] {
        let step = tickStep(range, ticks: count)
        var value = (range.lowerBound / step).rounded(.up) * step
        var values: [Double] = []
        while value <= range.upperBound + step * 1e-9 {
            values.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return values
    }

    /// A tick label: whole numbers plainly (thousands as k), fractions with the decimals the step needs.
    static func label(_ value: Double, step: Double) -> String {
        if step >= 1000, value.truncatingRemainder(dividingBy: 1000) == 0 { return "\(Int(value / 1000))k" }
        if step >= 1 { return "\(Int(value.rounded()))" }
        let decimals = max(0, -floorLog10(step))
        let scale = pow10(decimals)
        let scaled = (value * scale).rounded() / scale
        var text = String(scaled)
        if let dot = text.firstIndex(of: ".") {
            let wanted = text.index(dot, offsetBy: decimals + 1, limitedBy: text.endIndex) ?? text.endIndex
            text = String(text[..<wanted])
        }
        return text
    }

    private static func floorLog10(_ value: Double) -> Int {
        var exponent = 0
        var v = value
        guard v > 0, v.isFinite else { return 0 }
        while v >= 10 { v /= 10; exponent += 1 }
        while v < 1 { v *= 10; exponent -= 1 }
        return exponent
    }

    private static func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        if exponent >= 0 { for _ in 0..<exponent { result *= 10 } } else { for _ in 0 ..< -exponent { result /= 10 } }
        return result
    }

    /// Frame, grid lines, tick labels and axis titles.
    func draw(into svg: inout SVGDocument, xTitle: String, yTitle: String) {
        svg.element(
            "rect",
            [("x", SVGDocument.number(left)), ("y", SVGDocument.number(top)), ("width", SVGDocument.number(width)),
             ("height", SVGDocument.number(height)), ("fill", "#ffffff"), ("stroke", "#888888")])
        let xStep = Self.tickStep(x, ticks: 6)
        for value in Self.ticks(x, count: 6) {
            svg.line(px(value), top, px(value), top + height, stroke: "#e4e4e4")
            svg.text(Self.label(value, step: xStep), x: px(value), y: top + height + 16, size: 11)
        }
        let yStep = Self.tickStep(y, ticks: 5)
        for value in Self.ticks(y, count: 5) {
            svg.line(left, py(value), left + width, py(value), stroke: "#e4e4e4")
            svg.text(Self.label(value, step: yStep), x: left - 6, y: py(value) + 4, size: 11, anchor: "end")
        }
        svg.text(xTitle, x: left + width / 2, y: top + height + 36, size: 12)
        let middle = top + height / 2
        svg.text(
            yTitle, x: left - 46, y: middle, size: 12,
            extra: [("transform", "rotate(-90 \(SVGDocument.number(left - 46)) \(SVGDocument.number(middle)))")])
    }
}
