import Foundation

/// Runs the reference Python tools (safetensors, tensorboard) that check our files, from the
/// virtual environment `scripts/install-python-packages` makes in `.venv`, or else `python3` on the PATH.
public enum Python {
    /// The interpreter the tests use.
    public static let executable: String = {
        let venv = RepositoryFiles.path(".venv/bin/python3")
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }()

    /// What to tell a user whose interpreter lacks a package.
    public static let installHint =
        "run scripts/install-python-packages (it makes .venv with safetensors, numpy, tensorboard, mcap, jsonschema, dynamixel-sdk and websockets)"

    /// A python3 run that failed, with its standard error.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `python3 arguments...` with `executable` and returns its standard output; throws with
    /// stderr on failure.
    public static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [executable] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { throw Failure(description: "cannot start python3: \(error)") }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "python3 exited with status \(process.terminationStatus): " + String(decoding: stderr, as: UTF8.self))
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
