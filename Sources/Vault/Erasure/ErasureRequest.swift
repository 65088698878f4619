public import Foundation
import GRDB

/// A person's erasure: soft-deleted when asked, hard-deleted by crypto-shredding
/// once its grace period is over (or at once, when the owner insists).
public struct ErasureRequest: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case softDeleted = "soft_deleted"
        case completed
    }

    public let id: String
    /// The pseudonymous id the person's data and audit entries carry.
    public let subjectID: String
    public let requestedAt: Date
    public let hardDeleteDueAt: Date
    public let completedAt: Date?
    public let state: State
}

/// What asking for an erasure did at once.
public struct ErasureSoftDelete: Sendable, Hashable {
    public let request: ErasureRequest
    public let calls: Int
    public let voicemails: Int
    /// Erase messages queued for destinations that received the person's messages.
    public let eraseMessages: Int
}

extension TenantVault {
    /// The grace period between an erasure's soft and hard delete.
    public static let erasureGracePeriod: TimeInterval = 30 * 86_400

    /// Soft-deletes everything of the person at once, in one transaction: their
    /// messages leave every listing and can no longer be uploaded, their calls
    /// leave the call list, a user is disabled with their sessions and API keys
    /// revoked; every destination that received one of their messages gets an
    /// erase message queued; the request is recorded with its hard-delete date
    /// and audited. A caller's number is detached from them, so a later call
    /// from it is a new person's data, not part of this erasure.
    public func requestErasure(of subject: DataSubject, actor: String) throws(VaultError) -> ErasureSoftDelete {
        let softDelete = try write("starting an erasure") { db, sealer throws(VaultError) in
            let now = timestamp()
            let index = subject.lookupIndex(sealer)
            var user: String?
            if case .user(let email) = subject {
                guard let found = try userID(email: email, sealer: sealer, in: db) else {
                    throw VaultError(.notFound, "no user of this organisation has that e-mail address; nothing was changed")
                }
                user = found
            }
            let subjectID = try subjectID(kind: subject.kind, index: index, in: db)
            if let open = try openErasures(of: subject, sealer: sealer, in: db).first, try !hasDataOutsideErasures(subject, subjectID, sealer: sealer, in: db) {
                throw VaultError(
                    .invalidInput,
                    "this person's erasure \(open.id) is already under way: soft-deleted, hard delete due \(ISO8601DateFormatter().string(from: open.hardDeleteDueAt)); nothing was changed"
                )
            }
            let (calls, voicemails, messages) = try VaultError.guarding("soft-deleting the person's data") {
                if case .caller = subject {
                    // Calls that carry no subject, or only the one being erased now.
                    try db.execute(
                        sql: """
                            UPDATE calls SET subject_id = ?1 WHERE tenant_id = ?2 AND counterparty_index = ?3
                            AND (subject_id IS NULL OR subject_id NOT IN
                                (SELECT subject_id FROM deletion_requests WHERE tenant_id = ?2 AND state != 'completed'))
                            """,
                        arguments: [subjectID, tenantID, index]
                    )
                }
                let calls = try Int.fetchOne(db, sql: "SELECT count(*) FROM calls WHERE tenant_id = ? AND subject_id = ?", arguments: [tenantID, subjectID]) ?? 0
                let messages = try String.fetchAll(
                    db, sql: "SELECT v.id FROM voicemails v JOIN calls c ON c.tenant_id = v.tenant_id AND c.id = v.call_id WHERE c.tenant_id = ? AND c.subject_id = ?",
                    arguments: [tenantID, subjectID]
                )
                try db.execute(
                    sql: """
                        UPDATE voicemails SET state = 'soft_deleted', soft_deleted_at = ?1 WHERE tenant_id = ?2 AND state = 'active'
                        AND call_id IN (SELECT id FROM calls WHERE tenant_id = ?2 AND subject_id = ?3)
                        """,
                    arguments: [now, tenantID, subjectID]
                )
                let voicemails = db.changesCount
                if let userID = user {
                    try db.execute(sql: "UPDATE users SET disabled_at = coalesce(disabled_at, ?) WHERE tenant_id = ? AND id = ?", arguments: [now, tenantID, userID])
                    try db.execute(
                        sql: "UPDATE sessions SET revoked_at = ? WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL", arguments: [now, tenantID, userID]
                    )
                    try db.execute(
                        sql: "UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL", arguments: [now, tenantID, userID]
                    )
                }
                if case .caller = subject {
                    try db.execute(sql: "UPDATE subjects SET lookup_index = NULL WHERE tenant_id = ? AND id = ?", arguments: [tenantID, subjectID])
                }
                return (calls, voicemails, messages)
            }
            var eraseMessages = 0
            for message in messages {
                let destinations = try VaultError.guarding("finding where message \(message) went") {
                    try String.fetchAll(
                        db,
                        sql: """
                            SELECT DISTINCT destination FROM outbox WHERE tenant_id = ? AND reference_id = ? AND kind = 'voicemail'
                            AND (state IN ('delivered', 'delivering') OR attempts > 0) ORDER BY destination
                            """,
                        arguments: [tenantID, message]
                    )
                }
                for destination in destinations {
                    try enqueue(kind: OutboxEntry.eraseKind, reference: message, destination: destination, in: db)
                    eraseMessages += 1
                }
            }
            let requestID = Self.newID()
            let due = now + Int64(Self.erasureGracePeriod * 1000)
            try VaultError.guarding("recording the erasure request") {
                try db.execute(
                    sql: """
                        INSERT INTO deletion_requests (id, tenant_id, subject_id, requested_at, soft_deleted_at, hard_delete_due_at, state, subject_kind, lookup_index)
                        VALUES (?, ?, ?, ?, ?, ?, 'soft_deleted', ?, ?)
                        """,
                    arguments: [requestID, tenantID, subjectID, now, now, due, subject.kind, index]
                )
            }
            _ = try audit(
                AuditEvent(
                    action: "erasure.requested", actor: actor,
                    details: [
                        "request": requestID, "subject_kind": subject.kind, "calls": "\(calls)", "voicemails": "\(voicemails)",
                        "erase_messages": "\(eraseMessages)", "hard_delete_due": ISO8601DateFormatter().string(from: Date(milliseconds: due)),
                    ]
                ),
                in: db
            )
            guard let request = try erasureRequest(requestID, in: db) else {
                throw VaultError(.databaseFailure, "the erasure request just recorded cannot be read back")
            }
            return ErasureSoftDelete(request: request, calls: calls, voicemails: voicemails, eraseMessages: eraseMessages)
        }
        // Their messages can never be sent now: their spooled copies go at once, not in 30 days.
        vault.sweepSpoolAfterCommit()
        return softDelete
    }

