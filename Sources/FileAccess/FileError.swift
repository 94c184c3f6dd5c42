#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import SystemCall

/// What a path names when it is not a regular file.
public enum FileKind: Sendable, Equatable, CustomStringConvertible {
    case directory
    case fifo
    case characterDevice
    case blockDevice
    case socket
    /// A symbolic link whose target does not exist (or a loop of links).
    case danglingLink
    case other

    init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        default: self = .other
        }
    }

    public var description: String {
        switch self {
        case .directory: return "a directory"
        case .fifo: return "a FIFO (named pipe)"
        case .characterDevice: return "a character device"
        case .blockDevice: return "a block device"
        case .socket: return "a socket"
        case .danglingLink: return "a symbolic link to nothing"
        case .other: return "not a regular file"
        }
    }
}

/// Why a file could not be read, written or locked: the path, what went wrong in plain words, and what to do.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done to the file.
    public enum Action: String, Sendable, Equatable {
        case read, write
        /// Taking a directory's lock.
        case lock
    }

    /// What is wrong.
    public enum Problem: Sendable, Equatable {
        /// The path names something other than a regular file (after following symbolic links).
        case notRegularFile(FileKind)
        /// Reading: nothing at the path.
        case missingFile
        /// Writing: the directory that would hold the file does not exist.
        case missingDirectory(String)
        /// The system refused access (EACCES, EPERM); `directory` when it was the directory that could not be written.
        case permissionDenied(directory: String?)
        /// The directory lies on a file system mounted read-only.
        case readOnlyFileSystem(directory: String)
        /// ENOSPC or EDQUOT.
        case noSpace
        /// Larger than any file of its kind should be.
        case tooLarge(bytes: Int, limit: Int)
        /// A line longer than a line-oriented file has.
        case lineTooLong(line: Int, limit: Int)
        /// Locking: another process holds the directory's lock; what it wrote into the lock file, if anything.
        case inUse(holder: String?)
        /// Anything else, with the system's text.
        case system(code: Int32, text: String)
    }

    public var path: String
    public var action: Action
    public var problem: Problem

    public init(path: String, action: Action, _ problem: Problem) {
        self.path = path
        self.action = action
        self.problem = problem
    }

    /// The error for `code` (an errno value) from a system call on `path`; `directory` is the one a new file goes into.
    public init(path: String, action: Action, errno code: Int32, directory: String? = nil) {
        self.init(path: path, action: action, Self.problem(errno: code, action: action, directory: directory))
    }

    static func problem(errno code: Int32, action: Action, directory: String?) -> Problem {
        switch code {
        case ENOENT: return action == .read ? .missingFile : .missingDirectory(directory ?? ".")
        case EACCES, EPERM: return .permissionDenied(directory: action == .read ? nil : directory)
        case EROFS: return .readOnlyFileSystem(directory: directory ?? ".")
        case ENOSPC, EDQUOT: return .noSpace
        case EISDIR: return .notRegularFile(.directory)
        case ENXIO: return .notRegularFile(.fifo)  // opening a FIFO without a reader, non-blocking
        case ELOOP: return .notRegularFile(.danglingLink)
        default: return .system(code: code, text: errnoDescription(code))
        }
    }

    /// "PATH: cannot write: what is wrong; what to do", the path first as in every error of this project.
    public var description: String { "\(path): cannot \(action.rawValue): \(message)" }

    /// What is wrong and what to do, without the path.
    public var message: String {
        switch problem {
        case .notRegularFile(let kind):
            switch action {
            case .read:
                if kind == .directory { return "it is a directory; give the path of a file in it" }
                return "it is \(kind), not a regular file; give the path of a file"
            case .write, .lock:
                if kind == .directory { return "it is a directory; give a file path (for example inside it)" }
                return "it is \(kind); Armature writes only regular files (replaced whole, so a crash never "
                    + "leaves half a file) and leaves anything else untouched; give the path of a regular file"
            }
        case .missingFile:
            return "no such file; check the path"
        case .missingDirectory(let directory):
            return "the directory \(directory) does not exist; create it or choose another location"
        case .permissionDenied(let directory?):
            return "the directory \(directory) is read-only for this user (permission denied); "
                + "choose another location or make it writable"
        case .permissionDenied(nil):
            return action == .read
                ? "permission denied; check the file's permissions" : "permission denied; check the file's permissions or choose another location"
        case .readOnlyFileSystem(let directory):
            return "the directory \(directory) is on a read-only file system; choose another location"
        case .noSpace:
            return "no space left on the device; free some space or choose another location"
        case .tooLarge(let bytes, let limit):
            return "it is \(bytes) bytes, more than the \(limit) such a file can be; is it the right file?"
        case .lineTooLong(let line, let limit):
            return "line \(line) is longer than \(limit) bytes; is it a text file with one record per line?"
        case .inUse(let holder):
            return "\(holder ?? "another armature process") is using it; wait for it to finish, stop it, "
                + "or choose another directory"
        case .system(_, let text):
            return text
        }
    }
}

/// The directory part of a path, as the kernel resolves a relative name ("." for a bare file name).
func directoryPart(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    if slash == path.startIndex { return "/" }
    return String(path[..<slash])
}

