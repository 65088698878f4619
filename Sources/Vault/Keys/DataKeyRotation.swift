import Foundation
import GRDB

/// Where a tenant's data-key rotation stands.
public struct DataKeyRotationStatus: Sendable, Hashable {
    /// The version new values are sealed under.
    public let activeVersion: Int
    /// Values still sealed under an older version.
    public let remaining: Int
    public var isFinished: Bool { remaining == 0 }
}

extension TenantVault {
    /// Starts rotating this tenant's data key: a new version becomes active at
    /// once for everything sealed from now on, and every key wrapped by the old
    /// version (subjects, objects, audit) is re-wrapped. Existing row values are
    /// re-sealed lazily by ``continueDataKeyRotation(batchSize:)``.
    @discardableResult
    public func startDataKeyRotation(actor: String) throws(VaultError) -> DataKeyRotationStatus {
        try write("starting a data-key rotation") { db, _ throws(VaultError) in
            let pending = try VaultError.guarding("reading key rotations") {
                try Bool.fetchOne(db, sql: "SELECT 1 FROM key_rotations WHERE tenant_id = ?", arguments: [tenantID]) ?? false
            }
            guard !pending else {
                throw VaultError(.invalidInput, "a data-key rotation is already under way for this tenant; continue it instead")
            }
            guard let old = try vault.keys.latestKey(.tenantData, tenantID: tenantID, in: db) else {
                throw VaultError(.keyMissing, "tenant \(tenantID) has no data key")
            }
            let new = try vault.keys.create(.tenantData, tenantID: tenantID, version: old.version + 1, under: nil, in: db)
            let children = try VaultError.guarding("listing keys under the old data key") {
                try String.fetchAll(db, sql: "SELECT id FROM wrapped_keys WHERE wrapped_by = ?", arguments: [old.id])
            }
            for child in children {
                try vault.keys.rewrap(id: child, under: new.id, in: db)
            }
            try VaultError.guarding("recording the rotation") {
                try db.execute(
                    sql: "INSERT INTO key_rotations (tenant_id, from_key_id, to_key_id, started_at) VALUES (?, ?, ?, ?)",
                    arguments: [tenantID, old.id, new.id, timestamp()]
                )
            }
            _ = try audit(AuditEvent(action: "keys.data_key_rotation_started", actor: actor, details: ["version": "\(old.version + 1)"]), in: db)
            return DataKeyRotationStatus(activeVersion: old.version + 1, remaining: try remainingToReseal(version: old.version + 1, in: db))
        }
    }

    /// Re-seals up to `batchSize` values under the active data key, in one
    /// transaction. Safe to stop at any point and resume after a restart: what
    /// is left is found from the version in each value's header. When nothing
    /// is left, the old key is destroyed.
    @discardableResult
    public func continueDataKeyRotation(batchSize: Int = 500) throws(VaultError) -> DataKeyRotationStatus? {
        try write("re-sealing values under the new data key") { db, sealer throws(VaultError) in
            let rotation = try VaultError.guarding("reading key rotations") {
                try Row.fetchOne(db, sql: "SELECT from_key_id FROM key_rotations WHERE tenant_id = ?", arguments: [tenantID])
            }
            guard let rotation else { return nil }
            let version = sealer.keys.activeDataVersion
            var budget = batchSize
            for column in SealedColumn.underTenantDataKey where budget > 0 {
                let rows = try VaultError.guarding("finding values to re-seal in \(column)") {
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT id, \(column.column) AS sealed FROM \(column.table)
                            WHERE \(column.tenantColumn) = ? AND \(column.column) IS NOT NULL AND substr(\(column.column), 1, 5) != ?
                            LIMIT ?
                            """,
                        arguments: [tenantID, Self.header(version: version), budget]
                    )
                }
                for row in rows {
                    let id: String = row["id"]
                    let old = Sealed<Data>(bytes: row["sealed"])
                    let resealed = try sealer.seal(try sealer.open(old, column, rowID: id), column, rowID: id)
                    try VaultError.guarding("re-sealing \(column) of \(id)") {
                        try db.execute(
                            sql: "UPDATE \(column.table) SET \(column.column) = ? WHERE id = ? AND \(column.tenantColumn) = ?",
                            arguments: [resealed, id, tenantID]
                        )
                    }
                }
                budget -= rows.count
            }
            let remaining = try remainingToReseal(version: version, in: db)
            if remaining == 0 {
                let oldKeyID: String = rotation["from_key_id"]
                try vault.keys.destroy(id: oldKeyID, in: db)
                try VaultError.guarding("closing the rotation") {
                    try db.execute(sql: "DELETE FROM key_rotations WHERE tenant_id = ?", arguments: [tenantID])
                }
                _ = try audit(AuditEvent(action: "keys.data_key_rotation_finished", actor: "system", details: ["version": "\(version)"]), in: db)
            }
            return DataKeyRotationStatus(activeVersion: version, remaining: remaining)
        }
    }

    private func remainingToReseal(version: Int, in db: Database) throws(VaultError) -> Int {
        var remaining = 0
        for column in SealedColumn.underTenantDataKey {
            remaining += try VaultError.guarding("counting values to re-seal in \(column)") {
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM \(column.table)
                        WHERE \(column.tenantColumn) = ? AND \(column.column) IS NOT NULL AND substr(\(column.column), 1, 5) != ?
                        """,
                    arguments: [tenantID, Self.header(version: version)]
                ) ?? 0
            }
        }
        return remaining
    }

    /// The first five bytes of a value sealed under `version`.
    private static func header(version: Int) -> Data {
        var bytes = Data([Sealed<Data>.formatVersion])
        withUnsafeBytes(of: UInt32(version).bigEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }
}
