import GRDB

/// The vault's schema, as GRDB migrations. In clear: ids, times (Unix
/// milliseconds), enums, counts and sizes. Every personal value is a sealed BLOB
/// in a column whose name ends in `_sealed` (listed in ``SealedColumn/all``);
/// lookups on them go through keyed blind indexes (`_index`).
///
/// Every tenant-owned table carries `tenant_id`, and its child tables reference
/// the parent by `(tenant_id, id)`, so a row cannot point at another tenant's row
/// even through a bug; triggers refuse any change of `tenant_id`.
enum VaultSchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: initial schema", migrate: createInitialSchema)
        migrator.registerMigration("v2: outbox entries withdrawn by their owner", migrate: addWithdrawnOutboxState)
        migrator.registerMigration("v3: retention purge runs, pending object file removals, backups", migrate: addPurgeBookkeeping)
        migrator.registerMigration("v4: erasures remember whom they are about", migrate: addErasureLookup)
        migrator.registerMigration("v5: why forwarded calls came, greetings for busy and unavailable", migrate: addForwarding)
        migrator.registerMigration("v6: sessions idle out, API keys carry a role", migrate: addAdminAccess)
        return migrator
    }

    /// The tables whose rows belong to a tenant (and so get the tenant triggers).
    static let tenantOwnedTables = [
        "users", "api_keys", "sessions", "subjects", "mailboxes", "greetings", "calls", "voicemails", "consents",
        "retention_policies", "deletion_requests", "incidents", "subprocessors", "outbox", "objects",
    ]

    private static func createInitialSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE vault_meta (
                name TEXT PRIMARY KEY NOT NULL,
                value BLOB NOT NULL
            ) STRICT;

            CREATE TABLE tenants (
                id TEXT PRIMARY KEY NOT NULL,
                name_sealed BLOB NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE wrapped_keys (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT REFERENCES tenants(id),
                purpose TEXT NOT NULL CHECK (purpose IN ('tenant_data', 'tenant_index', 'tenant_audit', 'subject', 'object', 'pepper', 'system_audit')),
                version INTEGER NOT NULL CHECK (version >= 1),
                wrapped_by TEXT REFERENCES wrapped_keys(id),
                sealed_key BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                CHECK ((wrapped_by IS NULL) = (purpose IN ('tenant_data', 'tenant_index', 'pepper', 'system_audit')))
            ) STRICT;
            CREATE INDEX wrapped_keys_by_tenant ON wrapped_keys(tenant_id, purpose, version);
            CREATE INDEX wrapped_keys_by_parent ON wrapped_keys(wrapped_by);

            -- Progress of lazy data-key rotations: the rows still sealed under an
            -- older version are found by their sealed bytes, so a rotation resumes
            -- after a restart without a cursor.
            CREATE TABLE key_rotations (
                tenant_id TEXT PRIMARY KEY NOT NULL REFERENCES tenants(id),
                from_key_id TEXT NOT NULL,
                to_key_id TEXT NOT NULL,
                started_at INTEGER NOT NULL
            ) STRICT;

            -- A person the data is about: a caller (by the blind index of their
            -- number) or a user. Audit entries name subjects by this pseudonymous
            -- id; destroying the subject key anonymises those entries.
            CREATE TABLE subjects (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                kind TEXT NOT NULL CHECK (kind IN ('caller', 'user')),
                lookup_index BLOB,
                key_id TEXT REFERENCES wrapped_keys(id) ON DELETE SET NULL,
                created_at INTEGER NOT NULL,
                UNIQUE (tenant_id, id)
            ) STRICT;
            CREATE UNIQUE INDEX subjects_by_index ON subjects(tenant_id, kind, lookup_index);

            CREATE TABLE users (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                email_sealed BLOB NOT NULL,
                email_index BLOB NOT NULL,
                display_name_sealed BLOB,
                password_hash TEXT,
                role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'viewer', 'technician')),
                created_at INTEGER NOT NULL,
                disabled_at INTEGER,
                UNIQUE (tenant_id, id),
                UNIQUE (tenant_id, email_index)
            ) STRICT;

            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                user_id TEXT,
                lookup_prefix TEXT NOT NULL UNIQUE,
                key_hash TEXT NOT NULL,
                label_sealed BLOB,
                created_at INTEGER NOT NULL,
                last_used_at INTEGER,
                revoked_at INTEGER,
                FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id)
            ) STRICT;

            CREATE TABLE sessions (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                user_id TEXT NOT NULL,
                token_hash BLOB NOT NULL UNIQUE,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                revoked_at INTEGER,
                FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id)
            ) STRICT;

            CREATE TABLE objects (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                key_id TEXT REFERENCES wrapped_keys(id) ON DELETE SET NULL,
                state TEXT NOT NULL CHECK (state IN ('writing', 'complete', 'cut')),
                byte_count INTEGER NOT NULL DEFAULT 0,
                chunk_count INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,
                completed_at INTEGER,
                UNIQUE (tenant_id, id)
            ) STRICT;

            CREATE TABLE mailboxes (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                number_sealed BLOB,
                number_index BLOB,
                sip_user_sealed BLOB,
                sip_user_index BLOB,
                display_name_sealed BLOB,
                language TEXT NOT NULL,
                pin_hash TEXT,
                max_message_seconds INTEGER NOT NULL DEFAULT 180 CHECK (max_message_seconds BETWEEN 5 AND 3600),
                max_messages INTEGER NOT NULL DEFAULT 100 CHECK (max_messages BETWEEN 1 AND 10000),
                recording_enabled INTEGER NOT NULL DEFAULT 1 CHECK (recording_enabled IN (0, 1)),
                consent_required INTEGER NOT NULL DEFAULT 1 CHECK (consent_required IN (0, 1)),
                greeting_id TEXT,
                created_at INTEGER NOT NULL,
                UNIQUE (tenant_id, id),
                UNIQUE (tenant_id, number_index),
                UNIQUE (tenant_id, sip_user_index)
            ) STRICT;

            CREATE TABLE greetings (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                mailbox_id TEXT NOT NULL,
                object_id TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                UNIQUE (tenant_id, id),
                FOREIGN KEY (tenant_id, mailbox_id) REFERENCES mailboxes(tenant_id, id) ON DELETE CASCADE,
                FOREIGN KEY (tenant_id, object_id) REFERENCES objects(tenant_id, id)
            ) STRICT;

            CREATE TABLE calls (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                mailbox_id TEXT,
                subject_id TEXT,
                direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
                started_at INTEGER NOT NULL,
                ended_at INTEGER,
                duration_ms INTEGER CHECK (duration_ms >= 0),
                counterparty_sealed BLOB,
                counterparty_index BLOB,
                outcome TEXT NOT NULL CHECK (outcome IN ('in_progress', 'recorded', 'no_message', 'declined_consent', 'mailbox_full', 'rejected', 'failed')),
                UNIQUE (tenant_id, id),
                FOREIGN KEY (tenant_id, mailbox_id) REFERENCES mailboxes(tenant_id, id),
                FOREIGN KEY (tenant_id, subject_id) REFERENCES subjects(tenant_id, id)
            ) STRICT;
            CREATE INDEX calls_by_counterparty ON calls(tenant_id, counterparty_index);
            CREATE INDEX calls_by_start ON calls(tenant_id, started_at);

            CREATE TABLE voicemails (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                mailbox_id TEXT NOT NULL,
                call_id TEXT NOT NULL,
                duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
                codec TEXT NOT NULL CHECK (codec IN ('opus')),
                object_id TEXT,
                state TEXT NOT NULL CHECK (state IN ('active', 'soft_deleted', 'purged')),
                heard INTEGER NOT NULL DEFAULT 0 CHECK (heard IN (0, 1)),
                created_at INTEGER NOT NULL,
                soft_deleted_at INTEGER,
                UNIQUE (tenant_id, id),
                FOREIGN KEY (tenant_id, mailbox_id) REFERENCES mailboxes(tenant_id, id),
                FOREIGN KEY (tenant_id, call_id) REFERENCES calls(tenant_id, id),
                FOREIGN KEY (tenant_id, object_id) REFERENCES objects(tenant_id, id)
            ) STRICT;
            CREATE INDEX voicemails_by_mailbox ON voicemails(tenant_id, mailbox_id, state);

            CREATE TABLE consents (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                call_id TEXT NOT NULL,
                consent_type TEXT NOT NULL CHECK (consent_type IN ('prior_express', 'declined', 'not_required')),
                language TEXT NOT NULL,
                prompt_version TEXT NOT NULL,
                at INTEGER NOT NULL,
                FOREIGN KEY (tenant_id, call_id) REFERENCES calls(tenant_id, id) ON DELETE CASCADE
            ) STRICT;

            CREATE TABLE retention_policies (
                tenant_id TEXT PRIMARY KEY NOT NULL REFERENCES tenants(id),
                voicemail_days INTEGER NOT NULL DEFAULT 90,
                transcript_days INTEGER NOT NULL DEFAULT 90,
                call_metadata_days INTEGER NOT NULL DEFAULT 365,
                soft_deleted_days INTEGER NOT NULL DEFAULT 30,
                revoked_session_days INTEGER NOT NULL DEFAULT 90,
                delivery_log_days INTEGER NOT NULL DEFAULT 30,
                backup_days INTEGER NOT NULL DEFAULT 30,
                updated_at INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE deletion_requests (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                subject_id TEXT NOT NULL,
                requested_at INTEGER NOT NULL,
                soft_deleted_at INTEGER,
                hard_delete_due_at INTEGER NOT NULL,
                completed_at INTEGER,
                state TEXT NOT NULL CHECK (state IN ('pending', 'soft_deleted', 'completed'))
            ) STRICT;

            CREATE TABLE incidents (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
                summary_sealed BLOB NOT NULL,
                opened_at INTEGER NOT NULL,
                notified_at INTEGER,
                closed_at INTEGER
            ) STRICT;

            CREATE TABLE subprocessors (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                name TEXT NOT NULL,
                purpose TEXT NOT NULL,
                region TEXT NOT NULL,
                go_live_at INTEGER NOT NULL,
                notice_at INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE outbox (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                kind TEXT NOT NULL,
                reference_id TEXT NOT NULL,
                destination TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'abandoned')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                delivered_at INTEGER
            ) STRICT;
            CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

            CREATE TABLE delivery_log (
                id INTEGER PRIMARY KEY,
                outbox_id TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                at INTEGER NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'refused', 'failed')),
                status_code INTEGER
            ) STRICT;

            -- Append-only: see the triggers below. hash = SHA-256(prev_hash ‖
            -- canonical encoding of the row's other columns).
            CREATE TABLE audit_log (
                seq INTEGER PRIMARY KEY NOT NULL,
                at INTEGER NOT NULL,
                tenant_id TEXT,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                subject_id TEXT,
                details_key_id TEXT,
                details_sealed BLOB,
                prev_hash BLOB NOT NULL,
                hash BLOB NOT NULL
            ) STRICT;
            CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END;
            CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
            BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be deleted'); END;
            """)
        for table in tenantOwnedTables {
            try fixTenant(of: table, in: db)
        }
    }

    /// Refuses any change of a row's `tenant_id`.
    static func fixTenant(of table: String, in db: Database) throws {
        try db.execute(sql: """
            CREATE TRIGGER \(table)_tenant_fixed BEFORE UPDATE OF tenant_id ON \(table)
            WHEN NEW.tenant_id IS NOT OLD.tenant_id
            BEGIN SELECT RAISE(ABORT, '\(table).tenant_id cannot change: rows never move between tenants'); END;
            """)
    }

    /// A message deleted before it was delivered closes its entries as
    /// `withdrawn`: not delivered, and not waiting for a person either. SQLite
    /// cannot change a CHECK in place, so both tables are rebuilt (rows kept).
    private static func addWithdrawnOutboxState(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE outbox_v2 (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                kind TEXT NOT NULL,
                reference_id TEXT NOT NULL,
                destination TEXT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('pending', 'delivering', 'delivered', 'abandoned', 'withdrawn')),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                delivered_at INTEGER
            ) STRICT;
            INSERT INTO outbox_v2 SELECT id, tenant_id, kind, reference_id, destination, state, attempts, next_attempt_at, created_at, delivered_at FROM outbox;
            DROP TABLE outbox;
            ALTER TABLE outbox_v2 RENAME TO outbox;
            CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

            CREATE TABLE delivery_log_v2 (
                id INTEGER PRIMARY KEY,
                outbox_id TEXT NOT NULL,
                attempt INTEGER NOT NULL,
                at INTEGER NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'retry', 'refused', 'failed', 'withdrawn')),
                status_code INTEGER
            ) STRICT;
            INSERT INTO delivery_log_v2 SELECT id, outbox_id, attempt, at, outcome, status_code FROM delivery_log;
            DROP TABLE delivery_log;
            ALTER TABLE delivery_log_v2 RENAME TO delivery_log;
            """)
        try fixTenant(of: "outbox", in: db)
    }
}
