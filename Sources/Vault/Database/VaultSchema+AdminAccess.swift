import GRDB

extension VaultSchema {
    /// v6: what the admin API needs of sessions and API keys.
    /// - `sessions.last_seen_at`: a session idles out 30 minutes after its last
    ///   request, as well as 12 hours after sign-in.
    /// - `api_keys.role`: a key acts with the role it was given (never more than
    ///   its creator's); keys made before roles existed act as their user, or,
    ///   with no user, as the organisation's owner who provisioned them.
    static func addAdminAccess(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER;
            UPDATE sessions SET last_seen_at = created_at;
            ALTER TABLE api_keys ADD COLUMN role TEXT CHECK (role IN ('owner', 'admin', 'viewer', 'technician'));
            """)
    }
}
