public import Foundation
import GRDB

/// A kind of data the retention purge removes once it is older than a cut-off.
/// The order of `allCases` is the order a run takes them in: messages before
/// the calls they belong to, so a call goes only after its message.
public enum ExpiredData: String, CaseIterable, Sendable, Hashable {
    /// Erasures whose 30 days since the soft delete are over: hard-deleted by
    /// crypto-shredding (``TenantVault/completeErasure(_:actor:)``).
    case dueErasures = "due_erasures"
    /// Messages deleted by their owner: audio crypto-shredded, the row kept as `purged`.
    case softDeletedMessages = "soft_deleted_messages"
    /// Messages older than the audio period: the same.
    case voicemailAudio = "voicemail_audio"
    /// Calls older than the metadata period whose message (if any) is already
    /// purged: the call, its consent record, its message row and its outbox
    /// entries; and a caller with no call left is forgotten (their key destroyed,
    /// so the audit entries about them name no one).
    case callRecords = "call_records"
    /// Sessions revoked (or expired) longer ago than the period.
    case endedSessions = "ended_sessions"
    /// Delivery attempts older than the delivery-log period.
    case deliveryAttempts = "delivery_attempts"
}

/// What one batch of a purge removed.
public struct PurgeBatch: Sendable, Hashable {
    public let kind: ExpiredData
    public let removed: Int
}

