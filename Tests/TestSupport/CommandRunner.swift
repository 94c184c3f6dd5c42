import Foundation

/// Runs the built `armature` executable as a user would, capturing its output and exit status.
public enum CommandRunner {
    public struct Result {
        public let status: Int32
        public let stdout: String
        public let stderr: String
    }

    /// The `armature` binary built beside the test bundle.
    public static var executable: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // macOS runs tests from inside an .xctest bundle; step out of it.
        while directory.pathComponents.contains(where: { $0.hasSuffix(".xctest") }) {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("armature")
    }

    /// Runs `armature` with `arguments` in the repository root and waits for it to exit, killing it
    /// after `timeout` seconds (a hang fails the test instead of stalling the suite). `honouringPermissions`
    /// runs it, when the tests run as root, without the capabilities that let root write anywhere (through
    /// util-linux's setpriv), so that a read-only directory is read-only to it as to any user.
    /// `addressSpaceLimit` caps its memory in bytes (util-linux's prlimit), so that a command that would
    /// load a huge input whole fails instead of quietly using gigabytes. `withoutRealTimePrivileges` runs
    /// it as an ordinary user or a container runs: RLIMIT_RTPRIO 0, RLIMIT_MEMLOCK 8 MiB and, as root, no
    /// CAP_SYS_NICE or CAP_IPC_LOCK (which would override them), so that the OS refuses SCHED_FIFO and mlockall.
    public static func armature(
        _ arguments: [String], timeout: TimeInterval = 120, honouringPermissions: Bool = false, addressSpaceLimit: Int? = nil,
        withoutRealTimePrivileges: Bool = false
    ) throws -> Result {
        var command = [executable.path] + arguments
        if honouringPermissions && geteuid() == 0 {
            command = ["/usr/bin/setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] + command
        }
        if withoutRealTimePrivileges {
            if geteuid() == 0 { command = ["/usr/bin/setpriv", "--bounding-set=-sys_nice,-ipc_lock", "--"] + command }
            command = ["/usr/bin/prlimit", "--rtprio=0", "--memlock=\(8 << 20)", "--"] + command
        }
        if let addressSpaceLimit { command = ["/usr/bin/prlimit", "--as=\(addressSpaceLimit)", "--"] + command }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = RepositoryFiles.root
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        // Read before waiting so that a chatty command cannot fill the pipe and block.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Trains a tiny reacher policy into `directory` (a fraction of a second) for commands that need
    /// one but not a good one, and returns the path of its actor.safetensors.
    public static func tinyPolicy(in directory: String) throws -> String {
        let run = directory + "/tiny-policy"
        let result = try armature([
            "train", "--steps", "50", "--hidden", "8,8", "--batch-size", "8", "--learning-starts", "25", "--checkpoint-every", "0",
            "--out", run,
        ])
        guard result.status == 0 else { throw TinyPolicyFailed(stderr: result.stderr) }
        return run + "/actor.safetensors"
    }
}

/// `armature train` could not make the tiny policy a test needs.
public struct TinyPolicyFailed: Error, CustomStringConvertible {
    public let stderr: String
    public var description: String { "armature train failed to make a tiny policy: \(stderr)" }
}
