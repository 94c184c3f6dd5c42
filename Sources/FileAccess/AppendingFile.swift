#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import SystemCall

/// A log file that grows by appending (scalars, TensorBoard events), under the same rule as `AtomicFile`:
/// only a regular file (or a symbolic link to one) is opened, never a directory, FIFO or device.
public final class AppendingFile {
    public let path: String
    /// -1 once closed.
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close() }

    /// Creates a file that must not exist yet; nil if something already has that name.
    public static func createNew(path: String) throws(FileError) -> AppendingFile? {
        let descriptor = systemOpen(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0o644)
        if descriptor < 0, currentErrno == EEXIST { return nil }
        guard descriptor >= 0 else {
            throw FileError(path: path, action: .write, errno: currentErrno, directory: directoryPart(of: path))
        }
        return AppendingFile(path: path, descriptor: descriptor)
    }

    /// Opens a file for appending, creating it if missing.
    public static func open(path: String) throws(FileError) -> AppendingFile {
        // Checked before opening: opening a device can have effects of its own (a serial port raises DTR).
        _ = try AtomicFile.replaceableTarget(path)
        // Non-blocking, so that a FIFO swapped in since the check cannot make the open wait for a reader.
        let descriptor = systemOpen(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else {
            throw FileError(path: path, action: .write, errno: currentErrno, directory: directoryPart(of: path))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            systemClose(descriptor)
            throw FileError(path: path, action: .write, .notRegularFile(FileKind(mode: info.st_mode)))
        }
        return AppendingFile(path: path, descriptor: descriptor)
    }

    /// Shortens the regular file at `path` to `length` bytes if it is longer; a shorter or missing file is left
    /// as it is (bytes lost in a crash cannot be brought back by extending it).
    public static func truncate(path: String, to length: Int) throws(FileError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if currentErrno == ENOENT { return }
            throw FileError(path: path, action: .write, errno: currentErrno, directory: directoryPart(of: path))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw FileError(path: path, action: .write, .notRegularFile(FileKind(mode: info.st_mode)))
        }
        guard Int(info.st_size) > length else { return }
        guard systemTruncate(path, off_t(length)) == 0 else {
            throw FileError(path: path, action: .write, errno: currentErrno, directory: directoryPart(of: path))
        }
    }

    /// Appends all of `bytes`; `written` counts what reached the file, also when an error stops the write.
    public func append(_ bytes: [UInt8], written: inout Int) throws(FileError) {
        let result = bytes.withUnsafeBytes { writeAll(descriptor, $0) }
        written = result.written
        if let code = result.error {
            throw FileError(path: path, action: .write, errno: code, directory: directoryPart(of: path))
        }
    }

    /// Puts what was appended on the disk itself, not only in the kernel's cache.
    public func sync() throws(FileError) {
        guard fsync(descriptor) == 0 else {
            throw FileError(path: path, action: .write, errno: currentErrno, directory: directoryPart(of: path))
        }
    }

    /// The file's length in bytes.
    public func size() throws(FileError) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileError(path: path, action: .write, errno: currentErrno) }
        return Int(info.st_size)
    }

    public var isClosed: Bool { descriptor < 0 }

    public func close() {
        guard descriptor >= 0 else { return }
        systemClose(descriptor)
        descriptor = -1
    }
}
