import Foundation
import GRDB

extension Vault {
    /// The first step of a factory reset, after the device key itself is gone:
    /// every wrapped key (tenant data, blind-index, subject, object and audit
    /// keys) deleted with secure_delete and the WAL truncated, so that no copy
    /// of this database, taken before or after, holds a key that opens
    /// anything. Needs no device key: it destroys, it never reads. Returns how
    /// many wrapped keys there were.
    @discardableResult
    public static func destroyWrappedKeys(inDirectory directory: String) throws(VaultError) -> Int {
        let path = directory + "/" + VaultDatabase.fileName
        guard FileStatus.of(path) != nil else { return 0 }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
        }
        return try VaultError.guarding("destroying the wrapped keys in \(path)") {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            let count = try queue.write { db -> Int in
                guard try db.tableExists("wrapped_keys") else { return 0 }
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM wrapped_keys") ?? 0
                try db.execute(sql: "DELETE FROM wrapped_keys")
                if try db.tableExists("vault_meta") {
                    try db.execute(sql: "DELETE FROM vault_meta WHERE name = 'device_kek_check'")
                }
                return count
            }
            try queue.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
            return count
        }
    }
}
