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

/// Who a session token authenticates.
public struct SessionIdentity: Sendable, Hashable {
    public let sessionID: String
    public let tenantID: String
    public let userID: String
}

extension TenantVault {
    /// Starts a session for a user who may sign in (not disabled).
    public func createSession(userID: String, lifetime: TimeInterval = 12 * 3600) throws(VaultError) -> NewSession {
        let id = Self.newID()
        let token = "hbs_" + Data(Self.randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
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
                    sql: "INSERT INTO sessions (id, tenant_id, user_id, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [id, tenantID, userID, Self.sessionHash(token), timestamp(), expires.milliseconds]
                )
            }
        }
        return NewSession(id: id, token: token, expiresAt: expires)
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
    /// The session a token belongs to while it is live: not revoked, not
    /// expired, and its user not disabled.
    public func authenticate(sessionToken token: String) throws(VaultError) -> SessionIdentity? {
        try read("authenticating a session") { db throws(VaultError) in
            try VaultError.guarding("looking up a session") {
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT s.id, s.tenant_id, s.user_id FROM sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
                        WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ? AND u.disabled_at IS NULL
                        """,
                    arguments: [TenantVault.sessionHash(token), now().milliseconds]
                ).map { SessionIdentity(sessionID: $0["id"], tenantID: $0["tenant_id"], userID: $0["user_id"]) }
            }
        }
    }
}
