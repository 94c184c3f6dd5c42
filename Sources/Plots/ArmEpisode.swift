/// An episode of a planar arm as a strip of poses: each panel draws the arm (links from the base to the
/// fingertip, joints as dots) at one step, the goal, and the fingertip's path up to that step over the
/// whole path in grey.
public struct ArmEpisode: Sendable {
    /// Per step, the joint positions from the base (0, 0) to the fingertip, m.
    public var poses: [[(x: Double, y: Double)]]
    public var goal: (x: Double, y: Double)?
    public var title: String

    public init(poses: [[(x: Double, y: Double)]], goal: (x: Double, y: Double)?, title: String) {
        self.poses = poses
        self.goal = goal
        self.title = title
    }

    /// The steps a strip of `panels` shows: the first, the last and evenly between.
    public func shownSteps(panels: Int) -> [Int] {
        guard poses.count > 1, panels > 1 else { return poses.isEmpty ? [] : [0] }
        let count = min(panels, poses.count)
        return (0..<count).map { Int((Double($0) * Double(poses.count - 1) / Double(count - 1)).rounded()) }
    }

    /// The strip as SVG text. Panel k is the group with id `pose-k` (its step in `data-step`), drawn with
    /// the data-to-pixel map in its `data-*` attributes; the whole tip path is the polyline `tip-path`.
    public func svg(panels: Int = 6) -> String {
        let steps = shownSteps(panels: panels)
        let size = 200.0
        let gap = 12.0
        let width = 20 + Double(steps.count) * (size + gap)
        var svg = SVGDocument(width: width, height: size + 70)
        svg.text(title, x: width / 2, y: 22, size: 14, extra: [("font-weight", "bold")])
        let reach = poses.flatMap { $0 }.map { max(abs($0.x), abs($0.y)) }.max() ?? 1
        let extent = max(reach, goal.map { max(abs($0.x), abs($0.y)) } ?? 0) * 1.1
        let tips = poses.map { $0.last ?? (0, 0) }
        for (panel, step) in steps.enumerated() {
            let left = 20 + Double(panel) * (size + gap)
            let axes = Axes(left: left, top: 36, width: size, height: size, x: -extent...extent, y: -extent...extent)
            svg.open("g", [("id", "pose-\(panel)"), ("data-step", "\(step)")] + axes.attributes)
            svg.element(
                "rect",
                [("x", SVGDocument.number(left)), ("y", "36"), ("width", SVGDocument.number(size)), ("height", SVGDocument.number(size)),
                 ("fill", "#fbfbfb"), ("stroke", "#999999")])
            svg.line(axes.px(-extent), axes.py(0), axes.px(extent), axes.py(0), stroke: "#eeeeee")
            svg.line(axes.px(0), axes.py(-extent), axes.px(0), axes.py(extent), stroke: "#eeeeee")
            let path = tips.map { (axes.px($0.x), axes.py($0.y)) }
            svg.element(
                "polyline",
                [("class", "full-path"), ("points", SVGDocument.points(path)), ("fill", "none"), ("stroke", "#cccccc"), ("stroke-width", "1")])
            svg.element(
                "polyline",
                [("id", panel == steps.count - 1 ? "tip-path" : "tip-path-\(panel)"), ("points", SVGDocument.points(Array(path[...step]))),
                 ("fill", "none"), ("stroke", "#e07020"), ("stroke-width", "1.5")])
            if let goal {
                svg.element(
                    "circle",
                    [("class", "goal"), ("cx", SVGDocument.number(axes.px(goal.x))), ("cy", SVGDocument.number(axes.py(goal.y))), ("r", "5"),
                     ("fill", "#2a9d4a"), ("fill-opacity", "0.8")])
            }
            let joints = poses[step].map { (axes.px($0.x), axes.py($0.y)) }
            svg.element(
                "polyline",
                [("class", "links"), ("points", SVGDocument.points(joints)), ("fill", "none"), ("stroke", "#1f5fae"), ("stroke-width", "4"),
                 ("stroke-linecap", "round"), ("stroke-linejoin", "round")])
            for point in joints {
                svg.element("circle", [("cx", SVGDocument.number(point.0)), ("cy", SVGDocument.number(point.1)), ("r", "3.5"), ("fill", "#333333")])
            }
            svg.close("g")
            svg.text("step \(step)", x: left + size / 2, y: 36 + size + 18, size: 11)
        }
        return svg.text
    }

