#if canImport(Glibc)
import Glibc
#endif

/// A core dump of hushboxd or of the `hushbox` command would write what the
/// process holds in memory to disk in the clear: the device key-encryption
/// key, tenants' unwrapped data keys, callers' numbers and audio. Both turn
/// core dumps off first thing in `main`, before they read a key (RLIMIT_CORE 0:
/// the kernel writes no core file, and systemd-coredump stores none for a
/// process whose limit is 0).
public enum CoreDumps {
    /// Sets this process's core file size limit, soft and hard, to zero. It
    /// cannot fail for a process lowering its own limit; if it ever does, the
    /// program says so on standard error and goes on.
    public static func disable(program: String) {
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        guard setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &none) != 0 else { return }
        let warning = "\(program): core dumps could not be turned off (\(String(cString: strerror(errno)))); a crash may write keys to disk\n"
        _ = warning.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
    }
}
