import CSerialPort

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemCall

/// A real serial port (UART, USB CDC) through libserialport: raw 8N1, no flow control.
public final class LibSerialPortTransport: SerialTransport {
    public let path: String
    public let baud: Int
    private var port: OpaquePointer?

    /// Opens and configures `path`. Errors name the port and the operating system's reason.
    public init(path: String, baud: Int = SerialPorts.defaultBaud) throws {
        self.path = path
        self.baud = baud
        var handle: OpaquePointer?
        try Self.check(sp_get_port_by_name(path, &handle), path: path, opening: true)
        guard let handle else { throw SerialTransportError.openFailed(path: path, reason: "libserialport returned no port") }
        do {
            try Self.check(sp_open(handle, SP_MODE_READ_WRITE), path: path, opening: true)
        } catch {
            sp_free_port(handle)
            throw error
        }
        port = handle
        do {
            try configure("baud rate \(baud)") { sp_set_baudrate(handle, Int32(clamping: baud)) }
            try configure("8 data bits") { sp_set_bits(handle, 8) }
            try configure("no parity") { sp_set_parity(handle, SP_PARITY_NONE) }
            try configure("1 stop bit") { sp_set_stopbits(handle, 1) }
            // No flow control: the protocol has no use for it and many USB adapters lie about RTS/CTS.
            try configure("no flow control") { sp_set_flowcontrol(handle, SP_FLOWCONTROL_NONE) }
        } catch {
            close()
            throw error
        }
        discardInput()
    }

    deinit { close() }

    public func write(_ bytes: UnsafeRawBufferPointer, timeout: Double) throws {
        guard let port else { throw SerialTransportError.closed(path: path) }
        let result = sp_blocking_write(port, bytes.baseAddress, bytes.count, Self.milliseconds(timeout))
        guard result.rawValue >= 0 else {
            throw SerialTransportError.writeFailed(path: path, reason: Self.lastError(result))
        }
        if Int(result.rawValue) < bytes.count {
            throw SerialTransportError.writeTimedOut(path: path, seconds: timeout)
        }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer, timeout: Double) throws -> Int {
        guard let port else { throw SerialTransportError.closed(path: path) }
        // sp_blocking_read_next returns as soon as any byte arrives; a timeout of 0 would mean "forever".
        let result = sp_blocking_read_next(port, buffer.baseAddress, buffer.count, Self.milliseconds(timeout))
        guard result.rawValue >= 0 else {
            throw SerialTransportError.readFailed(path: path, reason: Self.lastError(result))
        }
        return Int(result.rawValue)
    }

    public func discardInput() {
        if let port { _ = sp_flush(port, SP_BUF_INPUT) }
    }

    public func close() {
        guard let port else { return }
        _ = sp_close(port)
        sp_free_port(port)
        self.port = nil
    }

    private func configure(_ setting: String, _ call: () -> sp_return) throws {
        let result = call()
        guard result.rawValue >= 0 else {
            throw SerialTransportError.configureFailed(path: path, setting: setting, reason: Self.lastError(result))
        }
    }

    private static func check(_ result: sp_return, path: String, opening: Bool) throws {
        guard result.rawValue < 0 else { return }
        throw SerialTransportError.openFailed(path: path, reason: lastError(result))
    }

    /// libserialport's reason: the OS message for SP_ERR_FAIL, a fixed text for the others.
    static func lastError(_ result: sp_return) -> String {
        switch result {
        case SP_ERR_FAIL:
            guard let message = sp_last_error_message() else { return errnoDescription() }
            defer { sp_free_error_message(message) }
            return String(cString: message).trimmingTrailingWhitespace()
        case SP_ERR_ARG: return "invalid argument (is this a serial port?)"
        case SP_ERR_MEM: return "out of memory"
        case SP_ERR_SUPP: return "not supported by this port or operating system"
        default: return "libserialport error \(result.rawValue)"
        }
    }

    private static func milliseconds(_ seconds: Double) -> UInt32 {
        UInt32(min(max((seconds * 1000).rounded(.up), 1), Double(UInt32.max)))
    }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
