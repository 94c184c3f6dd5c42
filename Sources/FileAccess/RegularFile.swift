#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reading a whole input file (a policy, a checkpoint, a CSV) with errors that say what the path really is.
public enum RegularFile {
    /// The bytes of the regular file at `path` (symbolic links followed). A directory, FIFO or device is refused
    /// without reading from it: a FIFO would block until some writer appeared, a device might never end.
    public static func read(_ path: String) throws(FileError) -> [UInt8] {
        // Non-blocking, so that opening a FIFO returns at once instead of waiting for a writer.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw FileError(path: path, action: .read, errno: currentErrno) }
        defer { systemClose(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileError(path: path, action: .read, errno: currentErrno) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw FileError(path: path, action: .read, .notRegularFile(FileKind(mode: info.st_mode)))
        }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var count = 0
        while true {
            // The file may have grown since fstat; keep reading until end of file.
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count / 2))) }
            let result = bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + count, $0.count - count) }
            if result < 0 {
                if currentErrno == EINTR { continue }
                throw FileError(path: path, action: .read, errno: currentErrno)
            }
            if result == 0 { break }
            count += result
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }
}
