import GRDB

extension VaultSchema {
    /// v5: why a forwarded call reached the box (History-Info's cause,
    /// Diversion's reason), and greetings for a busy or unavailable line
    /// beside the mailbox's standard one.
    static func addForwarding(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE calls ADD COLUMN diverted_because TEXT
                CHECK (diverted_because IN ('busy', 'no_answer', 'unconditional', 'unavailable', 'other'));
            ALTER TABLE greetings ADD COLUMN purpose TEXT NOT NULL DEFAULT 'standard'
                CHECK (purpose IN ('standard', 'busy', 'unavailable'));
            CREATE UNIQUE INDEX greetings_by_purpose ON greetings(tenant_id, mailbox_id, purpose);
            """)
    }
}
