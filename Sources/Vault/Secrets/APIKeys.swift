import Crypto
public import Foundation
import GRDB

/// An API key as created: the token is shown this once and never stored.
public struct NewAPIKey: Sendable {
    public let id: String
    /// `hbx_<16 hex lookup>_<43 base64url secret>` (64 characters): give it to the customer now.
    public let token: String
}

/// Who an API key authenticates, and with which role.
public struct APIKeyIdentity: Sendable, Hashable {
    public let keyID: String
    public let tenantID: String
    public let userID: String?
    public let role: User.Role
}

/// An API key as listed: never its token or hash.
public struct APIKeySummary: Sendable, Hashable {
    public let id: String
    public let label: String?
    public let userID: String?
    public let role: User.Role
    public let createdAt: Date
    public let lastUsedAt: Date?
    public let revokedAt: Date?
}

extension TenantVault {
    /// Creates an API key. Only its lookup prefix and a SHA-256 of the whole
    /// token are stored (its 256 random bits need no slow hash, so checking a
    /// key costs no Argon2 work per request); the token itself is returned once.
    /// - Parameter role: what the key may do; nil acts as `userID`'s role, or
    ///   as the owner when the key has no user either (the provisioning key).
    public func createAPIKey(label: String?, userID: String? = nil, role: User.Role? = nil, actor: String) throws(VaultError) -> NewAPIKey {
        if let label, label.count > 200 {
            throw VaultError(.invalidInput, "an API key's label has at most 200 characters")
        }
        let id = Self.newID()
        let lookup = "hbx_" + Self.randomBytes(8).map { String(format: "%02x", $0) }.joined()
        let token = lookup + "_" + Self.base64URL(Self.randomBytes(32))
        try write("creating an API key") { db, sealer throws(VaultError) in
            let label = try label.map { label throws(VaultError) in try sealer.seal(label, .apiKeyLabel, rowID: id) }
            do {
                try db.execute(
                    sql: """
                        INSERT INTO api_keys (id, tenant_id, user_id, lookup_prefix, key_hash, label_sealed, created_at, role)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [id, tenantID, userID, lookup, Self.apiKeyHash(token), label, timestamp(), role?.rawValue]
                )
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw VaultError(.invalidInput, "user \(userID ?? "") is not one of this organisation's")
            } catch {
                throw VaultError(.databaseFailure, "storing the API key: \(error)")
            }
            let details = ["key_id": id, "role": role?.rawValue ?? "inherited"]
            _ = try audit(AuditEvent(action: "api_key.created", actor: actor, details: details), in: db)
        }
        return NewAPIKey(id: id, token: token)
    }

    /// Revokes one of this tenant's API keys at once. False when it has no such live key.
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

    /// This tenant's API keys, newest first, revoked ones included.
    public func apiKeys() throws(VaultError) -> [APIKeySummary] {
        try read("listing API keys") { db, sealer throws(VaultError) in
            let rows = try VaultError.guarding("listing API keys") {
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT k.id, k.label_sealed, k.user_id, k.role AS key_role, u.role AS user_role, k.created_at, k.last_used_at, k.revoked_at
                        FROM api_keys k LEFT JOIN users u ON u.tenant_id = k.tenant_id AND u.id = k.user_id
                        WHERE k.tenant_id = ? ORDER BY k.created_at DESC, k.id
                        """,
                    arguments: [tenantID]
                )
            }
            var keys: [APIKeySummary] = []
            for row in rows {
                let id: String = row["id"]
                let label = try (row["label_sealed"] as Data?).map { bytes throws(VaultError) in
                    try sealer.open(Sealed<String>(bytes: bytes), .apiKeyLabel, rowID: id)
                }
                keys.append(APIKeySummary(
                    id: id, label: label, userID: row["user_id"],
                    role: Vault.effectiveRole(key: row["key_role"], user: row["user_role"], hasUser: (row["user_id"] as String?) != nil) ?? .viewer,
                    createdAt: Date(milliseconds: row["created_at"]), lastUsedAt: (row["last_used_at"] as Int64?).map(Date.init(milliseconds:)),
                    revokedAt: (row["revoked_at"] as Int64?).map(Date.init(milliseconds:))
                ))
            }
            return keys
        }
    }