extension TenantVault {
    /// How many items of `kind` are expired: created (or ended) at or before `cutoff`.
    public func countExpired(_ kind: ExpiredData, cutoff: Date) throws(VaultError) -> Int {
        try read("counting expired \(kind.rawValue)") { db, _ throws(VaultError) in
            try VaultError.guarding("counting expired \(kind.rawValue)") {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(Self.expiredQuery(kind)))", arguments: [tenantID, cutoff.milliseconds, -1]) ?? 0
            }
        }
    }

    /// Removes up to `limit` expired items of `kind` in one transaction that also
    /// adds them to the run's counts, so a run cut off after any batch resumes
    /// with exact counts. Object files go afterwards, through
    /// ``removePendingObjectFiles()``.
    public func removeExpired(_ kind: ExpiredData, cutoff: Date, limit: Int, run: PurgeRun) throws(VaultError) -> PurgeBatch {
        precondition(limit > 0, "a batch removes at least one item")
        return try write("purging expired \(kind.rawValue)") { db, _ throws(VaultError) in
            let ids = try VaultError.guarding("finding expired \(kind.rawValue)") {
                try String.fetchAll(db, sql: Self.expiredQuery(kind), arguments: [tenantID, cutoff.milliseconds, limit])
            }
            for id in ids {
                switch kind {
                case .dueErasures: _ = try completeErasure(id, actor: run.actor, in: db)
                case .softDeletedMessages, .voicemailAudio: try purgeMessage(id, in: db)
                case .callRecords: try deleteCallRecord(id, in: db)
                case .endedSessions: try deleteRow("sessions", id, in: db)
                case .deliveryAttempts:
                    try VaultError.guarding("purging delivery attempt \(id)") {
                        try db.execute(sql: "DELETE FROM delivery_log WHERE id = ?", arguments: [id])
                    }
                }
            }
            try count(ids.count, of: kind, in: run, db: db)
            return PurgeBatch(kind: kind, removed: ids.count)
        }
    }

    /// The ids of expired items, oldest first. Arguments: tenant, cut-off (ms), limit (-1: none).
    private static func expiredQuery(_ kind: ExpiredData) -> String {
        switch kind {
        case .dueErasures:
            "SELECT id FROM deletion_requests WHERE tenant_id = ?1 AND state = 'soft_deleted' AND soft_deleted_at <= ?2 ORDER BY soft_deleted_at, id LIMIT ?3"
        case .softDeletedMessages:
            "SELECT id FROM voicemails WHERE tenant_id = ?1 AND state = 'soft_deleted' AND soft_deleted_at <= ?2 ORDER BY soft_deleted_at, id LIMIT ?3"
        case .voicemailAudio:
            "SELECT id FROM voicemails WHERE tenant_id = ?1 AND state IN ('active', 'soft_deleted') AND created_at <= ?2 ORDER BY created_at, id LIMIT ?3"
        case .callRecords:
            """
            SELECT id FROM calls c WHERE tenant_id = ?1 AND started_at <= ?2
            AND NOT EXISTS (SELECT 1 FROM voicemails v WHERE v.tenant_id = c.tenant_id AND v.call_id = c.id AND v.state != 'purged')
            ORDER BY started_at, id LIMIT ?3
            """
        case .endedSessions:
            "SELECT id FROM sessions WHERE tenant_id = ?1 AND coalesce(revoked_at, expires_at) <= ?2 ORDER BY coalesce(revoked_at, expires_at), id LIMIT ?3"
        case .deliveryAttempts:
            """
            SELECT CAST(d.id AS TEXT) FROM delivery_log d JOIN outbox o ON o.id = d.outbox_id
            WHERE o.tenant_id = ?1 AND d.at <= ?2 ORDER BY d.at, d.id LIMIT ?3
            """
        }
    }

    /// A message's audio goes for good (its key destroyed); the row stays as
    /// `purged` for the call's record, and an upload still waiting sees it gone.
    func purgeMessage(_ id: String, in db: Database) throws(VaultError) {
        let objectID = try VaultError.guarding("reading voicemail \(id)") {
            try String.fetchOne(db, sql: "SELECT object_id FROM voicemails WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
        }
        try VaultError.guarding("purging voicemail \(id)") {
            try db.execute(
                sql: "UPDATE voicemails SET state = 'purged', object_id = NULL, soft_deleted_at = coalesce(soft_deleted_at, ?) WHERE tenant_id = ? AND id = ?",
                arguments: [timestamp(), tenantID, id]
            )
        }
        if let objectID { try shredObject(objectID, in: db) }
    }

    /// A call's record and everything that hangs from it; its caller, once they
    /// have no call left, is forgotten.
    private func deleteCallRecord(_ id: String, in db: Database) throws(VaultError) {
        try VaultError.guarding("purging call \(id)") {
            let subjectID = try String.fetchOne(db, sql: "SELECT subject_id FROM calls WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
            let messages = try String.fetchAll(db, sql: "SELECT id FROM voicemails WHERE tenant_id = ? AND call_id = ?", arguments: [tenantID, id])
            for message in messages {
                try db.execute(
                    sql: "DELETE FROM delivery_log WHERE outbox_id IN (SELECT id FROM outbox WHERE tenant_id = ? AND reference_id = ?)",
                    arguments: [tenantID, message]
                )
                try db.execute(sql: "DELETE FROM outbox WHERE tenant_id = ? AND reference_id = ?", arguments: [tenantID, message])
                try db.execute(sql: "DELETE FROM voicemails WHERE tenant_id = ? AND id = ?", arguments: [tenantID, message])
            }
            try db.execute(sql: "DELETE FROM calls WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
            if let subjectID {
                try forgetSubjectIfUnused(subjectID, in: db)
            }
        }
    }

    /// Destroys a caller's key and row when no call of theirs is left and no
    /// erasure of theirs is still to run.
    private func forgetSubjectIfUnused(_ subjectID: String, in db: Database) throws {
        let inUse = try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM calls WHERE tenant_id = ?1 AND subject_id = ?2)
                OR EXISTS (SELECT 1 FROM deletion_requests WHERE tenant_id = ?1 AND subject_id = ?2 AND state != 'completed')
                OR NOT EXISTS (SELECT 1 FROM subjects WHERE tenant_id = ?1 AND id = ?2 AND kind = 'caller')
                """,
            arguments: [tenantID, subjectID]
        ) ?? true
        guard !inUse else { return }
        if case .key(let keyID) = try subjectKey(subjectID, in: db) {
            try vault.keys.destroy(id: keyID, in: db)
        }
        try db.execute(sql: "DELETE FROM subjects WHERE tenant_id = ? AND id = ?", arguments: [tenantID, subjectID])
    }

    private func deleteRow(_ table: String, _ id: String, in db: Database) throws(VaultError) {
        try VaultError.guarding("purging \(table) \(id)") {
            try db.execute(sql: "DELETE FROM \(table) WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
        }
    }
}
