import Crypto
import Foundation
import GRDB

/// An API key as created: the token is shown this once and never stored.
public struct NewAPIKey: Sendable {
    public let id: String
    /// `hbx_<16 hex lookup>_<43 base64url secret>` (64 characters): give it to the customer now.
    public let token: String
}

/// Who an API key authenticates.
public struct APIKeyIdentity: Sendable, Hashable {
    public let keyID: String
    public let tenantID: String
    public let userID: String?
}

extension TenantVault {
    /// Creates an API key. Only its lookup prefix and an Argon2id hash of the whole
    /// token are stored; the token itself is returned once.
    public func createAPIKey(label: String?, userID: String? = nil, actor: String) throws(VaultError) -> NewAPIKey {
        let id = Self.newID()
        let lookup = "hbx_" + Self.randomBytes(8).map { String(format: "%02x", $0) }.joined()
        let secret = Data(Self.randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let token = lookup + "_" + secret
        try write("creating an API key") { db, sealer throws(VaultError) in
            let hash = try vault.hasher(in: db).hash(token)
            let label = try label.map { label throws(VaultError) in try sealer.seal(label, .apiKeyLabel, rowID: id) }
            try VaultError.guarding("storing the API key") {
                try db.execute(
                    sql: """
                        INSERT INTO api_keys (id, tenant_id, user_id, lookup_prefix, key_hash, label_sealed, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [id, tenantID, userID, lookup, hash, label, timestamp()]
                )
            }
            _ = try audit(AuditEvent(action: "api_key.created", actor: actor, details: ["key_id": id]), in: db)
        }
        return NewAPIKey(id: id, token: token)
    }

    /// Revokes one of this tenant's API keys. False when it has no such key.
    @discardableResult
    public func revokeAPIKey(_ id: String, actor: String) throws(VaultError) -> Bool {
        try write("revoking an API key") { db, _ throws(VaultError) in
            let changed = try VaultError.guarding("revoking API key \(id)") {
                try db.execute(
                    sql: "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL",
                    arguments: [timestamp(), id, tenantID]
                )
                return db.changesCount > 0
            }
            if changed { _ = try audit(AuditEvent(action: "api_key.revoked", actor: actor, details: ["key_id": id]), in: db) }
            return changed
        }
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in generator.next() }
    }
}

extension Vault {
    /// The tenant and key an API token belongs to, or nil for an unknown, revoked
    /// or wrong token, or one of a disabled (restricted) user. The Argon2id work is done whether or not the lookup
    /// prefix exists, so response times do not tell valid prefixes apart.
    public func authenticate(apiKey token: String) throws(VaultError) -> APIKeyIdentity? {
        // hbx_ ‖ 16 hex ‖ _ ‖ secret (base64url, which may itself contain "_").
        let characters = Array(token)
        let lookup = characters.count == 64 && token.hasPrefix("hbx_") && characters[20] == "_" ? String(characters[0..<20]) : nil
        return try read("authenticating an API key") { db throws(VaultError) in
            let hasher = try hasher(in: db)
            let row = try lookup.flatMap { lookup throws(VaultError) in
                try VaultError.guarding("looking up an API key") {
                    try Row.fetchOne(
                        db, sql: """
                            SELECT k.id, k.tenant_id, k.user_id, k.key_hash, coalesce(k.revoked_at, u.disabled_at) AS revoked_at
                            FROM api_keys k LEFT JOIN users u ON u.tenant_id = k.tenant_id AND u.id = k.user_id WHERE k.lookup_prefix = ?
                            """,
                        arguments: [lookup]
                    )
                }
            }
            guard let row else {
                _ = hasher.verify(token, against: Self.decoyHash)
                return nil
            }
            let matches = hasher.verify(token, against: row["key_hash"])
            let revoked: Int64? = row["revoked_at"]
            guard matches, revoked == nil else { return nil }
            return APIKeyIdentity(keyID: row["id"], tenantID: row["tenant_id"], userID: row["user_id"])
        }
    }

    /// A well-formed hash no token matches, verified when a lookup finds nothing.
    private static let decoyHash = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
}
