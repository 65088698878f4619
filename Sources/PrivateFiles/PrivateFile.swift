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

    /// How ``create(_:contents:)`` makes the file before it has its name.
    public enum Staging: Sendable {
        /// An unnamed O_TMPFILE, linked in by linkat(2) through /proc/self/fd:
        /// nothing to race on or to sweep after a crash. Filesystems without
        /// O_TMPFILE (vfat on an SD card's boot partition) fall back to `named`.
        case unnamedWhereSupported
        /// A temporary with a random name beside the file (see ``temporaryName(for:)``),
        /// linked into place, or renamed with RENAME_NOREPLACE where the
        /// filesystem has no hard links.
        case named
    }

    /// Writes `bytes` to a new file at `path` with mode 0600 from its first
    /// byte: into a temporary in the same directory, fsynced, then given its
    /// name and the directory fsynced, so a power cut leaves either no file or
    /// the whole file. Refuses to replace an existing file and to write through
    /// a symbolic link (dangling or not): naming never follows or replaces
    /// what is at `path`, and two writers of one path cannot mix their bytes.
    public static func create(_ path: String, contents bytes: [UInt8], staging: Staging = .unnamedWhereSupported) throws {
        guard FileStatus.of(path) == nil else {
            throw Failure(path: path, operation: "create", errorNumber: EEXIST)
        }
        let directory = parentDirectory(of: path)
        // linkat names an unnamed file through /proc/self/fd: without /proc (a chroot, a bare container) name a temporary.
        if staging == .unnamedWhereSupported, access("/proc/self/fd", F_OK) == 0 {
            let descriptor = open(directory, unnamedTemporaryFlags, 0o600)
            if descriptor >= 0 {
                try writeAndName(descriptor, bytes, path: path, temporary: nil)
                try syncDirectory(directory)
                return
            }
            // EOPNOTSUPP (vfat and the like), EISDIR (kernels before 3.11): name it instead.
            guard [EOPNOTSUPP, EISDIR, EINVAL].contains(errno) else {
                throw Failure(path: directory, operation: "create a temporary file in", errorNumber: errno)
            }
        }
        let temporary = directory + "/" + temporaryName(for: fileName(of: path))
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw Failure(path: temporary, operation: "create", errorNumber: errno)
        }
        try writeAndName(descriptor, bytes, path: path, temporary: temporary)
        try syncDirectory(directory)
    }

    /// O_TMPFILE (include/uapi/asm-generic/fcntl.h; the same on x86-64, arm and
    /// arm64), which Glibc's module does not export: a file with no name yet.
    private static let unnamedTemporaryFlags = 0o20000000 | O_DIRECTORY | O_WRONLY | O_CLOEXEC

    /// The name of a temporary for `name` while ``create(_:contents:staging:)``
    /// writes it: hidden, unique (random), and recognisable by
    /// ``finalName(ofTemporary:)`` so a sweep can tell whose leftover it is.
    public static func temporaryName(for name: String) -> String {
        var random = SystemRandomNumberGenerator()
        let tag = String(random.next() as UInt64, radix: 16)
        return "." + name + temporaryMarker + tag
    }

    /// The file a temporary was for, or nil when `name` is no temporary's.
    public static func finalName(ofTemporary name: String) -> String? {
        guard name.hasPrefix(".") else { return nil }
        var rest = Substring(name.dropFirst())
        var final: Substring?
        // The last marker: a file's own name may contain one.
        while let start = rest.firstRange(of: temporaryMarker) {
            final = name.dropFirst()[..<start.lowerBound]
            rest = rest[start.upperBound...]
        }
        guard let final, !final.isEmpty, !rest.isEmpty, rest.allSatisfy(\.isHexDigit) else { return nil }
        return String(final)
    }

    /// The last component of `path`.
    public static func fileName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    private static let temporaryMarker = ".partial-"

    /// Removes the temporaries ``create(_:contents:staging:)`` left in
    /// `directory` when a crash cut it short (only where it had to name them).
    /// For a directory no one is writing to now: a writer's live temporary would go too.
    /// Returns how many were removed.
    @discardableResult
    public static func removeTemporaries(in directory: String) -> Int {
        guard let stream = opendir(directory) else { return 0 }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if finalName(ofTemporary: name) != nil { names.append(name) }
        }
        return names.filter { unlink(directory + "/" + $0) == 0 }.count
    }

    /// Writes, fsyncs and closes `descriptor`, then gives it the name `path`
    /// without replacing anything there; removes the temporary on failure.
    private static func writeAndName(_ descriptor: Int32, _ bytes: [UInt8], path: String, temporary: String?) throws {
        var closed = false
        defer {
            if !closed { close(descriptor) }
            if let temporary { unlink(temporary) }
        }
        let shownPath = temporary ?? path
        guard fchmod(descriptor, 0o600) == 0 else {
            throw Failure(path: shownPath, operation: "chmod 0600", errorNumber: errno)
        }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                write(descriptor, buffer.baseAddress! + written, buffer.count - written)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw Failure(path: shownPath, operation: "write", errorNumber: errno)
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            throw Failure(path: shownPath, operation: "fsync", errorNumber: errno)
        }
        guard let temporary else {
            // linkat(2) does not follow or replace `path`: a file or symbolic link
            // that appeared there since the check makes it fail with EEXIST.
            let result = linkat(AT_FDCWD, "/proc/self/fd/\(descriptor)", AT_FDCWD, path, AT_SYMLINK_FOLLOW)
            guard result == 0 else { throw Failure(path: path, operation: "create", errorNumber: errno) }
            return
        }
        close(descriptor)
        closed = true
        if link(temporary, path) == 0 { return }
        // Without hard links (vfat: EPERM), rename that cannot replace.
        guard [EPERM, EOPNOTSUPP].contains(errno), let renameWithoutReplacing else {
            throw Failure(path: path, operation: "create", errorNumber: errno)
        }
        guard renameWithoutReplacing(AT_FDCWD, temporary, AT_FDCWD, path, 1 /* RENAME_NOREPLACE */) == 0 else {
            throw Failure(path: path, operation: "create", errorNumber: errno)
        }
    }

    /// glibc's renameat2(2) (2.28 and later), which Glibc's module does not export.
    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, UInt32) -> Int32
    private static let renameWithoutReplacing: RenameAt2? = dlsym(nil, "renameat2").map { unsafeBitCast($0, to: RenameAt2.self) }

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
