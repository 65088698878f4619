#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes and checks files and directories that hold keys or data: directories
/// 0700, files 0600, written whole or not at all.
public enum PrivateFile {
    /// A failed system call, with the path and the call's own words.
    public struct Failure: Error, CustomStringConvertible, Hashable {
        public let path: String
        public let operation: String
        public let errorNumber: Int32

        public var description: String {
            "\(operation) \(path): \(String(cString: strerror(errorNumber)))"
        }
    }

    /// Creates `path` (and missing parents) with mode 0700. An existing directory
    /// is left as it is; callers check its mode with ``FileStatus`` and say what
    /// to fix. Returns true when it created the directory.
    @discardableResult
    public static func ensureDirectory(_ path: String) throws -> Bool {
        if let status = FileStatus.of(path) {
            guard status.type == .directory else {
                throw Failure(path: path, operation: "use as a directory", errorNumber: ENOTDIR)
            }
            return false
        }
        let parent = parentDirectory(of: path)
        if parent != path, FileStatus.of(parent) == nil {
            try ensureDirectory(parent)
        }
        guard mkdir(path, 0o700) == 0 else {
            throw Failure(path: path, operation: "create directory", errorNumber: errno)
        }
        // mkdir's mode passes through the umask; state it exactly.
        guard chmod(path, 0o700) == 0 else {
            throw Failure(path: path, operation: "chmod 0700", errorNumber: errno)
        }
        return true
    }

    /// Writes `bytes` to a new file at `path` with mode 0600: into a temporary file
    /// in the same directory, fsynced, then renamed into place and the directory
    /// fsynced, so a power cut leaves either no file or the whole file. Refuses to
    /// replace an existing file and to write through a symbolic link (dangling or
    /// not): the temporary is opened O_EXCL|O_NOFOLLOW and linked into place.
    public static func create(_ path: String, contents bytes: [UInt8]) throws {
        guard FileStatus.of(path) == nil else {
            throw Failure(path: path, operation: "create", errorNumber: EEXIST)
        }
        let temporary = path + ".partial"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw Failure(path: temporary, operation: "create", errorNumber: errno)
        }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        guard fchmod(descriptor, 0o600) == 0 else {
            throw Failure(path: temporary, operation: "chmod 0600", errorNumber: errno)
        }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                let failure = Failure(path: temporary, operation: "write", errorNumber: errno)
                unlink(temporary)
                throw failure
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            let failure = Failure(path: temporary, operation: "fsync", errorNumber: errno)
            unlink(temporary)
            throw failure
        }
        close(descriptor)
        closed = true
        // link(2), not rename(2): it fails if anything appeared at the path since the
        // check above, a symbolic link included, where rename would replace it.
        guard link(temporary, path) == 0 else {
            let failure = Failure(path: path, operation: "create", errorNumber: errno)
            unlink(temporary)
            throw failure
        }
        unlink(temporary)
        try syncDirectory(parentDirectory(of: path))
    }

    /// Makes a directory's entries (a rename, a new file) durable.
    public static func syncDirectory(_ path: String) throws {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw Failure(path: path, operation: "open directory", errorNumber: errno)
        }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw Failure(path: path, operation: "fsync directory", errorNumber: errno)
        }
    }

    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
