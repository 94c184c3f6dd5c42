import ArgumentParser
import Dynamixel
import FileAccess
import Foundation
import RobotModel

/// `armature calibrate`: the offsets of a Dynamixel arm held at its zero pose, into a new description.
struct Calibrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record a Dynamixel arm's servo offsets at its zero pose into a new robot description.",
        discussion: """
            Place the arm at its zero pose (every link along +x, the base frame's axis) and run this: it pings every servo of the description's `bus:` section, switches its torque off (so hold the arm), reads each Present Position and writes a copy of the description with those as the servos' `offset`s to --out, leaving everything else (comments included) as it was. The servos' EEPROM is not touched unless you give --write-homing-offset: then each servo's Homing Offset is set so that it reads 0 at the zero pose, and the offsets written are what the servos then read (0).

            Examples:
              armature calibrate --robot robots/xm430-two-joint.yaml --out robots/my-arm.yaml
              armature calibrate --robot robots/xm430-two-joint.yaml --port /dev/ttyUSB1 --out robots/my-arm.yaml
            """
    )

    @Option(help: "Robot description with a `bus: {type: dynamixel}` section.")
    var robot: String
    @Option(help: "Where to write the calibrated description (a new file, or one to replace).")
    var out: String
    @Option(help: "The bus's port instead of the description's bus.port.")
    var port: String?
    @Flag(help: "Also store the offsets in the servos' Homing Offset (EEPROM), so that each reads 0 at the zero pose.")
    var writeHomingOffset = false

    func validate() throws {
        if URL(fileURLWithPath: out).standardized.path == URL(fileURLWithPath: robot).standardized.path {
            throw ValidationError("--out is the description being read; write the calibrated copy to another file")
        }
    }

    func run() throws {
        let description = try loadRobot(robot)
        guard description.bus != nil else {
            throw UserFacingError("\(robot) has no `bus: {type: dynamixel}` section; calibrate reads Dynamixel servos (robots/README.md)")
        }
        let offsets: [Int]
        do {
            offsets = try Calibration.offsets(robot: description, port: port, writeHomingOffset: writeHomingOffset)
        } catch {
            throw UserFacingError(String(describing: error))
        }
        let original: [UInt8]
        do { original = try RegularFile.read(robot, limit: 1 << 20) } catch { throw UserFacingError(error.description) }
        let text = try ServoOffsetEditor.setting(offsets: offsets, in: String(decoding: original, as: UTF8.self), file: robot)
        do {
            try AtomicFile.write(Array(text.utf8), to: out)
        } catch {
            throw UserFacingError(error.description)
        }
        // What was written must read back as the same arm with the new offsets.
        let written = try loadRobot(out)
        guard written.bus?.servos.map(\.offset) == offsets else {
            throw UserFacingError("the description written to \(out) does not read back with the new offsets; this is a bug")
        }
        for (joint, offset) in zip(description.joints, offsets) { print("\(joint.name): offset \(offset) ticks") }
        if writeHomingOffset { print("Homing Offset stored on the servos; they read 0 at this pose") }
        print("calibrated description → \(out)")
    }
}
