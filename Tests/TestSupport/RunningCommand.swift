import Foundation

/// The built `armature` running in the background, for tests that signal it, close its output or
/// stop it mid-run. Every wait has a deadline; a command still running when the test ends is killed.
public final class RunningCommand {
    public let process = Process()
    private let output = Pipe()
    private let errors = Pipe()
    private var received = Data()
    private var receivedErrors = Data()
    private var outputClosed = false

    /// Starts `armature` with `arguments` in the repository root; standard output and error are pipes.
    public init(_ arguments: [String]) throws {
        process.executableURL = CommandRunner.executable
        process.arguments = arguments
        process.currentDirectoryURL = RepositoryFiles.root
        process.standardOutput = output
        process.standardError = errors
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Reads standard output until it contains `text`; false if the deadline passes or the output ends first.
    public func waitForOutput(containing text: String, timeout: TimeInterval) -> Bool {
        let descriptor = output.fileHandleForReading.fileDescriptor
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: received, as: UTF8.self).contains(text) {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return false }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, Int32((remaining * 1000).rounded(.up))) > 0 else { continue }
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { return false }
            received.append(contentsOf: buffer[..<count])
        }
        return true
    }

    /// What `waitForOutput` has read of standard output so far (while the command runs).
    public var standardOutputSoFar: String { String(decoding: received, as: UTF8.self) }

    /// Closes the reading end of standard output, as `head` does when it has read enough.
    public func closeOutput() {
        try? output.fileHandleForReading.close()
        outputClosed = true
    }

    /// Sends `signal` to the command.
    public func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits until the command exits; false (and the command killed) if it is still running at the deadline.
    public func waitForExit(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        guard !process.isRunning else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }
        process.waitUntilExit()
        return true
    }

    /// Everything the command wrote to standard output (after it exited; what was read so far if the output was closed).
    public var standardOutput: String {
        if !outputClosed, !process.isRunning, let rest = try? output.fileHandleForReading.readToEnd() { received.append(rest) }
        return String(decoding: received, as: UTF8.self)
    }

    /// Everything the command wrote to standard error (after it exited).
    public var standardError: String {
        if !process.isRunning, let rest = try? errors.fileHandleForReading.readToEnd() { receivedErrors.append(rest) }
        return String(decoding: receivedErrors, as: UTF8.self)
    }
}
