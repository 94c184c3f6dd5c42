import Dynamixel
import Hardware
import RobotModel

/// The backend behind `--port`: the description's Dynamixel servos when it has a `bus:` section,
/// the Armature firmware's serial link otherwise. One place, so `run` and `train` cannot differ.
enum PortBackend {
    static func make(_ robot: RobotDescription, port: String, lostReplies: Int?, connectTimeout: Double? = nil) throws -> any ArmBackend {
        if robot.bus != nil && connectTimeout != nil {
            throw UserFacingError(
                "--connect-timeout is for the Armature firmware's handshake; a Dynamixel bus is checked by pinging its servos at activation")
        }
        do {
            if robot.bus != nil { return try DynamixelArm(robot: robot, port: port, lostReplies: lostReplies) }
            return try SerialArm(robot: robot, port: port, lostReplies: lostReplies, connectTimeout: connectTimeout)
        } catch {
            throw UserFacingError(String(describing: error))
        }
    }

    /// What the link did, in the wording of its kind; nil for a simulated arm.
    static func report(_ backend: any ArmBackend) -> String? {
        if let serial = backend as? SerialArm { return Reports.link(serial.linkStatistics) }
        if let dynamixel = backend as? DynamixelArm { return Reports.bus(dynamixel) }
        return nil
    }
}
