#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `lstat(2)` says of a path: its type, permission bits and owner. Hushbox
/// checks these before trusting a file with keys or data, and says exactly which
/// bits are wrong.
public struct FileStatus: Sendable, Hashable {
    public enum FileType: Sendable, Hashable {
        case regular, directory, symbolicLink, other
    }

    public let type: FileType
    /// The permission bits (the low 12 bits of st_mode), e.g. 0o600.
    public let permissions: UInt32
    public let ownerID: UInt32
    public let size: Int
    /// Which file this is, whatever its name, with its last change: the backup
    /// purge removes a path only while it is still the file the box wrote there
    /// (an inode number alone is reused as soon as a file is deleted).
    public let device: UInt64
    public let inode: UInt64
    public let modifiedNanoseconds: Int64

    /// The status of `path`, or nil when nothing is there. Symbolic links are
    /// reported as links, not followed.
    public static func of(_ path: String) -> FileStatus? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return FileStatus(info)
    }

    /// The status of an open file.
    public static func of(descriptor: Int32) -> FileStatus? {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        return FileStatus(info)
    }

    private init(_ info: stat) {
        let type: FileType =
            switch info.st_mode & S_IFMT {
            case S_IFREG: .regular
            case S_IFDIR: .directory
            case S_IFLNK: .symbolicLink
            default: .other
            }
        self.type = type
        permissions = UInt32(info.st_mode) & 0o7777
        ownerID = info.st_uid
        size = Int(info.st_size)
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        modifiedNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }

    /// True when neither group nor others have any access.
    public var isPrivate: Bool { permissions & 0o077 == 0 }

    /// The permissions as `chmod` takes them, e.g. "0600".
    public var octalPermissions: String { Self.octal(permissions) }

    static func octal(_ permissions: UInt32) -> String {
        let digits = String(permissions, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
