import ArgumentParser
import Foundation
import RobotModel

/// `armature describe`: the per-joint table and derived mass properties of a robot.
struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a robot's joints (torque range, actuator scale and midpoint, limits) and links (mass, inertia).",
        discussion: """
            scale = (high − low)/2 and midpoint = (high + low)/2 map a normalized action a in [-1, 1] \
            to torque a·scale + midpoint. Masses and inertias are derived from the link shapes \
            (MuJoCo's formulas) unless the file gives them.
            """
    )

    @Argument(help: "Robot description (YAML), e.g. robots/reacher.yaml.")
    var robot: String

    func run() throws {
        let description = try loadRobot(robot)
        print(render(description))
    }

    func render(_ r: RobotDescription) -> String {
        var lines: [String] = []
        lines.append("\(r.name): \(r.summary)")
        let gravity = r.plane == .vertical ? ", gravity \(format(r.gravity)) m/s²" : " (gravity out of plane)"
        let substeps = Int((r.control.period / r.physics.timestep).rounded())
        lines.append(
            "\(r.jointCount) joints, \(r.plane.rawValue) plane\(gravity); control \(format(r.control.rateHz)) Hz, "
                + "physics \(r.physics.integrator.rawValue) \(format(r.physics.timestep)) s × \(substeps)")
        if let serial = r.serial {
            lines.append(
                "serial: \(serial.port) at \(serial.baud) baud, timeout \(format(serial.timeout)) s, handshake within "
                    + "\(format(serial.connectTimeout)) s, stops at \(serial.lostReplies) lost replies in a row")
        }
        if let bus = r.bus {
            lines.append(
                "bus: dynamixel on \(bus.port) at \(bus.baud) baud, timeout \(format(bus.timeout)) s, stops at \(bus.lostReplies) lost "
                    + "status packets in a row, bus watchdog \(format(bus.watchdog * 1000)) ms, return delay \(format(bus.returnDelay * 1e6)) µs")
            for (joint, servo) in zip(r.joints, bus.servos) {
                let direction = servo.direction < 0 ? ", reversed" : ""
                lines.append(
                    "  \(joint.name): id \(servo.id), \(servo.model.rawValue), \(format(servo.torqueConstant)) N·m/A\(direction), "
                        + "offset \(servo.offset) ticks")
            }
        }
        if !r.actuation.isZero {
            let limits = r.actuation.torqueRateLimit.map { $0 > 0 ? format($0) : "none" }.joined(separator: ", ")
            lines.append("actuation: action low-pass \(format(r.actuation.actionTimeConstant)) s, torque rate limit \(limits) N·m/s")
        }
        lines.append("")
        let map = ActuatorMap(robot: r)
        let jointHeader = ["joint", "torque low", "torque high", "scale", "midpoint", "position (rad)", "velocity (rad/s)", "damping", "armature"]
        var rows: [[String]] = []
        for (i, joint) in r.joints.enumerated() {
            let position = joint.position.map { "[\(format($0.low)), \(format($0.high))]" } ?? "continuous"
            let velocity = joint.velocityLimit.map { "±\(format($0))" } ?? "unlimited"
            rows.append([
                joint.name, format(joint.torque.low), format(joint.torque.high), format(map.scale[i]),
                format(map.midpoint[i]), position, velocity, format(joint.damping), format(joint.armature),
            ])
        }
        lines.append(contentsOf: table(jointHeader, rows))
        lines.append("torque in N·m, damping in N·m·s/rad, armature in kg·m²")
        lines.append("")
        let linkHeader = ["link", "length (m)", "mass (kg)", "com (m)", "inertia@com (kg·m²)", "inertia@joint (kg·m²)", "from"]
        rows = r.links.map { link in
            [
                link.name, format(link.length), format(link.inertial.mass), format(link.inertial.com),
                format(link.inertial.inertia), format(link.inertial.inertiaAboutJoint),
                link.shapes.isEmpty ? "given" : link.shapes.map(\.kind.rawValue).joined(separator: "+"),
            ]
        }
        lines.append(contentsOf: table(linkHeader, rows))
        let reach = r.links.reduce(0) { $0 + $1.length }
        let total = r.links.reduce(0) { $0 + $1.inertial.mass }
        lines.append("reach \(format(reach)) m, moving mass \(format(total)) kg")
        return lines.joined(separator: "\n")
    }
}

/// Left-aligned text columns.
func table(_ header: [String], _ rows: [[String]]) -> [String] {
    var widths = header.map(\.count)
    for row in rows {
        for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
            .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return [line(header)] + rows.map(line)
}

/// Compact number formatting: up to six significant digits, no trailing noise.
func format(_ value: Double) -> String {
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e-3 && magnitude < 1e6 {
        var text = String(format: "%.6g", value)
        if text.contains("e") { text = String(format: "%g", value) }
        return text
    }
    return String(format: "%.4e", value)
}
