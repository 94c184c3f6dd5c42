import ArgumentParser
import FileAccess
import FirmwareExport
import Foundation
import RobotModel

/// `armature export-firmware`: the build-time C tables the motor firmware is compiled with.
struct ExportFirmware: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-firmware",
        abstract: "Write the C headers the reference firmware is built with from a robot description (and a policy).",
        discussion: """
            Writes DIR/armature_robot.h: the joint count, each joint's torque limit (the larger of |low| and |high|), position range and emulated rotor (inertia, damping), the control period, the device watchdog and the serial baud rate. Every file starts with a comment naming the description and its fingerprint.

            With --policy also DIR/armature_actor.h: the actor the firmware runs itself for protocol 1.4's GOAL (weights as exact float32 constants, the actuator map and the guard's limits), checked against the robot; build it in with make -C firmware-protocol firmware ACTOR=DIR/armature_actor.h (or firmware-qemu), and run it with armature run --port PORT --on-device.

            The STM32F405 firmware (make -C firmware-protocol firmware-qemu) is built with the committed header for robots/reacher.yaml; ROBOT=robots/NAME.yaml makes the Makefile run this command for another robot.
            """
    )

    @Option(help: "Robot description (YAML).")
    var robot: String
    @Option(help: ArgumentHelp("Directory to write into (created when missing; files in it are replaced).", valueName: "dir"))
    var out: String
    @Option(help: "Policy file (actor.safetensors): also write DIR/armature_actor.h, the actor the firmware runs for GOAL (protocol 1.4).")
    var policy: String?
    @Option(help: "The device's torque watchdog, ms: above three control periods and above serial.timeout × serial.lost_replies.")
    var watchdogMs: Double = FirmwareRobotTable.defaultWatchdog * 1000

    func validate() throws {
        try OptionBounds.require("--watchdog-ms", watchdogMs, above: 0, upTo: 4_294_967, unit: "ms")
        guard !out.isEmpty else { throw ValidationError("--out must name a directory") }
    }

    func run() throws {
        let description = try loadRobot(robot)
        try createOutputDirectory()
        // One function per written file.
        var written = [try writeRobotHeader(description)]
        if let policy {
            do {
                let (files, warnings) = try writeActorSources(policyPath: policy, robot: description, to: out)
                for warning in warnings { printWarning(warning) }
                written += files
            } catch {
                throw UserFacingError("\(error)")
            }
        }
        for path in written { print("wrote \(path)") }
    }

    func createOutputDirectory() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw UserFacingError("--out \(out) exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        } catch {
            throw UserFacingError("cannot create --out \(out): \(error.localizedDescription)")
        }
    }

    /// `armature_robot.h`; returns its path.
    func writeRobotHeader(_ description: RobotDescription) throws -> String {
        let table: FirmwareRobotTable
        do {
            table = try FirmwareRobotTable(robot: description, watchdog: watchdogMs / 1000)
        } catch {
            throw UserFacingError("\(robot): \(error)")
        }
        let path = (out as NSString).appendingPathComponent(RobotHeader.fileName)
        do {
            try AtomicFile.write(Array(RobotHeader.render(table, source: robot).utf8), to: path)
        } catch {
            throw UserFacingError("\(error)")
        }
        return path
    }
}
