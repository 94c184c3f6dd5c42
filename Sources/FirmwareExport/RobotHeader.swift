/// `armature_robot.h`: the robot's numbers for the firmware (joint count, torque limits, ranges,
/// the emulated plant's rotors, control period, watchdog, baud rate) as C99 macros.
public enum RobotHeader {
    /// The file's name in the output directory; the firmware's Makefile includes it by this name.
    public static let fileName = "armature_robot.h"

    /// The header's text for `table`, naming `source` (the description's path as given) in its banner.
    public static func render(_ table: FirmwareRobotTable, source: String) -> String {
        func list(_ values: [String]) -> String { "{ " + values.joined(separator: ", ") + " }" }
        let joints = table.joints
        var lines: [String] = [
            GeneratedFileBanner.cComment(source: source, fingerprint: table.fingerprint),
            "#ifndef ARMATURE_ROBOT_H",
            "#define ARMATURE_ROBOT_H",
            "",
            "#include <math.h> /* INFINITY: the range of a continuous joint */",
            "",
            "#define ARMATURE_ROBOT_NAME \(CSource.string(table.robotName))",
            "#define ARMATURE_ROBOT_FINGERPRINT \(CSource.string(table.fingerprint))",
            "#define ARMATURE_JOINTS \(joints.count)",
            "/* The host's control period, us (a TORQUE or MOVE arrives about this often). */",
            "#define ARMATURE_CONTROL_PERIOD_US \(table.controlPeriodMicros)u",
            "/* The device's torque watchdog, us: zero torque this long after the last feed (PROTOCOL.md 8.2). */",
            "#define ARMATURE_WATCHDOG_US \(table.watchdogMicros)u",
            "/* The serial line, bit/s, 8N1. */",
            "#define ARMATURE_UART_BAUD \(table.baud)u",
            "",
            "/* Per joint, in joint order. */",
            "#define ARMATURE_JOINT_NAMES \(list(joints.map { CSource.string($0.name) }))",
            "/* The device's torque limit, N*m: the larger of |low| and |high| of the description's range. */",
            "#define ARMATURE_TORQUE_LIMITS \(list(joints.map { CSource.float($0.torqueLimit) }))",
            "/* The joint range, rad: HOME and MOVE targets outside it are refused; the plant's stops. */",
            "#define ARMATURE_POSITION_LOW \(list(joints.map { CSource.float($0.positionLow) }))",
            "#define ARMATURE_POSITION_HIGH \(list(joints.map { CSource.float($0.positionHigh) }))",
            "/* The emulated rotor: inertia, kg*m^2 (mass-matrix diagonal at the straight pose, armature",
            " * included), and viscous damping, N*m*s/rad. */",
            "#define ARMATURE_INERTIA \(list(joints.map { CSource.double($0.inertia) }))",
            "#define ARMATURE_DAMPING \(list(joints.map { CSource.double($0.damping) }))",
            "",
            "#endif",
        ]
        lines.append("")
        return lines.joined(separator: "\n")
    }
}
