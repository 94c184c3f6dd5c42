#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MonotonicTime
import SystemCall

/// A pseudo-terminal's device side (or any tty) opened raw through termios, for the emulator:
/// libserialport refuses pseudo-terminals.
public final class TerminalTransport: SerialTransport {
    public let path: String
    private var descriptor: Int32

    /// Opens `path` read-write, raw (no echo, no line editing, no CR/LF translation), and drops stale input.
    public init(path: String) throws {
        self.path = path
        // Non-blocking so that every wait is a poll with a deadline; no controlling tty for the host.
        let fd = systemOpen(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw SerialTransportError.openFailed(path: path, reason: errnoDescription()) }
        do {
            try TerminalIO.makeRaw(fd, path: path)
        } catch {
            _ = systemClose(fd)
            throw error
        }
        descriptor = fd
        discardInput()
    }

    deinit { close() }

    public func write(_ bytes: UnsafeRawBufferPointer, timeout: Double) throws {
        guard descriptor >= 0 else { throw SerialTransportError.closed(path: path) }
        try TerminalIO.writeAll(descriptor, bytes, timeout: timeout, path: path)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Double) throws -> Int {
        guard descriptor >= 0 else { throw SerialTransportError.closed(path: path) }
        return try TerminalIO.read(descriptor, into: buffer, timeout: timeout, path: path)
    }

    public func discardInput() {
        if descriptor >= 0 { tcflush(descriptor, TCIFLUSH) }
    }

    public func close() {
        if descriptor >= 0 {
            _ = systemClose(descriptor)
            descriptor = -1
        }
    }
}

/// Non-blocking file-descriptor I/O with deadlines, shared by the terminal transport and the pseudo-terminal.
enum TerminalIO {
    /// Raw mode: bytes pass unchanged both ways, which a binary protocol needs.
    static func makeRaw(_ fd: Int32, path: String) throws {
        var settings = termios()
        guard tcgetattr(fd, &settings) == 0 else {
            throw SerialTransportError.configureFailed(path: path, setting: "raw mode", reason: errnoDescription())
        }
        cfmakeraw(&settings)
        settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
        guard tcsetattr(fd, TCSANOW, &settings) == 0 else {
            throw SerialTransportError.configureFailed(path: path, setting: "raw mode", reason: errnoDescription())
        }
    }

    /// Waits up to `timeout` seconds for `events` on `fd`; false on timeout.
    static func wait(_ fd: Int32, events: Int16, timeout: Double) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        // Round up: a deadline 0.3 ms away must still wait, not spin.
        let ms = timeout <= 0 ? 0 : Int32(min((timeout * 1000).rounded(.up), Double(Int32.max)))
        let ready = poll(&entry, 1, ms)
        // EINTR counts as "look again"; the caller re-checks its deadline.
        return ready != 0
    }

    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, timeout: Double, path: String) throws -> Int {
        let deadline = MonotonicClock.seconds() + timeout
        while true {
            let (count, code) = retryingInterrupts { systemRead(fd, buffer.baseAddress, buffer.count) }
            if count > 0 { return count }
            if count == 0 { throw SerialTransportError.endOfFile(path: path) }
            guard code == EAGAIN || code == EWOULDBLOCK else {
                throw SerialTransportError.readFailed(path: path, reason: errnoDescription(code))
            }
            let remaining = deadline - MonotonicClock.seconds()
            if remaining <= 0 { return 0 }
            if !wait(fd, events: Int16(POLLIN), timeout: remaining), MonotonicClock.seconds() >= deadline { return 0 }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, timeout: Double, path: String) throws {
        guard let base = bytes.baseAddress else { return }
        let deadline = MonotonicClock.seconds() + timeout
        var offset = 0
        while offset < bytes.count {
            let (written, code) = retryingInterrupts { systemWrite(fd, base + offset, bytes.count - offset) }
            if written > 0 {
                offset += written
                continue
            }
            guard written < 0 && (code == EAGAIN || code == EWOULDBLOCK) else {
                throw SerialTransportError.writeFailed(path: path, reason: errnoDescription(code))
            }
            let remaining = deadline - MonotonicClock.seconds()
            if remaining <= 0 { throw SerialTransportError.writeTimedOut(path: path, seconds: timeout) }
            _ = wait(fd, events: Int16(POLLOUT), timeout: remaining)
        }
    }
}

