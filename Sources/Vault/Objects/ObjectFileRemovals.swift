import GRDB

extension TenantVault {
    /// Destroys an object inside the caller's transaction: its key (so every
    /// copy of its ciphertext is unreadable from this commit on), its row, and a
    /// note that its file must go. ``removePendingObjectFiles()`` unlinks the file
    /// after the commit; a crash in between leaves the note, and the next call
    /// finishes the job.
    func shredObject(_ objectID: String, in db: Database) throws(VaultError) {
        guard let record = try fetchObject(objectID, in: db) else {
            throw VaultError(.crossTenant, "object \(objectID) is not one of this tenant's; nothing was erased")
        }
        if let keyID = record.keyID { try vault.keys.destroy(id: keyID, in: db) }
        try VaultError.guarding("erasing object \(objectID)") {
            try ObjectRecord.owned(by: tenantID).filter(key: objectID).deleteAll(db)
            try db.execute(
                sql: "INSERT OR IGNORE INTO object_file_removals (tenant_id, object_id) VALUES (?, ?)",
                arguments: [tenantID, objectID]
            )
        }
    }

    /// Unlinks every object file of this tenant whose object was destroyed, and
    /// clears each note once its removal is durable. Safe to repeat.
    @discardableResult
    public func removePendingObjectFiles() throws(VaultError) -> Int {
        let pending = try read("listing object files to remove") { db, _ throws(VaultError) in
            try VaultError.guarding("listing object files to remove") {
                try String.fetchAll(db, sql: "SELECT object_id FROM object_file_removals WHERE tenant_id = ?", arguments: [tenantID])
            }
        }
        for objectID in pending {
            try vault.objects.remove(tenantID: tenantID, objectID: objectID)
            try vault.write("noting object file \(objectID) removed") { db throws(VaultError) in
                try VaultError.guarding("noting object file \(objectID) removed") {
                    try db.execute(
                        sql: "DELETE FROM object_file_removals WHERE tenant_id = ? AND object_id = ?", arguments: [tenantID, objectID]
                    )
                }
            }
        }
        return pending.count
    }
}
