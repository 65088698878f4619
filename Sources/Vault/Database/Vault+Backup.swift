import Foundation
import GRDB

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
        _ = try audit(AuditEvent(action: "backup.created", actor: actor))
    }
}
