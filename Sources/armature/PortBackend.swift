import Dynamixel
import Hardware
import RobotModel

/// The backend behind `--port`: the description's Dynamixel servos when it has a `bus:` section,
/// the Armature firmware's serial link otherwise. One place, so `run` and `train` cannot differ.
enum PortBackend {
    /// `lockstep`: the device on `port` is a lockstep emulator (`emulate --lockstep`), whose every
    /// command already advances one control period; the Armature firmware says so itself, a
    /// Dynamixel bus cannot. `loopPeriod`: the loop's period when it is not the robot's control
    /// period (`run --rate-hz`), so that a step waits for the end of the loop's period.
    static func make(
        _ robot: RobotDescription, port: String, lostReplies: Int?, connectTimeout: Double? = nil, lockstep: Bool = false,
        loopPeriod: Double? = nil
    ) throws -> any ArmBackend {
        if robot.bus != nil && connectTimeout != nil {
            throw UserFacingError(
                "--connect-timeout is for the Armature firmware's handshake; a Dynamixel bus is checked by pinging its servos at activation")
        }
        do {
            if robot.bus != nil {
                let arm = try DynamixelArm(robot: robot, port: port, lostReplies: lostReplies)
                arm.readsAtPeriodEnd = !lockstep
                if let loopPeriod { arm.readingPeriod = loopPeriod }
                return arm
            }
            let arm = try SerialArm(robot: robot, port: port, lostReplies: lostReplies, connectTimeout: connectTimeout)
            if let loopPeriod { arm.readingPeriod = loopPeriod }
            return arm
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