    /// The episode as one animated panel (SVG's own animation, no script), playing at `secondsPerStep`
    /// per step and repeating: the arm moves, a dot follows the fingertip over its whole path in grey.
    /// The arm is the polyline `links` whose `animate` child holds one pose per step in `values`.
    public func animatedSVG(secondsPerStep: Double) -> String {
        let size = 320.0
        var svg = SVGDocument(width: size + 40, height: size + 70)
        svg.text(title, x: (size + 40) / 2, y: 22, size: 14, extra: [("font-weight", "bold")])
        let reach = poses.flatMap { $0 }.map { max(abs($0.x), abs($0.y)) }.max() ?? 1
        let extent = max(reach, goal.map { max(abs($0.x), abs($0.y)) } ?? 0) * 1.1
        let axes = Axes(left: 20, top: 36, width: size, height: size, x: -extent...extent, y: -extent...extent)
        let duration = SVGDocument.number(max(secondsPerStep * Double(max(poses.count - 1, 1)), 0.01)) + "s"
        svg.open("g", [("id", "animation")] + axes.attributes)
        svg.element(
            "rect", [("x", "20"), ("y", "36"), ("width", SVGDocument.number(size)), ("height", SVGDocument.number(size)), ("fill", "#fbfbfb"), ("stroke", "#999999")])
        let tips = poses.map { $0.last ?? (0, 0) }
        svg.element(
            "polyline",
            [("id", "tip-path"), ("points", SVGDocument.points(tips.map { (axes.px($0.x), axes.py($0.y)) })), ("fill", "none"),
             ("stroke", "#cccccc"), ("stroke-width", "1.5")])
        if let goal {
            svg.element(
                "circle",
                [("class", "goal"), ("cx", SVGDocument.number(axes.px(goal.x))), ("cy", SVGDocument.number(axes.py(goal.y))), ("r", "6"),
                 ("fill", "#2a9d4a"), ("fill-opacity", "0.8")])
        }
        let frames = poses.map { pose in SVGDocument.points(pose.map { (axes.px($0.x), axes.py($0.y)) }) }
        svg.open(
            "polyline",
            [("class", "links"), ("points", frames.first ?? ""), ("fill", "none"), ("stroke", "#1f5fae"), ("stroke-width", "5"),
             ("stroke-linecap", "round"), ("stroke-linejoin", "round")])
        svg.element(
            "animate", [("attributeName", "points"), ("dur", duration), ("repeatCount", "indefinite"), ("calcMode", "discrete"), ("values", frames.joined(separator: ";"))])
        svg.close("polyline")
        let first = tips.first ?? (0, 0)
        svg.open("circle", [("cx", SVGDocument.number(axes.px(first.x))), ("cy", SVGDocument.number(axes.py(first.y))), ("r", "4"), ("fill", "#e07020")])
        svg.element(
            "animate", [("attributeName", "cx"), ("dur", duration), ("repeatCount", "indefinite"), ("calcMode", "discrete"), ("values", tips.map { SVGDocument.number(axes.px($0.x)) }.joined(separator: ";"))])
        svg.element(
            "animate", [("attributeName", "cy"), ("dur", duration), ("repeatCount", "indefinite"), ("calcMode", "discrete"), ("values", tips.map { SVGDocument.number(axes.py($0.y)) }.joined(separator: ";"))])
        svg.close("circle")
        svg.close("g")
        svg.text("\(poses.count - 1) steps, \(duration) per loop", x: 20 + size / 2, y: 36 + size + 20, size: 11)
        return svg.text
    }
}
