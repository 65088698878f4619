public import Foundation
import GRDB

/// A user as listed for the people who manage them.
public struct UserSummary: Sendable, Hashable {
    public let user: User
    public let createdAt: Date
    public let disabledAt: Date?
}

extension TenantVault {
    /// This organisation's users, oldest first, disabled ones included.
    public func users() throws(VaultError) -> [UserSummary] {
        try read("listing users") { db, sealer throws(VaultError) in
            let rows = try VaultError.guarding("listing users") {
                try Row.fetchAll(
                    db, sql: "SELECT id, email_sealed, display_name_sealed, role, created_at, disabled_at FROM users WHERE tenant_id = ? ORDER BY created_at, id",
                    arguments: [tenantID]
                )
            }
            var users: [UserSummary] = []
            for row in rows {
                users.append(UserSummary(
                    user: try Self.user(row, sealer: sealer), createdAt: Date(milliseconds: row["created_at"]),
                    disabledAt: (row["disabled_at"] as Int64?).map(Date.init(milliseconds:))
                ))
            }
            return users
        }
    }

    /// One of this organisation's users, or nil.
    public func user(_ id: String) throws(VaultError) -> UserSummary? {
        try users().first { $0.user.id == id }
    }

    /// The user with this e-mail address, or nil.
    public func user(email: String) throws(VaultError) -> UserSummary? {
        try userID(email: email).flatMap { id throws(VaultError) in try user(id) }
    }

    /// The id of the user with this e-mail address, found by its blind index alone.
    func userID(email: String) throws(VaultError) -> String? {
        try read("finding a user") { db, sealer throws(VaultError) in
            try VaultError.guarding("finding a user") {
                try String.fetchOne(
                    db, sql: "SELECT id FROM users WHERE tenant_id = ? AND email_index = ?", arguments: [tenantID, sealer.blindIndex(email: email)]
                )
            }
        }
    }

    /// Stops a user signing in and ends their sessions and API keys' use at
    /// once. The last owner who may sign in cannot be disabled. Audited.
    @discardableResult
    public func disableUser(_ id: String, actor: String) throws(VaultError) -> Bool {
        try write("disabling user \(id)") { db, _ throws(VaultError) in
            try refuseRemovingLastOwner(id, in: db)
            let changed = try VaultError.guarding("disabling user \(id)") {
                try db.execute(
                    sql: "UPDATE users SET disabled_at = ? WHERE tenant_id = ? AND id = ? AND disabled_at IS NULL", arguments: [timestamp(), tenantID, id]
                )
                return db.changesCount > 0
            }
            guard changed else { return false }
            _ = try revokeSessions(userID: id, actor: actor, in: db)
            _ = try audit(AuditEvent(action: "user.disabled", actor: actor, details: ["user_id": id]), in: db)
            return true
        }
    }

    /// Sets a user's password (at least 12 characters) and ends their sessions.
    /// Audited. A disabled or restricted user stays so: a new password is not a
    /// way around a restriction or an erasure under way (`hushbox restrict --lift`
    /// lifts one, and refuses while an erasure runs).
    public func resetPassword(userID: String, to password: String, actor: String) throws(VaultError) {
        guard password.count >= 12 else { throw VaultError(.invalidInput, "a password needs at least 12 characters") }
        guard password.count <= 1024 else { throw VaultError(.invalidInput, "a password has at most 1024 characters") }
        try write("setting user \(userID)'s password") { db, _ throws(VaultError) in
            let hash = try vault.hasher(in: db).hash(password)
            let changed = try VaultError.guarding("setting user \(userID)'s password") {
                try db.execute(
                    sql: "UPDATE users SET password_hash = ? WHERE tenant_id = ? AND id = ?", arguments: [hash, tenantID, userID]
                )
                return db.changesCount > 0
            }
            guard changed else { throw VaultError(.notFound, "there is no user \(userID) in this organisation; see `hushbox user list`") }
            _ = try revokeSessions(userID: userID, actor: actor, in: db)
            _ = try audit(AuditEvent(action: "user.password_reset", actor: actor, details: ["user_id": userID]), in: db)
        }
    }

