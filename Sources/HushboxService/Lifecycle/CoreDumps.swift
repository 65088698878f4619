#if canImport(Glibc)
import Glibc
#endif

/// A core dump of hushboxd or of the `hushbox` command would write what the
/// process holds in memory to disk in the clear: the device key-encryption
/// key, tenants' unwrapped data keys, callers' numbers and audio. Both turn
/// core dumps off before they read a key (RLIMIT_CORE 0: the kernel writes no
/// core file, and systemd-coredump stores none for a process whose limit is 0).
public enum CoreDumps {
    /// Sets this process's core file size limit, soft and hard, to zero.
    /// - Returns: the `errno` when the limit could not be set (it cannot fail
    ///   for a process lowering its own limit; the caller reports it rather than stopping).
    @discardableResult
    public static func disable() -> Int32? {
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        return setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &none) == 0 ? nil : errno
    }
}
