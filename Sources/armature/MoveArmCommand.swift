import ArgumentParser
import Dynamixel
import Hardware
import RobotModel

/// `armature move`: drive the arm to a pose with its device's position controller.
struct MoveArm: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "move",
        abstract: "Drive the arm to --to with the device's position controller (protocol 1.3 MOVE, or the Dynamixel servos' own), then switch torque off.",
        discussion: """
            The same move that starts an episode on hardware, on its own: to park the arm, or to try the
            robot description's move section (gains, speed, tolerances, timeout) before training. The host
            repeats MOVE every control period until the device reports the arm settled, then disables
            the motors (the arm is no longer held). --sim runs the same controller on the simulated arm.
            A description with a `bus:` section moves its Dynamixel servos in current-based position mode
            (their own position gains; the section's speed, tolerances and timeout), polling them until
            they settle.
            """
    )

    @Option(help: "Robot description (YAML).")
    var robot: String = "robots/reacher.yaml"
    @Option(help: "Serial port of the arm's firmware, or of its Dynamixel bus when the description has a `bus:` section (or an emulator's pseudo-terminal).")
    var port: String?
    @Flag(help: "Use the simulated arm, starting at rest at the zero pose.")
    var sim = false
    @Option(help: "Target joint angles, rad, comma-separated.")
    var to: String

    func validate() throws {
        guard sim != (port != nil) else { throw ValidationError("give exactly one of --sim or --port PORT") }
    }

    func run() throws {
        let description = try loadRobot(robot)
        let target = try parseJointValues(to, option: "--to", jointCount: description.jointCount)
        let backend: any ArmBackend
        if let port {
            backend = try PortBackend.make(description, port: port, lostReplies: nil)
        } else {
            backend = SimulatedArm(robot: description)
        }
        defer { backend.deactivate() }
        let arm = ActuatedArm(robot: description, backend: backend)
        do {
            try arm.begin(.move, position: target, velocity: Array(repeating: 0, count: description.jointCount))
        } catch {
            throw UserFacingError("move failed: \(error)")
        }
        let move = arm.lastMove!
        let reached = arm.state.position.map { format($0) }.joined(separator: ", ")
        print(
            "settled at [\(reached)] rad after \(move.periods) \(backend is DynamixelArm ? "status reads" : "periods") "
                + "(\(format(move.duration)) s), "
                + "largest error \(format(move.positionError)) rad; torque off")
    }
}
