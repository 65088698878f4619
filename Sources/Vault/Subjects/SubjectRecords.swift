public import Foundation
import GRDB

/// A user's account as a subject access request shows it.
public struct UserAccount: Sendable, Hashable {
    public let id: String
    public let email: String
    public let displayName: String?
    public let role: User.Role
    public let createdAt: Date
    public let disabledAt: Date?
}

/// A sign-in session of a user (its token is never stored, only a hash).
public struct SessionInfo: Sendable, Hashable {
    public let id: String
    public let createdAt: Date
    public let expiresAt: Date
    public let revokedAt: Date?
}

/// An API key of a user (only its label is personal; the secret is never stored).
public struct APIKeyInfo: Sendable, Hashable {
    public let id: String
    public let label: String?
    public let createdAt: Date
    public let lastUsedAt: Date?
    public let revokedAt: Date?
}

/// Every row the vault holds about one person, opened: what a subject access
/// request returns. Read in one transaction, so it is one consistent moment.
public struct SubjectRecords: Sendable {
    public let organisationName: String
    /// The pseudonymous ids the person's rows and audit entries carry.
    public let subjectIDs: [String]
    public let calls: [Call]
    /// Each call's consent records, by call id.
    public let consents: [String: [Consent]]
    /// Every message of theirs, in any state (a purged one has no audio left).
    public let voicemails: [Voicemail]
    /// The mailboxes they called.
    public let mailboxes: [Mailbox]
    /// Where their messages were (or are to be) delivered.
    public let deliveries: [OutboxEntry]
    public let erasureRequests: [ErasureRequest]
    /// Audit entries about them, and, for a user, the ones they did.
    public let auditEntries: [AuditEntry]
    public let user: UserAccount?
    public let sessions: [SessionInfo]
    public let apiKeys: [APIKeyInfo]
}

