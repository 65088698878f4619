#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file that is not secret (a configuration, a unit drop-in) whole:
/// written to a temporary beside it with its final mode, fsynced, renamed over
/// it, and the directory fsynced, so a power cut leaves the old file or the new
/// one, never an empty or half-written one.
public enum AtomicFile {
    public static func replace(_ path: String, contents bytes: [UInt8], permissions: UInt32) throws {
        let permissions = mode_t(permissions)
        let directory = PrivateFile.parentDirectory(of: path)
        let temporary = directory + "/" + PrivateFile.temporaryName(for: PrivateFile.fileName(of: path))
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, permissions)
        guard descriptor >= 0 else { throw PrivateFile.Failure(path: temporary, operation: "create", errorNumber: errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let failure = errno
                close(descriptor)
                unlink(temporary)
                throw PrivateFile.Failure(path: temporary, operation: "write", errorNumber: failure)
            }
            written += count
        }
        // The mode asked for, whatever the umask took away.
        guard fchmod(descriptor, permissions) == 0, fsync(descriptor) == 0 else {
            let failure = errno
            close(descriptor)
            unlink(temporary)
            throw PrivateFile.Failure(path: temporary, operation: "sync", errorNumber: failure)
        }
        close(descriptor)
        guard rename(temporary, path) == 0 else {
            let failure = errno
            unlink(temporary)
            throw PrivateFile.Failure(path: path, operation: "replace", errorNumber: failure)
        }
        try PrivateFile.syncDirectory(directory)
    }
}
