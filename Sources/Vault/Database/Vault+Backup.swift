public import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

extension Vault {
    /// Writes a consistent copy of the database to `path` through SQLite's
    /// online backup, while the vault stays in use. Sealed columns stay sealed in
    /// the copy (it is no more readable than the original without the device
    /// key). The file is created 0600 and never overwrites an existing one.
    public func backup(to path: String, actor: String) throws(VaultError) {
        guard FileStatus.of(path) == nil else {
            throw VaultError(.backupFailed, "\(path) already exists; choose a new file name")
        }
        do {
            try PrivateFile.create(path, contents: [])
        } catch {
            throw VaultError(.backupFailed, "cannot create \(path): \(error)")
        }
        do {
            let destination = try DatabaseQueue(path: path)
            try database.backup(to: destination)
            try destination.close()
            try PrivateFile.syncDirectory(PrivateFile.parentDirectory(of: path))
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw VaultError(.backupFailed, "the backup to \(path) failed and was removed: \(error)")
        }
        guard let written = FileStatus.of(path) else {
            throw VaultError(.backupFailed, "the backup \(path) vanished as it was written")
        }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        let id = UUID().uuidString.lowercased()
        try write("recording backup \(path)") { db throws(VaultError) in
            try VaultError.guarding("recording backup \(path)") {
                try db.execute(
                    sql: "INSERT INTO backups (id, path, device, inode, size, modified_ns, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        id, absolute, Int64(bitPattern: written.device), Int64(bitPattern: written.inode), written.size, written.modifiedNanoseconds,
                        now().milliseconds,
                    ]
                )
            }
            _ = try AuditLog.append(AuditEvent(action: "backup.created", actor: actor, details: ["backup": id]), tenant: nil, keys: keys, now: now(), in: db)
        }
    }

    /// How many backups this box wrote at or before `cutoff` are not yet removed.
    public func expiredBackupCount(cutoff: Date) throws(VaultError) -> Int {
        try read("counting expired backups") { db throws(VaultError) in
            try VaultError.guarding("counting expired backups") {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM backups WHERE removed_at IS NULL AND created_at <= ?", arguments: [cutoff.milliseconds]) ?? 0
            }
        }
    }

    /// Removes the backups this box wrote at or before `cutoff` (backups are
    /// kept 30 days: a copy holds data that was erased since). A path is
    /// unlinked only while it is still the file the backup wrote; a backup moved
    /// away or replaced is out of the box's reach, and its entry says so.
    /// Each backup gets its own audit entry. Returns how many were unlinked.
    public func removeExpiredBackups(cutoff: Date, actor: String) throws(VaultError) -> Int {
        let expired = try read("listing expired backups") { db throws(VaultError) in
            try VaultError.guarding("listing expired backups") {
                try Row.fetchAll(
                    db, sql: "SELECT id, path, device, inode, size, modified_ns FROM backups WHERE removed_at IS NULL AND created_at <= ? ORDER BY created_at",
                    arguments: [cutoff.milliseconds]
                )
            }
        }
        var unlinked = 0
        for row in expired {
            let id: String = row["id"]
            let path: String = row["path"]
            let outcome: String
            if let status = FileStatus.of(path), status.type == .regular,
                status.device == UInt64(bitPattern: row["device"]), status.inode == UInt64(bitPattern: row["inode"]),
                status.size == row["size"], status.modifiedNanoseconds == row["modified_ns"]
            {
                guard unlink(path) == 0 || errno == ENOENT else {
                    throw VaultError(.backupFailed, "cannot remove the expired backup \(path): \(String(cString: strerror(errno))); remove it by hand")
                }
                try? PrivateFile.syncDirectory(PrivateFile.parentDirectory(of: path))
                outcome = "removed"
                unlinked += 1
            } else {
                outcome = FileStatus.of(path) == nil ? "already gone" : "replaced by another file, left alone"
            }
            try write("noting backup \(id) expired") { db throws(VaultError) in
                try VaultError.guarding("noting backup \(id) expired") {
                    try db.execute(sql: "UPDATE backups SET removed_at = ? WHERE id = ?", arguments: [now().milliseconds, id])
                }
                _ = try AuditLog.append(
                    AuditEvent(action: "backup.expired", actor: actor, details: ["backup": id, "file": outcome]), tenant: nil, keys: keys, now: now(), in: db
                )
            }
        }
        return unlinked
    }
}