extension TenantVault {
    /// Everything about `subject` in this organisation. A caller is found by
    /// every call from their number (also calls whose erasure is under way:
    /// until the hard delete they are still stored); a user by their address.
    public func subjectRecords(_ subject: DataSubject) throws(VaultError) -> SubjectRecords {
        try read("reading a person's records") { db, sealer throws(VaultError) in
            let index = subject.lookupIndex(sealer)
            guard let tenant = try VaultError.guarding("reading the organisation", { try TenantRecord.fetchOne(db, key: tenantID) }) else {
                throw VaultError(.notFound, "there is no tenant \(tenantID)")
            }
            var user: UserAccount?
            var sessions: [SessionInfo] = []
            var apiKeys: [APIKeyInfo] = []
            var callRecords: [CallRecord] = []
            if case .user(let email) = subject {
                guard let id = try userID(email: email, sealer: sealer, in: db) else {
                    throw VaultError(.notFound, "no user of this organisation has that e-mail address")
                }
                (user, sessions, apiKeys) = try userRecords(id, sealer: sealer, in: db)
            } else {
                callRecords = try VaultError.guarding("reading the person's calls") {
                    try CallRecord.owned(by: tenantID).filter(Column("counterparty_index") == index).order(Column("started_at"), Column("id")).fetchAll(db)
                }
            }
            let subjectIDs = try VaultError.guarding("reading the person's pseudonyms") {
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT id FROM subjects WHERE tenant_id = ?1 AND kind = ?2 AND lookup_index = ?3
                        UNION SELECT subject_id FROM deletion_requests WHERE tenant_id = ?1 AND subject_kind = ?2 AND lookup_index = ?3
                        UNION SELECT subject_id FROM calls WHERE tenant_id = ?1 AND counterparty_index = ?3 AND subject_id IS NOT NULL AND ?2 = 'caller'
                        ORDER BY 1
                        """,
                    arguments: [tenantID, subject.kind, index]
                )
            }
            var calls: [Call] = []
            var consents: [String: [Consent]] = [:]
            for record in callRecords {
                calls.append(try record.call(sealer: sealer))
                consents[record.id] = try self.consents(call: record.id, in: db)
            }
            let callIDs = calls.map(\.id)
            let voicemails = try VaultError.guarding("reading the person's messages") {
                try VoicemailRecord.owned(by: tenantID).filter(callIDs.contains(Column("call_id"))).order(Column("created_at"), Column("id")).fetchAll(db)
            }.map(\.voicemail)
            var mailboxes: [Mailbox] = []
            for id in Set(calls.compactMap(\.mailboxID)).sorted() {
                if let mailbox = try fetchMailbox(id, in: db)?.mailbox(sealer: sealer) { mailboxes.append(mailbox) }
            }
            let deliveries = try VaultError.guarding("reading the person's deliveries") {
                try Row.fetchAll(
                    db, sql: "\(Self.selectEntries) WHERE tenant_id = ? AND reference_id IN (SELECT value FROM json_each(?)) ORDER BY created_at, id",
                    arguments: [tenantID, Self.jsonArray(voicemails.map(\.id))]
                ).map(Self.entry)
            }
            var erasureRequests: [ErasureRequest] = []
            let requestIDs = try VaultError.guarding("reading the person's erasure requests") {
                try String.fetchAll(
                    db, sql: "SELECT id FROM deletion_requests WHERE tenant_id = ? AND subject_id IN (SELECT value FROM json_each(?)) ORDER BY requested_at, id",
                    arguments: [tenantID, Self.jsonArray(subjectIDs)]
                )
            }
            for id in requestIDs {
                if let request = try erasureRequest(id, in: db) { erasureRequests.append(request) }
            }
            let auditRecords = try VaultError.guarding("reading the audit entries about the person") {
                try AuditRecord.fetchAll(
                    db,
                    sql: "SELECT * FROM audit_log WHERE tenant_id = ? AND (subject_id IN (SELECT value FROM json_each(?)) OR actor = ?) ORDER BY seq",
                    arguments: [tenantID, Self.jsonArray(subjectIDs), user?.id]
                )
            }
            var auditEntries: [AuditEntry] = []
            for record in auditRecords { auditEntries.append(try AuditLog.entry(record, keys: vault.keys, in: db)) }
            return SubjectRecords(
                organisationName: try sealer.open(tenant.nameSealed, .tenantName, rowID: tenantID), subjectIDs: subjectIDs, calls: calls,
                consents: consents, voicemails: voicemails, mailboxes: mailboxes, deliveries: deliveries, erasureRequests: erasureRequests,
                auditEntries: auditEntries, user: user, sessions: sessions, apiKeys: apiKeys
            )
        }
    }

    private func userRecords(_ id: String, sealer: ColumnSealer, in db: Database) throws(VaultError) -> (UserAccount, [SessionInfo], [APIKeyInfo]) {
        let (row, sessionRows, keyRows) = try VaultError.guarding("reading user \(id)") {
            (
                try Row.fetchOne(
                    db, sql: "SELECT email_sealed, display_name_sealed, role, created_at, disabled_at FROM users WHERE tenant_id = ? AND id = ?",
                    arguments: [tenantID, id]
                ),
                try Row.fetchAll(
                    db, sql: "SELECT id, created_at, expires_at, revoked_at FROM sessions WHERE tenant_id = ? AND user_id = ? ORDER BY created_at, id",
                    arguments: [tenantID, id]
                ),
                try Row.fetchAll(
                    db,
                    sql: "SELECT id, label_sealed, created_at, last_used_at, revoked_at FROM api_keys WHERE tenant_id = ? AND user_id = ? ORDER BY created_at, id",
                    arguments: [tenantID, id]
                )
            )
        }
        guard let row else { throw VaultError(.notFound, "there is no user \(id)") }
        let displayName = try (row["display_name_sealed"] as Data?).map { bytes throws(VaultError) in
            try sealer.open(Sealed<String>(bytes: bytes), .userDisplayName, rowID: id)
        }
        let account = UserAccount(
            id: id, email: try sealer.open(Sealed<String>(bytes: row["email_sealed"]), .userEmail, rowID: id), displayName: displayName,
            role: User.Role(rawValue: row["role"]) ?? .viewer, createdAt: Date(milliseconds: row["created_at"]),
            disabledAt: (row["disabled_at"] as Int64?).map(Date.init(milliseconds:))
        )
        let sessions = sessionRows.map { session in
            SessionInfo(
                id: session["id"], createdAt: Date(milliseconds: session["created_at"]), expiresAt: Date(milliseconds: session["expires_at"]),
                revokedAt: (session["revoked_at"] as Int64?).map(Date.init(milliseconds:))
            )
        }
        var keys: [APIKeyInfo] = []
        for key in keyRows {
            let keyID: String = key["id"]
            let label = try (key["label_sealed"] as Data?).map { bytes throws(VaultError) in
                try sealer.open(Sealed<String>(bytes: bytes), .apiKeyLabel, rowID: keyID)
            }
            keys.append(APIKeyInfo(
                id: keyID, label: label, createdAt: Date(milliseconds: key["created_at"]),
                lastUsedAt: (key["last_used_at"] as Int64?).map(Date.init(milliseconds:)), revokedAt: (key["revoked_at"] as Int64?).map(Date.init(milliseconds:))
            ))
        }
        return (account, sessions, keys)
    }

    /// Ids as a JSON array, for `IN (SELECT value FROM json_each(?))`.
    private static func jsonArray(_ ids: [String]) -> String {
        (try? String(decoding: JSONEncoder().encode(ids), as: UTF8.self)) ?? "[]"
    }
}
