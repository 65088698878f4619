import Crypto
public import Foundation
import GRDB

/// A sign-in session as created: the token is handed to the client this once;
/// the vault keeps only its SHA-256 (32 random bytes need no slow hash).
public struct NewSession: Sendable {
    public let id: String
    /// `hbs_` and 43 base64url characters.
    public let token: String
    public let expiresAt: Date
}

/// Who a session token authenticates, and with which role.
public struct SessionIdentity: Sendable, Hashable {
    public let sessionID: String
    public let tenantID: String
    public let userID: String
    public let role: User.Role
}

extension TenantVault {
    /// Starts a session for a user who may sign in (not disabled).
    public func createSession(userID: String, lifetime: TimeInterval = 12 * 3600) throws(VaultError) -> NewSession {
        let id = Self.newID()
        let token = "hbs_" + Self.base64URL(Self.randomBytes(32))
        let expires = vault.now().addingTimeInterval(lifetime)
        try write("starting a session") { db, _ throws(VaultError) in
            let allowed = try VaultError.guarding("checking user \(userID)") {
                try Bool.fetchOne(
                    db, sql: "SELECT disabled_at IS NULL FROM users WHERE tenant_id = ? AND id = ?", arguments: [tenantID, userID]
                )
            }
            guard allowed == true else {
                throw VaultError(.invalidInput, "user \(userID) is not one of this organisation's, or may not sign in (disabled or restricted)")
            }
            try VaultError.guarding("storing a session") {
                try db.execute(
                    sql: """
                        INSERT INTO sessions (id, tenant_id, user_id, token_hash, created_at, expires_at, last_seen_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [id, tenantID, userID, Self.sessionHash(token), timestamp(), expires.milliseconds, timestamp()]
                )
            }
        }
        return NewSession(id: id, token: token, expiresAt: expires)
    }

    /// Ends one session (signing out). False when it was not live.
    @discardableResult
    public func revokeSession(_ sessionID: String) throws(VaultError) -> Bool {
        try write("ending a session") { db, _ throws(VaultError) in
            try VaultError.guarding("ending session \(sessionID)") {
                try db.execute(
                    sql: "UPDATE sessions SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL",
                    arguments: [timestamp(), tenantID, sessionID]
                )
                return db.changesCount > 0
            }
        }
    }

    /// Ends every live session of a user (their data stays). Audited.
    @discardableResult
    public func revokeSessions(userID: String, actor: String) throws(VaultError) -> Int {
        try write("revoking sessions") { db, _ throws(VaultError) in
            try revokeSessions(userID: userID, actor: actor, in: db)
        }
    }

    func revokeSessions(userID: String, actor: String, in db: Database) throws(VaultError) -> Int {
        let revoked = try VaultError.guarding("revoking the sessions of user \(userID)") {
            try db.execute(
                sql: "UPDATE sessions SET revoked_at = ? WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL", arguments: [timestamp(), tenantID, userID]
            )
            return db.changesCount
        }
        _ = try audit(AuditEvent(action: "user.sessions_revoked", actor: actor, details: ["user_id": userID, "sessions": "\(revoked)"]), in: db)
        return revoked
    }

    static func sessionHash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }
}

extension Vault {
    /// The session a token belongs to while it is live: not revoked, not past
    /// its absolute expiry, used within `idleTimeout`, and its user not
    /// disabled. A live session's last-seen time moves to now, written at
    /// most every 15 s: a made-up token costs a read, never a write.
    public func authenticate(sessionToken token: String, idleTimeout: TimeInterval = 30 * 60) throws(VaultError) -> SessionIdentity? {
        let now = now().milliseconds
        let idleSince = now - Int64(idleTimeout * 1000)
        let found = try read("authenticating a session") { db throws(VaultError) in
            try VaultError.guarding("looking up a session") {
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT s.id, s.tenant_id, s.user_id, s.last_seen_at, u.role FROM sessions s
                        JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
                        WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND s.last_seen_at > ? AND u.disabled_at IS NULL
                        """,
                    arguments: [TenantVault.sessionHash(token), now, idleSince]
                )
            }
        }
        guard let row = found, let role = User.Role(rawValue: row["role"]) else { return nil }
        let id: String = row["id"]
        let lastSeen: Int64 = row["last_seen_at"]
        if now - lastSeen >= 15_000 {
            try write("recording a session's use") { db throws(VaultError) in
                try VaultError.guarding("recording a session's use") {
                    try db.execute(sql: "UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id = ?", arguments: [now, id])
                }
            }
        }
        return SessionIdentity(sessionID: id, tenantID: row["tenant_id"], userID: row["user_id"], role: role)
    }
}
