#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import SystemCall

/// Exclusive use of a directory by one process, for as long as the lock lives.
///
/// An flock(2) on `armature.lock` in the directory. The kernel drops it when the process ends however it ends
/// (exit, crash, kill -9), so a lock file left behind by a dead process never blocks anyone: stale locks need
/// no detection and no cleanup. The file itself stays (deleting it would race with a process that has just
/// opened it) and holds a line naming the holder, which the next process quotes when it is refused.
public final class DirectoryLock {
    public static let fileName = "armature.lock"

    public let directory: String
    /// -1 once released.
    private var descriptor: Int32

    /// Locks `directory` (which must exist) or throws `.inUse` naming `holder` as the other process wrote it,
    /// such as "armature train (process 1234)".
    public init(directory: String, holder: String) throws(FileError) {
        self.directory = directory
        let path = "\(directory)/\(Self.fileName)"
        var info = stat()
        if lstat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
            throw FileError(path: path, action: .lock, .notRegularFile(FileKind(mode: info.st_mode)))
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard descriptor >= 0 else {
            throw FileError(path: directory, action: .lock, errno: currentErrno, directory: directory)
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = currentErrno
            let holder = code == EWOULDBLOCK ? Self.holder(descriptor) : nil
            systemClose(descriptor)
            if code == EWOULDBLOCK { throw FileError(path: directory, action: .lock, .inUse(holder: holder)) }
            throw FileError(path: directory, action: .lock, errno: code, directory: directory)
        }
        self.descriptor = descriptor
        let line = Array("\(holder) (process \(getpid()))\n".utf8)
        // The holder's name is only for others' messages; failing to record it does not weaken the lock.
        if ftruncate(descriptor, 0) == 0 { _ = line.withUnsafeBytes { writeAll(descriptor, $0) } }
    }

    deinit { release() }

    /// Gives the directory up; later calls do nothing.
    public func release() {
        guard descriptor >= 0 else { return }
        systemClose(descriptor)
        descriptor = -1
    }

    /// The line the lock's holder wrote, if it wrote one.
    private static func holder(_ descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, 0) }
        guard count > 0 else { return nil }
        let line = String(decoding: buffer[..<count].prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        return line.isEmpty ? nil : line
    }
}
