import Foundation
internal import PrivateFiles

/// The account that owns the box's data: `hushbox` on a packaged box. An
/// administrator's command runs as root (it needs root to open the sealed
/// device key), but a file it made in the data directory as root (SQLite's
/// -wal and -shm, a new sealed object) would lock the service out of its own
/// vault. So once the key is read, the command acts as the data's owner, and
/// goes back to root only to write what the administrator asked for (an
/// export, a backup) where they asked for it.
public enum ServiceAccount {
    /// Makes the data's owner this process's effective user and group when it
    /// runs as root and `directory` belongs to another account; otherwise does nothing.
    public static func adoptOwner(of directory: String) throws(StartupError) {
        guard geteuid() == 0, let owner = FileStatus.of(directory)?.ownerID, owner != 0 else { return }
        guard let account = getpwuid(owner) else {
            throw StartupError("\(directory) belongs to user id \(owner), which has no account here: chown it to the service's account (hushbox)")
        }
        guard setegid(account.pointee.pw_gid) == 0, seteuid(owner) == 0 else {
            throw StartupError("cannot act as \(String(cString: account.pointee.pw_name)), the owner of \(directory): \(String(cString: strerror(errno)))")
        }
    }

    /// Runs `body` as root again when this process started as root and acts as
    /// the data's owner: for files the administrator asked for, outside the data.
    /// Throws when it cannot act as the owner again afterwards: the command must
    /// stop then, rather than go on as root and leave root-owned files in the data.
    public static func asAdministrator<T>(_ body: () throws -> T) throws -> T {
        let (user, group) = (geteuid(), getegid())
        guard getuid() == 0, user != 0, seteuid(0) == 0 else { return try body() }
        _ = setegid(getgid())
        let result = Result { try body() }
        guard setegid(group) == 0, seteuid(user) == 0 else {
            throw StartupError("cannot act as the data's owner (uid \(user)) again: \(String(cString: strerror(errno))); nothing more is done")
        }
        return try result.get()
    }
}
