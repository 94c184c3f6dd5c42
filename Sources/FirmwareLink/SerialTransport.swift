#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A byte stream to a device: a serial port or a pseudo-terminal. One owner, one thread at a time.
public protocol SerialTransport: AnyObject {
    /// The path the transport was opened with (as the user wrote it, symlinks unresolved).
    var path: String { get }
    /// Writes every byte, waiting at most `timeout` seconds for the line to accept them.
    func write(_ bytes: UnsafeRawBufferPointer, timeout: Double) throws
    /// Reads the bytes available, waiting at most `timeout` seconds for the first one; 0 means none came.
    func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Double) throws -> Int
    /// Drops bytes received but not yet read (stale replies from an earlier session).
    func discardInput()
    /// Releases the port. Safe to call more than once.
    func close()
}

/// Why a serial port or pseudo-terminal could not be opened, configured, read or written.
public enum SerialTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    case openFailed(path: String, reason: String)
    case configureFailed(path: String, setting: String, reason: String)
    case writeFailed(path: String, reason: String)
    case writeTimedOut(path: String, seconds: Double)
    case readFailed(path: String, reason: String)
    case endOfFile(path: String)
    case closed(path: String)

    public var description: String {
        switch self {
        case .openFailed(let path, let reason):
            return "cannot open serial port \(path): \(reason); check that the device is plugged in and the path is right "
                + "(`armature ports` lists the ports), and that you may read and write it (on Linux: the dialout group)"
        case .configureFailed(let path, let setting, let reason):
            return "cannot set \(setting) on \(path): \(reason); check that the port supports it "
                + "(set `baud` in the robot's serial section to a rate the adapter accepts)"
        case .writeFailed(let path, let reason):
            return "writing to \(path) failed: \(reason); the device was probably disconnected: check the cable and power, then reconnect"
        case .writeTimedOut(let path, let seconds):
            return "writing to \(path) did not finish within \(milliseconds(seconds)): the device is not taking bytes; "
                + "check the cable, the baud rate and that the firmware is running"
        case .readFailed(let path, let reason):
            return "reading from \(path) failed: \(reason); the device was probably disconnected: check the cable and power, then reconnect"
        case .endOfFile(let path):
            return "\(path) was closed by the other side (the device or the emulator went away); restart it, then reconnect"
        case .closed(let path):
            return "\(path) is closed; open the link again before using it"
        }
    }
}

/// Opening and listing serial ports, picking the right implementation for each path.
public enum SerialPorts {
    /// The line rate used when a robot description does not name one, bit/s.
    public static let defaultBaud = 1_000_000

    /// Opens `path` raw (8N1, no flow control): pseudo-terminals through termios, everything else
    /// through libserialport, which cannot open pseudo-terminals.
    public static func open(path: String, baud: Int = defaultBaud) throws -> any SerialTransport {
        if isPseudoTerminal(path) {
            return try TerminalTransport(path: path)
        }
        return try LibSerialPortTransport(path: path, baud: baud)
    }

    /// Whether `path` (or the file a symlink at `path` resolves to) is a pseudo-terminal's device side.
    public static func isPseudoTerminal(_ path: String) -> Bool {
        let resolved = resolvedPath(path)
        #if os(Linux)
        return resolved.hasPrefix("/dev/pts/")
        #else
        // macOS names them /dev/ttys000…; real ports are /dev/tty.* and /dev/cu.*.
        guard resolved.hasPrefix("/dev/ttys") else { return false }
        return resolved.dropFirst("/dev/ttys".count).allSatisfy(\.isNumber)
        #endif
    }

    /// `path` with every symlink resolved, or `path` itself when it does not exist.
    static func resolvedPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

func milliseconds(_ seconds: Double) -> String {
    let ms = seconds * 1000
    return ms == ms.rounded() ? "\(Int(ms)) ms" : "\(ms) ms"
}