    /// Bytes from the system's cryptographic generator, for tokens.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in generator.next() }
    }

    /// Bytes as unpadded base64url, the alphabet a cookie or URL carries as it is.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// How a key made since v6 is stored: `sha256$` and the hex digest of the whole token.
    static func apiKeyHash(_ token: String) -> String {
        "sha256$" + SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}

extension Vault {
    /// The tenant, key and role an API token belongs to, or nil for an unknown,
    /// revoked or wrong token, or one of a disabled (restricted) user.
    ///
    /// Keys are compared by SHA-256 in constant time; a key stored by an older
    /// Hushbox as an Argon2id hash is checked that way once and then re-stored
    /// as SHA-256. The last-used time is kept to the minute.
    public func authenticate(apiKey token: String) throws(VaultError) -> APIKeyIdentity? {
        // hbx_ ‖ 16 hex ‖ _ ‖ secret (base64url, which may itself contain "_").
        let characters = Array(token)
        guard characters.count == 64, token.hasPrefix("hbx_"), characters[20] == "_" else { return nil }
        let lookup = String(characters[0..<20])
        let now = now().milliseconds
        let found = try read("authenticating an API key") { db throws(VaultError) -> (row: Row, legacyMatch: Bool)? in
            let row = try VaultError.guarding("looking up an API key") {
                try Row.fetchOne(
                    db, sql: """
                        SELECT k.id, k.tenant_id, k.user_id, k.key_hash, k.role AS key_role, u.role AS user_role, k.last_used_at,
                            coalesce(k.revoked_at, u.disabled_at) AS revoked_at
                        FROM api_keys k LEFT JOIN users u ON u.tenant_id = k.tenant_id AND u.id = k.user_id WHERE k.lookup_prefix = ?
                        """,
                    arguments: [lookup]
                )
            }
            guard let row else { return nil }
            let stored: String = row["key_hash"]
            // Only a key stored by an older Hushbox costs Argon2id work, once.
            return (row, stored.hasPrefix("$argon2id$") ? try hasher(in: db).verify(token, against: stored) : false)
        }
        let computed = TenantVault.apiKeyHash(token)
        guard let (row, legacyMatch) = found else { return nil }
        let stored: String = row["key_hash"]
        let revoked: Int64? = row["revoked_at"]
        guard legacyMatch || Self.constantTimeEqual(computed, stored), revoked == nil,
            let role = Self.effectiveRole(key: row["key_role"], user: row["user_role"], hasUser: (row["user_id"] as String?) != nil)
        else { return nil }
        let id: String = row["id"]
        let lastUsed: Int64? = row["last_used_at"]
        if legacyMatch || lastUsed.map({ now - $0 >= 60_000 }) ?? true {
            try write("recording the API key's use") { db throws(VaultError) in
                try VaultError.guarding("recording the API key's use") {
                    try db.execute(sql: "UPDATE api_keys SET last_used_at = ?, key_hash = ? WHERE id = ?", arguments: [now, computed, id])
                }
            }
        }
        return APIKeyIdentity(keyID: id, tenantID: row["tenant_id"], userID: row["user_id"], role: role)
    }

    /// What a key may do: the role it was given, but never more than its
    /// user's role now (a user demoted after making a key takes the key down
    /// with them, and a key the user's new role does not cover stops working);
    /// a key with neither role nor user is the provisioning key, the owner's.
    static func effectiveRole(key: String?, user: String?, hasUser: Bool) -> User.Role? {
        let keyRole = key.flatMap(User.Role.init(rawValue:))
        guard hasUser else { return keyRole ?? .owner }
        guard let userRole = user.flatMap(User.Role.init(rawValue:)) else { return nil }
        guard let keyRole, keyRole != userRole else { return userRole }
        // The user's role still covers the key's when it could grant it.
        switch userRole {
        case .owner: return keyRole
        case .admin: return keyRole == .owner ? .admin : keyRole
        // Neither role covers the other: the key stops, rather than gaining what the user never had.
        case .technician, .viewer: return nil
        }
    }

    /// Equal strings compared without stopping at the first difference.
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