    /// The person's erasures that are soft-deleted and not yet hard-deleted,
    /// oldest first (each remembers its person's blind index until then).
    public func openErasures(of subject: DataSubject) throws(VaultError) -> [ErasureRequest] {
        try read("finding erasures under way") { db, sealer throws(VaultError) in
            try openErasures(of: subject, sealer: sealer, in: db)
        }
    }

    func openErasures(of subject: DataSubject, sealer: ColumnSealer, in db: Database) throws(VaultError) -> [ErasureRequest] {
        let index = subject.lookupIndex(sealer)
        let ids = try VaultError.guarding("finding erasures under way") {
            try String.fetchAll(
                db,
                sql: """
                    SELECT id FROM deletion_requests WHERE tenant_id = ? AND state = 'soft_deleted' AND subject_kind = ? AND lookup_index = ?
                    ORDER BY requested_at, id
                    """,
                arguments: [tenantID, subject.kind, index]
            )
        }
        var requests: [ErasureRequest] = []
        for id in ids {
            if let request = try erasureRequest(id, in: db) { requests.append(request) }
        }
        return requests
    }

    /// Whether the person has data no erasure under way covers: a caller's
    /// calls since their last erasure request; never for a user (one erasure covers them whole).
    private func hasDataOutsideErasures(_ subject: DataSubject, _ subjectID: String, sealer: ColumnSealer, in db: Database) throws(VaultError) -> Bool {
        guard case .caller = subject else { return false }
        return try VaultError.guarding("looking for data outside erasures") {
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM calls WHERE tenant_id = ?1 AND counterparty_index = ?2 AND (subject_id IS NULL OR subject_id NOT IN
                        (SELECT subject_id FROM deletion_requests WHERE tenant_id = ?1 AND state != 'completed')))
                    """,
                arguments: [tenantID, subject.lookupIndex(sealer)]
            ) ?? false
        }
    }

    /// Every erasure request, newest first.
    public func erasureRequests() throws(VaultError) -> [ErasureRequest] {
        try read("listing erasure requests") { db, _ throws(VaultError) in
            let ids = try VaultError.guarding("listing erasure requests") {
                try String.fetchAll(db, sql: "SELECT id FROM deletion_requests WHERE tenant_id = ? ORDER BY requested_at DESC, id", arguments: [tenantID])
            }
            var requests: [ErasureRequest] = []
            for id in ids {
                if let request = try erasureRequest(id, in: db) { requests.append(request) }
            }
            return requests
        }
    }

    /// Hard-deletes a soft-deleted request's data now (the owner's `--now`).
    /// Files and the WAL are dealt with after the commit, as in ``erase(_:)``.
    @discardableResult
    public func completeErasure(_ requestID: String, actor: String) throws(VaultError) -> ErasureReport {
        let report = try write("completing erasure \(requestID)") { db, _ throws(VaultError) in
            try completeErasure(requestID, actor: actor, in: db)
        }
        try removePendingObjectFiles()
        vault.sweepSpoolAfterCommit()
        try vault.checkpointAndTruncateWAL()
        return report
    }

    /// The hard delete, inside the caller's transaction (the purge's batch, or
    /// ``completeErasure(_:actor:)``): the person's calls, messages (rows, audio
    /// keys, files), their queued uploads and delivery logs, a user's row,
    /// sessions and API keys, and their subject key, so every audit entry about
    /// them opens to nothing. Erase messages still to be sent stay queued.
    func completeErasure(_ requestID: String, actor: String, in db: Database) throws(VaultError) -> ErasureReport {
        guard let request = try erasureRequest(requestID, in: db) else {
            throw VaultError(.notFound, "there is no erasure request \(requestID) in this organisation")
        }
        guard request.state == .softDeleted else {
            throw VaultError(.invalidInput, "erasure \(requestID) was completed on \(request.completedAt.map { ISO8601DateFormatter().string(from: $0) } ?? "an earlier day")")
        }
        let subjectID = request.subjectID
        let plan = try VaultError.guarding("planning erasure \(requestID)") {
            let calls = try String.fetchAll(db, sql: "SELECT id FROM calls WHERE tenant_id = ? AND subject_id = ?", arguments: [tenantID, subjectID])
            let messages = try Row.fetchAll(
                db,
                sql: "SELECT id, object_id FROM voicemails WHERE tenant_id = ? AND call_id IN (SELECT id FROM calls WHERE tenant_id = ? AND subject_id = ?)",
                arguments: [tenantID, tenantID, subjectID]
            )
            for message in messages {
                let id: String = message["id"]
                try db.execute(
                    sql: "DELETE FROM delivery_log WHERE outbox_id IN (SELECT id FROM outbox WHERE tenant_id = ? AND reference_id = ? AND kind != ?)",
                    arguments: [tenantID, id, OutboxEntry.eraseKind]
                )
                try db.execute(
                    sql: "DELETE FROM outbox WHERE tenant_id = ? AND reference_id = ? AND kind != ?", arguments: [tenantID, id, OutboxEntry.eraseKind]
                )
            }
            // A user's subject keeps the blind index of their address (only
            // callers are detached from theirs), so it still finds the row.
            if let userID = try String.fetchOne(
                db,
                sql: "SELECT u.id FROM users u JOIN subjects s ON s.tenant_id = u.tenant_id AND s.lookup_index = u.email_index WHERE s.tenant_id = ? AND s.id = ? AND s.kind = 'user'",
                arguments: [tenantID, subjectID]
            ) {
                for table in ["sessions", "api_keys"] {
                    try db.execute(sql: "DELETE FROM \(table) WHERE tenant_id = ? AND user_id = ?", arguments: [tenantID, userID])
                }
                try db.execute(sql: "DELETE FROM users WHERE tenant_id = ? AND id = ?", arguments: [tenantID, userID])
            }
            return ErasurePlan(
                voicemailIDs: messages.map { $0["id"] }, callIDs: calls, objectIDs: messages.compactMap { $0["object_id"] },
                subjectIDs: try subjectExists(subjectID, in: db) ? [subjectID] : [], actor: actor
            )
        }
        let report = try erase(plan, in: db)
        try VaultError.guarding("closing erasure \(requestID)") {
            try db.execute(
                sql: "UPDATE deletion_requests SET state = 'completed', completed_at = ?, lookup_index = NULL WHERE tenant_id = ? AND id = ?",
                arguments: [timestamp(), tenantID, requestID]
            )
        }
        return report
    }

    private func subjectExists(_ subjectID: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM subjects WHERE tenant_id = ? AND id = ?)", arguments: [tenantID, subjectID]) ?? false
    }

    func erasureRequest(_ id: String, in db: Database) throws(VaultError) -> ErasureRequest? {
        try VaultError.guarding("reading erasure request \(id)") {
            try Row.fetchOne(
                db, sql: "SELECT id, subject_id, requested_at, hard_delete_due_at, completed_at, state FROM deletion_requests WHERE tenant_id = ? AND id = ?",
                arguments: [tenantID, id]
            ).map { row in
                ErasureRequest(
                    id: row["id"], subjectID: row["subject_id"], requestedAt: Date(milliseconds: row["requested_at"]),
                    hardDeleteDueAt: Date(milliseconds: row["hard_delete_due_at"]), completedAt: (row["completed_at"] as Int64?).map(Date.init(milliseconds:)),
                    state: ErasureRequest.State(rawValue: row["state"]) ?? .softDeleted
                )
            }
        }
    }
}
