import ArmDynamics
import RobotModel

/// The arm as a `foxglove.SceneUpdate`: one entity with the links as a line strip from the base to the
/// fingertip, a sphere at each joint and at the fingertip, and one entity for the goal. A horizontal arm
/// lies in the x–y plane; a vertical arm stands in the x–z plane (its gravity, −y of the description's
/// base frame, is −z in the scene, the 3D panel's down).
struct ArmScene {
    let arm: PlanarArm
    let vertical: Bool
    let frame = "base"
    /// Sized from the arm's reach so the picture scales with it.
    private let jointDiameter: Double
    private let lineWidth: Double

    init(robot: RobotDescription) {
        arm = PlanarArm(robot)
        vertical = robot.plane == .vertical
        let reach = max(arm.lengths.reduce(0, +), 1e-3)
        jointDiameter = reach * 0.06
        lineWidth = reach * 0.025
    }

    /// The scene at one instant; `episode` and `step` go into the arm entity's metadata, so a viewer (or a
    /// check) can tell which step a picture belongs to.
    func message(position q: [Double], goal: (x: Double, y: Double)?, episode: Int? = nil, step: Int? = nil, logTime: UInt64) -> [UInt8] {
        let stamp = #"{"sec":\#(logTime / 1_000_000_000),"nsec":\#(logTime % 1_000_000_000)}"#
        let joints = arm.jointPositions(q: q)
        var spheres: [String] = []
        for (i, point) in joints.enumerated() {
            let tip = i == joints.count - 1
            spheres.append(sphere(point, diameter: jointDiameter * (tip ? 0.8 : 1), color: tip ? (0.95, 0.45, 0.1, 1) : (0.2, 0.2, 0.25, 1)))
        }
        let line =
            #"{"type":0,"pose":\#(Self.identity),"thickness":\#(lineWidth),"scale_invariant":false,"points":[\#(joints.map(position).joined(separator: ","))],"color":\#(color((0.25, 0.5, 0.85, 1))),"colors":[],"indices":[]}"#
        var metadata: [String] = []
        if let episode { metadata.append(#"{"key":"episode","value":"\#(episode)"}"#) }
        if let step { metadata.append(#"{"key":"step","value":"\#(step)"}"#) }
        var entities = [entity(id: "arm", stamp: stamp, metadata: metadata, spheres: spheres, lines: [line])]
        if let goal {
            entities.append(entity(id: "goal", stamp: stamp, metadata: [], spheres: [sphere(goal, diameter: jointDiameter * 0.9, color: (0.1, 0.7, 0.3, 0.8))], lines: []))
        }
        return Array(#"{"deletions":[],"entities":[\#(entities.joined(separator: ","))]}"#.utf8)
    }

    private static let identity = #"{"position":{"x":0,"y":0,"z":0},"orientation":{"x":0,"y":0,"z":0,"w":1}}"#

    private func position(_ point: (x: Double, y: Double)) -> String {
        let x = JSONText.number(point.x)
        let y = JSONText.number(point.y)
        return vertical ? #"{"x":\#(x),"y":0,"z":\#(y)}"# : #"{"x":\#(x),"y":\#(y),"z":0}"#
    }

    private func color(_ c: (Double, Double, Double, Double)) -> String { #"{"r":\#(c.0),"g":\#(c.1),"b":\#(c.2),"a":\#(c.3)}"# }

    private func sphere(_ point: (x: Double, y: Double), diameter: Double, color c: (Double, Double, Double, Double)) -> String {
        #"{"pose":{"position":\#(position(point)),"orientation":{"x":0,"y":0,"z":0,"w":1}},"size":{"x":\#(diameter),"y":\#(diameter),"z":\#(diameter)},"color":\#(color(c))}"#
    }

    private func entity(id: String, stamp: String, metadata: [String], spheres: [String], lines: [String]) -> String {
        #"{"timestamp":\#(stamp),"frame_id":"\#(frame)","id":"\#(id)","lifetime":{"sec":0,"nsec":0},"frame_locked":false,"metadata":[\#(metadata.joined(separator: ","))],"arrows":[],"cubes":[],"spheres":[\#(spheres.joined(separator: ","))],"cylinders":[],"lines":[\#(lines.joined(separator: ","))],"triangles":[],"texts":[],"models":[]}"#
    }
}
