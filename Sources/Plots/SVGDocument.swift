/// SVG written as text: elements with attributes, escaped, numbers with as many decimals as a screen
/// can show. No dependency and no layout engine: every position is computed by the chart that draws.
struct SVGDocument {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// A coordinate or length with two decimals (a hundredth of a pixel), no trailing zeros.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        var text = String(Double((value * 100).rounded()) / 100)
        if text.hasSuffix(".0") { text.removeLast(2) }
        if text == "-0" { text = "0" }
        return text
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    private static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(escaped($0.1))\"" }.joined()
    }

    mutating func element(_ name: String, _ attributes: [(String, String)], text: String? = nil) {
        if let text {
            body.append("<\(name)\(Self.attributes(attributes))>\(Self.escaped(text))</\(name)>")
        } else {
            body.append("<\(name)\(Self.attributes(attributes))/>")
        }
    }

    mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        body.append("<\(name)\(Self.attributes(attributes))>")
    }

    mutating func close(_ name: String) { body.append("</\(name)>") }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, extra: [(String, String)] = []) {
        element(
            "line",
            [("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)), ("y2", Self.number(y2)), ("stroke", stroke),
             ("stroke-width", Self.number(width))] + extra)
    }

    mutating func text(_ value: String, x: Double, y: Double, size: Double = 12, anchor: String = "middle", extra: [(String, String)] = []) {
        element(
            "text", [("x", Self.number(x)), ("y", Self.number(y)), ("font-size", Self.number(size)), ("text-anchor", anchor)] + extra,
            text: value)
    }

    static func points(_ points: [(Double, Double)]) -> String {
        points.map { "\(number($0.0)),\(number($0.1))" }.joined(separator: " ")
    }

    var text: String {
        let header =
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Self.number(width))" height="\#(Self.number(height))" viewBox="0 0 \#(Self.number(width)) \#(Self.number(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">"#
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + header + "\n" + body.joined(separator: "\n") + "\n</svg>\n"
    }
}
