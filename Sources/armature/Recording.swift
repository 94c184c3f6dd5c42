import FileAccess
import FlightRecorder
import RobotModel

/// `--record FILE.mcap`, the same for every command that runs the arm.
enum Recording {
    /// Help text of the option.
    static let help = "Record the run into this MCAP file (joint states, actions and torques, guard reports, goal and reward, episodes, timing, the arm for Foxglove's 3D panel); written as it runs, so a crash keeps every complete chunk."

    /// Opens the recording before the run starts, so a path that cannot be written stops the command
    /// before the arm moves.
    static func open(_ path: String?, robot: RobotDescription, pacing: FlightRecorder.Pacing, every: Int = 1) throws -> FlightRecorder? {
        guard let path else { return nil }
        guard path.hasSuffix(".mcap") else {
            throw UserFacingError("--record \(path): a recording is an MCAP file; give a name ending in .mcap")
        }
        do {
            return try FlightRecorder(
                path: path, robot: robot, pacing: pacing, recordEvery: every,
                context: ["command": CommandLine.arguments.joined(separator: " ")])
        } catch {
            throw UserFacingError(error.description)
        }
    }

    /// Writes the recording's end and says what it holds (a write error ended only the recording, never
    /// the run, and is reported here).
    static func close(_ recorder: FlightRecorder?) {
        guard let recorder else { return }
        let report = recorder.close()
        if report.error != nil { printWarning(report.description) } else { print(report.description) }
    }
}
