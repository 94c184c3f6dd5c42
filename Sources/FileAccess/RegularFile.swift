#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import SystemCall

/// Reading a whole input file (a policy, a checkpoint, a CSV) with errors that say what the path really is.
public enum RegularFile {
    /// The bytes of the regular file at `path` (symbolic links followed). A directory, FIFO or device is refused
    /// without reading from it: a FIFO would block until some writer appeared, a device might never end.
    /// A file larger than `limit` bytes is refused before any of it is read: a 3 GB file given where a
    /// policy belongs is a mistake, not something to load into memory first.
    public static func read(_ path: String, limit: Int) throws(FileError) -> [UInt8] {
        let descriptor = try openRegular(path)
        defer { systemClose(descriptor) }
        let size = try size(of: descriptor, path: path)
        guard size <= limit else { throw FileError(path: path, action: .read, .tooLarge(bytes: size, limit: limit)) }
        var bytes = [UInt8](repeating: 0, count: size)
        var count = 0
        while true {
            // The file may have grown since fstat; keep reading until end of file.
            if count == bytes.count { bytes.append(contentsOf: repeatElement(0, count: max(4096, bytes.count / 2))) }
            let (result, code) = retryingInterrupts {
                bytes.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + count, $0.count - count) }
            }
            if result < 0 { throw FileError(path: path, action: .read, errno: code) }
            if result == 0 { break }
            count += result
            guard count <= limit else { throw FileError(path: path, action: .read, .tooLarge(bytes: count, limit: limit)) }
        }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    /// Opens a regular file for reading, refusing anything else. Non-blocking, so that opening a FIFO
    /// returns at once instead of waiting for a writer.
    static func openRegular(_ path: String) throws(FileError) -> Int32 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { throw FileError(path: path, action: .read, errno: currentErrno) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = currentErrno
            systemClose(descriptor)
            throw FileError(path: path, action: .read, errno: code)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            systemClose(descriptor)
            throw FileError(path: path, action: .read, .notRegularFile(FileKind(mode: info.st_mode)))
        }
        return descriptor
    }

    static func size(of descriptor: Int32, path: String) throws(FileError) -> Int {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileError(path: path, action: .read, errno: currentErrno) }
        return Int(info.st_size)
    }

    /// A regular file read line by line in bounded memory, for inputs of any length (a long action
    /// CSV); `bytesRead` against `size` measures progress.
    public final class Lines {
        public let path: String
        public let size: Int
        public private(set) var bytesRead = 0
        /// The 1-based number of the line `next()` returned last.
        public private(set) var lineNumber = 0
        private let descriptor: Int32
        private var buffer: [UInt8] = []
        private var start = 0
        private var atEnd = false
        /// Longest line accepted; a file without line breaks is not a line-oriented file.
        public static let longestLine = 1 << 20

        public init(path: String) throws(FileError) {
            self.path = path
            descriptor = try RegularFile.openRegular(path)
            do {
                size = try RegularFile.size(of: descriptor, path: path)
            } catch {
                systemClose(descriptor)
                throw error
            }
        }

        deinit { systemClose(descriptor) }

        /// The next line without its line break (a trailing carriage return removed too), or nil at the end.
        public func next() throws(FileError) -> [UInt8]? {
            while true {
                if let newline = buffer[start...].firstIndex(of: 10) {
                    var line = Array(buffer[start..<newline])
                    start = newline + 1
                    if line.last == 13 { line.removeLast() }
                    lineNumber += 1
                    return line
                }
                if atEnd {
                    guard start < buffer.count else { return nil }
                    let line = Array(buffer[start...])
                    start = buffer.count
                    lineNumber += 1
                    return line
                }
                guard buffer.count - start <= Self.longestLine else {
                    throw FileError(path: path, action: .read, .lineTooLong(line: lineNumber + 1, limit: Self.longestLine))
                }
                try fill()
            }
        }

        private func fill() throws(FileError) {
            buffer.removeFirst(start)
            start = 0
            let chunk = 1 << 16
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunk))
            while true {
                let (result, code) = retryingInterrupts { buffer.withUnsafeMutableBytes { systemRead(descriptor, $0.baseAddress! + old, chunk) } }
                if result < 0 { throw FileError(path: path, action: .read, errno: code) }
                buffer.removeLast(chunk - result)
                bytesRead += result
                if result == 0 { atEnd = true }
                return
            }
        }
    }
}
