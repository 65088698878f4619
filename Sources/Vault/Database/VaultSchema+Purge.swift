import GRDB

extension VaultSchema {
    /// The retention purge's bookkeeping, so that a run cut off by a crash or a
    /// shutdown resumes with the same reference time and its counts so far:
    ///
    /// - `purge_runs`: one row per run and organisation; at most one open.
    /// - `purge_counts`: what a run removed, per kind, added in the same
    ///   transaction as the removal itself.
    /// - `object_file_removals`: object files whose rows and keys are gone but
    ///   whose files may still be on disk; written with the deletion, cleared
    ///   once the file is unlinked, so a crash in between leaves a note, not a file.
    /// - `backups`: the copies `hushbox backup` wrote, with the file's identity,
    ///   so the purge removes that file after the backup period and nothing else
    ///   that later took its name.
    static func addPurgeBookkeeping(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE purge_runs (
                id TEXT PRIMARY KEY NOT NULL,
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                reference_at INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                completed_at INTEGER,
                actor TEXT NOT NULL,
                UNIQUE (tenant_id, id)
            ) STRICT;
            CREATE UNIQUE INDEX purge_runs_one_open ON purge_runs(tenant_id) WHERE completed_at IS NULL;
            CREATE INDEX purge_runs_by_completion ON purge_runs(tenant_id, completed_at);

            CREATE TABLE purge_counts (
                tenant_id TEXT NOT NULL,
                run_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                removed INTEGER NOT NULL CHECK (removed >= 0),
                PRIMARY KEY (run_id, kind),
                FOREIGN KEY (tenant_id, run_id) REFERENCES purge_runs(tenant_id, id)
            ) STRICT;

            CREATE TABLE object_file_removals (
                tenant_id TEXT NOT NULL REFERENCES tenants(id),
                object_id TEXT NOT NULL,
                PRIMARY KEY (tenant_id, object_id)
            ) STRICT;

            CREATE TABLE backups (
                id TEXT PRIMARY KEY NOT NULL,
                path TEXT NOT NULL,
                device INTEGER NOT NULL,
                inode INTEGER NOT NULL,
                size INTEGER NOT NULL,
                modified_ns INTEGER NOT NULL,
                created_at INTEGER NOT NULL,
                removed_at INTEGER
            ) STRICT;
            CREATE INDEX calls_by_subject ON calls(tenant_id, subject_id);
            CREATE INDEX voicemails_by_call ON voicemails(tenant_id, call_id);
            CREATE INDEX delivery_log_by_entry ON delivery_log(outbox_id);
            CREATE INDEX outbox_by_reference ON outbox(tenant_id, reference_id);
            """)
        for table in ["purge_runs", "purge_counts", "object_file_removals"] {
            try fixTenant(of: table, in: db)
        }
    }
}

extension VaultSchema {
    /// An erasure under way remembers whom it is about by blind index (a
    /// caller's number is detached from their subject when it starts), until
    /// its hard delete clears it.
    static func addErasureLookup(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE deletion_requests ADD COLUMN subject_kind TEXT CHECK (subject_kind IN ('caller', 'user'));
            ALTER TABLE deletion_requests ADD COLUMN lookup_index BLOB;
            CREATE INDEX deletion_requests_by_lookup ON deletion_requests(tenant_id, subject_kind, lookup_index);
            """)
    }
}

