import ArgumentParser
import Hardware
import RobotModel

/// `armature home`: re-zero a real arm's encoders, on purpose and only on purpose.
struct Home: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-zero the arm's position sensors: declare that the arm is at --pose now (needs --confirm).",
        discussion: """
            Sends HOME (PROTOCOL.md 6.4) with the motors disabled: the device re-zeroes its encoders so
            that the arm, where it stands, reads --pose. Do it only with the arm at a pose you know (against
            its mechanical stops, or at its marks): at any other pose the calibration shifts by the
            difference, and with it every position limit the device and the guard enforce. Episodes never
            do this; they move the arm to their start pose (--episode-start move). The device refuses a pose
            outside its joint range, and while the e-stop is latched. The motors stay disabled afterwards.
            """
    )

    @Option(help: "Robot description (YAML).")
    var robot: String = "robots/reacher.yaml"
    @Option(help: "Serial port of the arm's firmware (default: the robot's serial.port).")
    var port: String?
    @Option(help: "The joint angles the arm is at now, rad, comma-separated.")
    var pose: String
    @Flag(help: "Confirm that the arm is physically at --pose; without it nothing is sent.")
    var confirm = false

    func run() throws {
        let description = try loadRobot(robot)
        if description.bus != nil {
            throw UserFacingError(
                "\(robot) describes Dynamixel servos (a `bus:` section); their zero is each servo's offset: hold the arm at its zero "
                    + "pose and run armature calibrate (robots/README.md)")
        }
        let position = try parseJointValues(pose, option: "--pose", jointCount: description.jointCount)
        guard confirm else {
            throw UserFacingError(
                "home re-zeroes the arm's encoders so that its present pose reads \(pose); nothing was sent. Put the arm "
                    + "at that pose, then run again with --confirm")
        }
        let arm: SerialArm
        do {
            arm = try SerialArm(robot: description, port: port)
        } catch {
            throw UserFacingError(String(describing: error))
        }
        defer {
            arm.deactivate()
            arm.link.close()
        }
        var state = JointState(jointCount: description.jointCount)
        do {
            try arm.rezero(position: position, state: &state)
        } catch {
            throw UserFacingError("home on \(arm.link.path) failed: \(error)")
        }
        let reads = state.position.map { format($0) }.joined(separator: ", ")
        print("\(description.name) on \(arm.link.path) re-zeroed: the arm now reads [\(reads)] rad; motors disabled")
    }
}
