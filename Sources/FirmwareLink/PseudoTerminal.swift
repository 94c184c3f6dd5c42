#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SystemCall

/// The controller side of a new pseudo-terminal, raw: what an emulated device holds while a host
/// opens `devicePath` (or the symlink at `linkPath`) as if it were a serial port.
public final class PseudoTerminal {
    /// The device side a host opens (`/dev/pts/N` on Linux).
    public let devicePath: String
    /// A symlink to `devicePath` made for users who want a stable name; removed by `close`.
    public let linkPath: String?
    /// The controller file descriptor (non-blocking); -1 once closed.
    public private(set) var controllerDescriptor: Int32
    // Our own open handle on the device side: without it the controller sees a hang-up (and poll
    // spins) whenever no host has the port open, and the raw settings would not persist between hosts.
    // It also holds an exclusive flock on the device, the mark of a pty an emulator serves
    // (`isServed`); the kernel drops it when the process dies, however it dies.
    private var deviceDescriptor: Int32

    /// Opens a pseudo-terminal in raw mode and, if `linkPath` is given, points a symlink there at it.
    /// An existing symlink is replaced only when stale: its target is gone, or is a pseudo-terminal
    /// no live emulator serves (the number an emulator that was killed left behind, which another
    /// terminal may have taken since). A file, a symlink to anything else, or one a live emulator
    /// serves, is refused.
    public init(linkPath: String? = nil) throws {
        let controller = PtyCalls.openController(O_RDWR | O_NOCTTY)
        guard controller >= 0 else { throw PseudoTerminalError.openFailed(step: "posix_openpt", reason: errnoDescription()) }
        var device: Int32 = -1
        do {
            guard PtyCalls.grant(controller) == 0 else { throw PseudoTerminalError.openFailed(step: "grantpt", reason: errnoDescription()) }
            guard PtyCalls.unlock(controller) == 0 else { throw PseudoTerminalError.openFailed(step: "unlockpt", reason: errnoDescription()) }
            let name = try Self.deviceName(controller)
            _ = fcntl(controller, F_SETFL, fcntl(controller, F_GETFL) | O_NONBLOCK)
            _ = fcntl(controller, F_SETFD, FD_CLOEXEC)
            device = systemOpen(name, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
            guard device >= 0 else { throw PseudoTerminalError.openFailed(step: "open \(name)", reason: errnoDescription()) }
            try TerminalIO.makeRaw(device, path: name)
            guard flock(device, LOCK_EX | LOCK_NB) == 0 else {
                throw PseudoTerminalError.openFailed(step: "flock \(name)", reason: errnoDescription())
            }
            if let linkPath { try Self.makeLink(at: linkPath, to: name) }
            devicePath = name
        } catch {
            if device >= 0 { _ = systemClose(device) }
            _ = systemClose(controller)
            throw error
        }
        controllerDescriptor = controller
        deviceDescriptor = device
        self.linkPath = linkPath
    }

    deinit { close() }

    /// Reads what the host has sent without waiting; 0 when nothing is there.
    public func readAvailable(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard controllerDescriptor >= 0 else { throw SerialTransportError.closed(path: devicePath) }
        let (count, code) = retryingInterrupts { systemRead(controllerDescriptor, buffer.baseAddress, buffer.count) }
        if count >= 0 { return count }
        if code == EAGAIN || code == EWOULDBLOCK { return 0 }
        throw SerialTransportError.readFailed(path: devicePath, reason: errnoDescription(code))
    }

    /// Writes without waiting, as a UART transmits whether or not anyone listens. Returns how many
    /// bytes the kernel took: fewer than asked when the host has stopped reading and the buffer is full.
    @discardableResult
    public func writeAvailable(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard controllerDescriptor >= 0, let base = bytes.baseAddress else { return 0 }
        var offset = 0
        while offset < bytes.count {
            let (written, _) = retryingInterrupts { systemWrite(controllerDescriptor, base + offset, bytes.count - offset) }
            guard written > 0 else { break }
            offset += written
        }
        return offset
    }

    /// Closes both sides and removes the symlink if it still points here. The host sees a hang-up.
    public func close() {
        if let linkPath, Self.linkTarget(linkPath) == devicePath { unlink(linkPath) }
        if deviceDescriptor >= 0 {
            _ = systemClose(deviceDescriptor)
            deviceDescriptor = -1
        }
        if controllerDescriptor >= 0 {
            _ = systemClose(controllerDescriptor)
            controllerDescriptor = -1
        }
    }

    private static func deviceName(_ controller: Int32) throws -> String {
        var name = [CChar](repeating: 0, count: 128)
        guard PtyCalls.name(controller, &name, name.count) == 0 else {
            throw PseudoTerminalError.openFailed(step: "ptsname", reason: errnoDescription())
        }
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `path` (or what a symlink there points to) is a pseudo-terminal that a live emulator
    /// serves: some process holds the lock every `PseudoTerminal` takes on its device side.
    public static func isServed(_ path: String) -> Bool {
        let fd = systemOpen(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { _ = systemClose(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 { return false }
        return currentErrno == EWOULDBLOCK
    }

    private static func makeLink(at linkPath: String, to target: String) throws {
        var info = stat()
        if lstat(linkPath, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFLNK else { throw PseudoTerminalError.linkPathTaken(path: linkPath) }
            let existing = linkTarget(linkPath) ?? ""
            if stat(linkPath, &info) == 0 {
                // Only a pseudo-terminal is checked (opening a real serial port could reset its board).
                guard SerialPorts.isPseudoTerminal(linkPath) else {
                    throw PseudoTerminalError.linkToOtherDevice(path: linkPath, target: existing)
                }
                if isServed(linkPath) { throw PseudoTerminalError.linkServedByAnotherEmulator(path: linkPath, target: existing) }
            }
            // Stale: left by an emulator that was killed. Replace it before a host follows it to a
            // pty number another terminal now holds.
            unlink(linkPath)
        }
        guard symlink(target, linkPath) == 0 else {
            throw PseudoTerminalError.linkFailed(path: linkPath, target: target, reason: errnoDescription())
        }
    }

    private static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Why a pseudo-terminal for the emulator could not be made.
public enum PseudoTerminalError: Error, Sendable, Equatable, CustomStringConvertible {
    case openFailed(step: String, reason: String)
    case linkPathTaken(path: String)
    case linkToOtherDevice(path: String, target: String)
    case linkServedByAnotherEmulator(path: String, target: String)
    case linkFailed(path: String, target: String, reason: String)

    public var description: String {
        switch self {
        case .openFailed(let step, let reason):
            return "cannot create a pseudo-terminal (\(step): \(reason)); check that /dev/ptmx exists and /dev/pts is mounted"
        case .linkPathTaken(let path):
            return "\(path) exists and is not a symlink; choose another --link path or remove that file"
        case .linkToOtherDevice(let path, let target):
            return "\(path) is a symlink to \(target), which is not a pseudo-terminal (not an emulator's link); choose another --link path or remove that symlink"
        case .linkServedByAnotherEmulator(let path, let target):
            return "\(path) -> \(target) is served by another emulator that is still running; stop it first or choose another --link path"
        case .linkFailed(let path, let target, let reason):
            return "cannot make the symlink \(path) -> \(target): \(reason); choose a --link path in a writable directory"
        }
    }
}

/// The XSI pseudo-terminal calls. Glibc declares them only under _XOPEN_SOURCE, which Swift's Glibc
/// module is not built with, so on Linux they are looked up in the C library at run time.
enum PtyCalls {
    #if os(Linux)
    private typealias IntToInt = @convention(c) (Int32) -> Int32
    private typealias NameCall = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        // The handle of the program itself, whose C library is already loaded; closing it only drops a count.
        guard let library = dlopen(nil, RTLD_NOW) else { return nil }
        defer { dlclose(library) }
        guard let address = dlsym(library, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }

    static func openController(_ flags: Int32) -> Int32 {
        guard let call = symbol("posix_openpt", as: IntToInt.self) else { return missing() }
        return call(flags)
    }
    static func grant(_ fd: Int32) -> Int32 {
        guard let call = symbol("grantpt", as: IntToInt.self) else { return missing() }
        return call(fd)
    }
    static func unlock(_ fd: Int32) -> Int32 {
        guard let call = symbol("unlockpt", as: IntToInt.self) else { return missing() }
        return call(fd)
    }
    static func name(_ fd: Int32, _ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int32 {
        guard let call = symbol("ptsname_r", as: NameCall.self) else { return missing() }
        return call(fd, buffer, count)
    }
    private static func missing() -> Int32 {
        errno = ENOSYS
        return -1
    }
    #else
    static func openController(_ flags: Int32) -> Int32 { posix_openpt(flags) }
    static func grant(_ fd: Int32) -> Int32 { grantpt(fd) }
    static func unlock(_ fd: Int32) -> Int32 { unlockpt(fd) }
    static func name(_ fd: Int32, _ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int32 {
        ptsname_r(fd, buffer, count)
    }
    #endif
}
