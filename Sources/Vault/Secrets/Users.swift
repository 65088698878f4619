import Foundation
import GRDB

/// A person who manages a tenant's box through the admin API or the CLI.
public struct User: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable, CaseIterable {
        case owner, admin, viewer, technician

        /// The name customers see: `viewer` is shown as "read-only".
        public var name: String { self == .viewer ? "read-only" : rawValue }

        /// A role by the name customers use ("read-only") or the stored one.
        public init?(name: String) {
            switch name.lowercased() {
            case "read-only", "readonly", "viewer": self = .viewer
            default: self.init(rawValue: name.lowercased())
            }
        }
    }

    public let id: String
    public let email: String
    public let displayName: String?
    public let role: Role
}

extension TenantVault {
    /// Creates a user. The e-mail address is sealed and found by blind index; the
    /// password (at least 12 characters) is kept only as an Argon2id hash.
    public func createUser(email: String, displayName: String?, role: User.Role, password: String?, actor: String) throws(VaultError) -> User {
        guard email.contains("@"), email.count <= 320 else {
            throw VaultError(.invalidInput, "\"\(email.prefix(3))…\" is not an e-mail address")
        }
        if let password, password.count < 12 || password.count > 1024 {
            throw VaultError(.invalidInput, "a password needs at least 12 characters and at most 1024")
        }
        let id = Self.newID()
        try write("creating a user") { db, sealer throws(VaultError) in
            let hash = try password.map { password throws(VaultError) in try vault.hasher(in: db).hash(password) }
            let sealedEmail = try sealer.seal(email, .userEmail, rowID: id)
            let sealedName = try displayName.map { name throws(VaultError) in try sealer.seal(name, .userDisplayName, rowID: id) }
            do {
                try db.execute(
                    sql: """
                        INSERT INTO users (id, tenant_id, email_sealed, email_index, display_name_sealed, password_hash, role, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [id, tenantID, sealedEmail, sealer.blindIndex(email: email), sealedName, hash, role.rawValue, timestamp()]
                )
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw VaultError(.conflict, "a user with this e-mail address already exists")
            } catch {
                throw VaultError(.databaseFailure, "creating a user: \(error)")
            }
            _ = try audit(AuditEvent(action: "user.created", actor: actor, details: ["user_id": id, "role": role.rawValue]), in: db)
        }
        return User(id: id, email: email, displayName: displayName, role: role)
    }

    /// The user with this e-mail address and password, or nil. Runs the same
    /// Argon2id work whether or not the address exists.
    public func verifyPassword(email: String, password: String) throws(VaultError) -> User? {
        try read("checking a password") { db, sealer throws(VaultError) in
            let hasher = try vault.hasher(in: db)
            let row = try VaultError.guarding("looking up a user") {
                try Row.fetchOne(
                    db,
                    sql: "SELECT id, email_sealed, display_name_sealed, password_hash, role, disabled_at FROM users WHERE tenant_id = ? AND email_index = ?",
                    arguments: [tenantID, sealer.blindIndex(email: email)]
                )
            }
            let hash: String? = row?["password_hash"]
            let disabled: Int64? = row?["disabled_at"]
            guard hasher.verify(password, against: hash ?? Self.decoyPasswordHash), let row, disabled == nil else { return nil }
            return try Self.user(row, sealer: sealer)
        }
    }

    private static let decoyPasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
}
