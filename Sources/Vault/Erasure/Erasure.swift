import Foundation
import GRDB

/// What to erase for good: rows, the audio objects they point at, and the
/// people (subjects) whose keys seal their audit details. The privacy
/// operations decide what belongs in a plan; the vault carries it out.
public struct ErasurePlan: Sendable, Hashable {
    public var voicemailIDs: [String]
    public var callIDs: [String]
    public var objectIDs: [String]
    public var subjectIDs: [String]
    /// Who asked, for the audit entry (a pseudonymous id).
    public var actor: String

    public init(voicemailIDs: [String] = [], callIDs: [String] = [], objectIDs: [String] = [], subjectIDs: [String] = [], actor: String) {
        self.voicemailIDs = voicemailIDs
        self.callIDs = callIDs
        self.objectIDs = objectIDs
        self.subjectIDs = subjectIDs
        self.actor = actor
    }
}

/// What an erasure removed.
public struct ErasureReport: Sendable, Hashable {
    public let voicemails: Int
    public let calls: Int
    public let objects: Int
    public let subjects: Int
}

extension TenantVault {
    /// Crypto-shredding erasure. In one transaction: rows deleted, object and
    /// subject keys destroyed (so any copy of their ciphertext, in a backup or a
    /// stray file, is unreadable), an audit entry written. Then the object files
    /// are removed (a crash before that leaves a note that the next removal
    /// acts on) and the WAL is checkpointed and truncated, so that with
    /// `secure_delete` on neither plaintext nor ciphertext stays in the database,
    /// its WAL or the object directory. Ids of another tenant are refused.
    public func erase(_ plan: ErasurePlan) throws(VaultError) -> ErasureReport {
        let report = try write("erasing data") { db, _ throws(VaultError) in
            try erase(plan, in: db)
        }
        try removePendingObjectFiles()
        vault.sweepSpoolAfterCommit()
        try vault.checkpointAndTruncateWAL()
        return report
    }

    /// The erasure inside the caller's transaction; the caller removes the
    /// object files and checkpoints the WAL after the commit.
    func erase(_ plan: ErasurePlan, in db: Database) throws(VaultError) -> ErasureReport {
        var voicemails = 0
        var calls = 0
        var objects = 0
        var subjects = 0
        for id in plan.voicemailIDs {
            voicemails += try deleteOwned(VoicemailRecord.self, id, in: db)
        }
        for id in plan.callIDs {
            calls += try deleteOwned(CallRecord.self, id, in: db)
        }
        for id in plan.objectIDs {
            try shredObject(id, in: db)
            objects += 1
        }
        for id in plan.subjectIDs {
            switch try subjectKey(id, in: db) {
            case .unknownSubject:
                throw VaultError(.crossTenant, "subject \(id) is not one of this tenant's; nothing was erased")
            case .key(let keyID):
                try vault.keys.destroy(id: keyID, in: db)
            case .destroyed:
                break
            }
            try VaultError.guarding("unlinking subject \(id)") {
                try db.execute(sql: "UPDATE calls SET subject_id = NULL WHERE tenant_id = ? AND subject_id = ?", arguments: [tenantID, id])
                try db.execute(sql: "DELETE FROM subjects WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
            }
            subjects += 1
        }
        _ = try audit(
            AuditEvent(
                action: "erasure.completed", actor: plan.actor,
                details: ["voicemails": "\(voicemails)", "calls": "\(calls)", "objects": "\(objects)", "subjects": "\(subjects)"]
            ),
            in: db
        )
        return ErasureReport(voicemails: voicemails, calls: calls, objects: objects, subjects: subjects)
    }

    private func deleteOwned<Record: TableRecord>(_ type: Record.Type, _ id: String, in db: Database) throws(VaultError) -> Int {
        let deleted = try VaultError.guarding("erasing \(Record.databaseTableName) \(id)") {
            try Record.owned(by: tenantID).filter(key: id).deleteAll(db)
        }
        guard deleted == 1 else {
            throw VaultError(.crossTenant, "\(Record.databaseTableName) \(id) is not one of this tenant's; nothing was erased")
        }
        return deleted
    }
}

extension Vault {
    /// Moves every committed page from the WAL into the database file (where
    /// secure_delete has zeroed deleted content) and truncates the WAL to zero.
    public func checkpointAndTruncateWAL() throws(VaultError) {
        try VaultError.guarding("checkpointing the WAL") {
            try database.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
        }
    }
}