    /// Changes a user's role; the last owner keeps theirs. Audited.
    public func setRole(userID: String, to role: User.Role, actor: String) throws(VaultError) {
        try write("changing user \(userID)'s role") { db, _ throws(VaultError) in
            if role != .owner { try refuseRemovingLastOwner(userID, in: db) }
            let changed = try VaultError.guarding("changing user \(userID)'s role") {
                try db.execute(sql: "UPDATE users SET role = ? WHERE tenant_id = ? AND id = ?", arguments: [role.rawValue, tenantID, userID])
                return db.changesCount > 0
            }
            guard changed else { throw VaultError(.notFound, "there is no user \(userID) in this organisation") }
            _ = try audit(AuditEvent(action: "user.role_changed", actor: actor, details: ["user_id": userID, "role": role.rawValue]), in: db)
        }
    }

    /// Whether this user is the organisation's only owner who can sign in:
    /// disabling, restricting or demoting them would leave no one to manage it.
    public func isOnlyActiveOwner(_ id: String) throws(VaultError) -> Bool {
        try read("counting owners") { db, _ throws(VaultError) in try activeOwners(in: db) == [id] }
    }

    private func activeOwners(in db: Database) throws(VaultError) -> [String] {
        try VaultError.guarding("counting owners") {
            try String.fetchAll(db, sql: "SELECT id FROM users WHERE tenant_id = ? AND role = 'owner' AND disabled_at IS NULL", arguments: [tenantID])
        }
    }

    private func refuseRemovingLastOwner(_ id: String, in db: Database) throws(VaultError) {
        if try activeOwners(in: db) == [id] {
            throw VaultError(.conflict, "user \(id) is the organisation's only owner who can sign in: make another user owner first")
        }
    }

    static func user(_ row: Row, sealer: ColumnSealer) throws(VaultError) -> User {
        let id: String = row["id"]
        let name = try (row["display_name_sealed"] as Data?).map { bytes throws(VaultError) in
            try sealer.open(Sealed<String>(bytes: bytes), .userDisplayName, rowID: id)
        }
        return User(
            id: id, email: try sealer.open(Sealed<String>(bytes: row["email_sealed"]), .userEmail, rowID: id), displayName: name,
            role: User.Role(rawValue: row["role"]) ?? .viewer
        )
    }
}

/// What a sign-in attempt came to.
public enum SignInOutcome: Sendable, Hashable {
    case signedIn(tenantID: String, user: User)
    /// The address belongs to this user, but the password was wrong or they are disabled.
    case refused(tenantID: String, userID: String)
    /// No user on this box has the address.
    case unknownAccount
}

extension Vault {
    /// Checks an e-mail address and password against whichever organisation on
    /// this box has that address. The Argon2id work is done whether or not the
    /// address exists, so timing does not tell which addresses do.
    public func signIn(email: String, password: String) throws(VaultError) -> SignInOutcome {
        let tenants = try tenantIDs()
        guard password.count <= 1024, email.count <= 320 else { return .unknownAccount }
        // Addresses are unique within an organisation, not across the box: every
        // organisation that has this one is checked, so a user made elsewhere
        // with someone's address cannot keep them out.
        var refused: SignInOutcome?
        for tenantID in tenants {
            let tenant = TenantVault(vault: self, tenantID: tenantID)
            guard let userID = try tenant.userID(email: email) else { continue }
            if let user = try tenant.verifyPassword(email: email, password: password) {
                return .signedIn(tenantID: tenantID, user: user)
            }
            refused = refused ?? .refused(tenantID: tenantID, userID: userID)
        }
        if let refused { return refused }
        // No such address: spend the same work as a wrong password would.
        if let first = tenants.first { _ = try TenantVault(vault: self, tenantID: first).verifyPassword(email: email, password: password) }
        return .unknownAccount
    }
}
