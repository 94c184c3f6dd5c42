#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import SystemCall

/// The one way Armature writes a whole file: a temporary file in the same directory, flushed to disk, then
/// renamed over the path, so a crash leaves the old file or the new one and never a torn one.
///
/// Only a regular file or a missing path is replaced. A symbolic link to a regular file is followed: the file
/// it leads to is replaced and the link kept. Anything else — a directory, a FIFO, a device such as /dev/null,
/// a socket, a link to nothing — is refused before anything is written, because a rename would silently
/// swap the special file for a regular one (as root, `--summary /dev/null` would replace /dev/null) and
/// writing through it would not be the atomic, durable file the caller asked for.
public enum AtomicFile {
    /// Replaces (or creates) the file at `path` with `bytes`.
    public static func write(_ bytes: [UInt8], to path: String) throws(FileError) {
        let writer = try Writer(path: path)
        try writer.append(bytes)
        try writer.commit()
    }

    /// A replacement written piece by piece, for output too large to hold in memory (a long
    /// trajectory): the pieces go to the temporary file, and `commit` makes it the file at `path`.
    /// Until then the old file stays; a writer dropped without `commit` removes its temporary file.
    public final class Writer {
        private let path: String
        private let target: String
        private let directory: String
        private let temporary: String
        private var descriptor: Int32
        /// Committed or abandoned: nothing more may be written.
        private var finished = false

        public init(path: String) throws(FileError) {
            self.path = path
            target = try AtomicFile.replaceableTarget(path)
            directory = directoryPart(of: target)
            // Same directory, so the rename stays on one file system and is atomic.
            temporary = "\(target).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard descriptor >= 0 else { throw FileError(path: path, action: .write, errno: currentErrno, directory: directory) }
        }

        deinit { abandon() }

        public func append(_ bytes: [UInt8]) throws(FileError) {
            precondition(!finished, "append after commit")
            if let failure = bytes.withUnsafeBytes({ writeAll(descriptor, $0).error }) {
                abandon()
                throw error(failure)
            }
        }

        /// Flushes the temporary file to disk and renames it over the path.
        public func commit() throws(FileError) {
            precondition(!finished, "commit twice")
            var failure: Int32?
            if fsync(descriptor) != 0 { failure = currentErrno }
            if systemClose(descriptor) != 0, failure == nil { failure = currentErrno }
            descriptor = -1
            if failure == nil, rename(temporary, target) != 0 { failure = currentErrno }
            if let failure {
                abandon()
                throw error(failure)
            }
            finished = true
            AtomicFile.syncDirectory(directory)
        }

        private func error(_ code: Int32) -> FileError { FileError(path: path, action: .write, errno: code, directory: directory) }

        /// Removes the temporary file; the old file at the path stays as it was.
        private func abandon() {
            guard !finished else { return }
            if descriptor >= 0 {
                systemClose(descriptor)
                descriptor = -1
            }
            unlink(temporary)
            finished = true
        }
    }

    /// The path a replacement goes to: `path` itself when it is a regular file or missing, the file a symbolic
    /// link leads to when that is a regular file; otherwise the error that says what `path` is.
    static func replaceableTarget(_ path: String) throws(FileError) -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let code = currentErrno
            // A missing file is created; a missing directory is reported when the temporary file is opened.
            if code == ENOENT { return path }
            throw FileError(path: path, action: .write, errno: code, directory: directoryPart(of: path))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            return path
        case S_IFLNK:
            guard let resolved = realpath(path, nil) else {
                throw FileError(path: path, action: .write, .notRegularFile(.danglingLink))
            }
            defer { free(resolved) }
            let target = String(cString: resolved)
            guard stat(target, &info) == 0 else {
                throw FileError(path: path, action: .write, errno: currentErrno, directory: directoryPart(of: target))
            }
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw FileError(path: path, action: .write, .notRegularFile(FileKind(mode: info.st_mode)))
            }
            return target
        default:
            throw FileError(path: path, action: .write, .notRegularFile(FileKind(mode: info.st_mode)))
        }
    }

    /// Makes a rename in `directory` durable; best effort, since the data itself is already on disk.
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC | O_DIRECTORY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = systemClose(descriptor)
    }
}

/// Writes every byte, completing short writes and retrying interruptions; returns how many bytes were
/// written and the errno that stopped it, if any.
func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> (written: Int, error: Int32?) {
    var written = 0
    while written < bytes.count {
        let (result, code) = retryingInterrupts { systemWrite(descriptor, bytes.baseAddress! + written, bytes.count - written) }
        if result < 0 { return (written, code) }
        written += result
    }
    return (written, nil)
}


func systemTruncate(_ path: String, _ length: off_t) -> Int32 {
    #if canImport(Glibc)
        Glibc.truncate(path, length)
    #else
        Darwin.truncate(path, length)
    #endif
}
