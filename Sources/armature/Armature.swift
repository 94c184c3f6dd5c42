import ArgumentParser
import FirmwareLink
import Foundation
import RobotModel

/// The `armature` command line: describe and check robots, replay actions, run the arm.
@main
struct Armature: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "armature",
        abstract: "Put reinforcement-learning policies on robot arms: describe, simulate, replay and run.",
        discussion: """
            A robot is a YAML file (see robots/README.md). Start with:
              armature describe robots/reacher.yaml
              armature rollout --robot robots/reacher.yaml --episodes 10
            """,
        subcommands: [
            Describe.self, Validate.self, Replay.self, Rollout.self, Train.self, Eval.self, Run.self, MoveArm.self, Home.self, Bench.self,
            Ports.self, Emulate.self, Calibrate.self, Plot.self, ExportFirmware.self,
        ]
    )

    /// Runs a command and turns user errors into one clear message on stderr and exit status 1.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as UserFacingError {
            printError(error.description)
            Foundation.exit(1)
        } catch let error as DescriptionError {
            printError(error.description)
            Foundation.exit(1)
        } catch {
            // Help and version requests succeed; every usage mistake is a user error (status 1).
            if exitCode(for: error) == .success { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(1)
        }
    }
}

/// An error the user can act on; printed without a stack trace.
struct UserFacingError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

// Standard error may be a closed pipe too (SIGPIPE is ignored while a command runs): then there is
// nowhere left to say anything, and that must not crash a command that is switching an arm off.
func printWarning(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data(("warning: " + text + "\n").utf8))
}

func printError(_ text: String) {
    try? FileHandle.standardError.write(contentsOf: Data(("error: " + text.replacingOccurrences(of: "\n", with: "\nerror: ") + "\n").utf8))
}

/// Loads a robot description, turning its problems into the command line's error.
func loadRobot(_ path: String) throws -> RobotDescription {
    try RobotDescription.load(path: path)
}
