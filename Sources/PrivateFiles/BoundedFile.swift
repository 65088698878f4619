#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file someone else handed the box (a board profile, a provisioning
/// bundle) without trusting it: a regular file only (never a link, a FIFO or a
/// device, which could block or feed bytes forever), and at most `limit` bytes
/// read, whatever its size claims.
public enum BoundedFile {
    public enum Failure: Error, Hashable, Sendable {
        case missing
        /// A symbolic link, FIFO, device or directory.
        case notRegular
        case tooLarge(limit: Int)
        case unreadable(errorNumber: Int32)

        /// What was wrong, in words for a person.
        public var reason: String {
            switch self {
            case .missing: "no such file"
            case .notRegular: "it is not a regular file (a link, a FIFO, a device or a directory is refused)"
            case .tooLarge(let limit): "it is larger than \(limit / 1024) KiB"
            case .unreadable(let number): String(cString: strerror(number))
            }
        }
    }

    public static func read(_ path: String, limit: Int) throws(Failure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            switch errno {
            case ENOENT: throw .missing
            case ELOOP: throw .notRegular
            default: throw .unreadable(errorNumber: errno)
            }
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { throw .notRegular }
        guard status.st_size <= limit else { throw .tooLarge(limit: limit) }
        var bytes = [UInt8](repeating: 0, count: limit + 1)
        var count = 0
        while count < bytes.count {
            let got = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw .unreadable(errorNumber: errno) }
            guard got > 0 else { break }
            count += got
        }
        guard count <= limit else { throw .tooLarge(limit: limit) }
        return Array(bytes.prefix(count))
    }
}
