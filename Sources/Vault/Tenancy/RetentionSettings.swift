import GRDB

/// An organisation's retention periods as the `retention_policies` row holds
/// them, in days. Which periods are allowed is the Privacy target's rule; the
/// vault stores what it is given. An organisation without a row has the defaults
/// the schema declares.
public struct RetentionSettings: Sendable, Hashable {
    public var voicemailDays = 90
    public var transcriptDays = 90
    public var callMetadataDays = 365
    public var softDeletedDays = 30
    public var revokedSessionDays = 90
    public var deliveryLogDays = 30
    public var backupDays = 30

    public init() {}
}

extension TenantVault {
    public func retentionSettings() throws(VaultError) -> RetentionSettings {
        try read("reading the retention periods") { db, _ throws(VaultError) in
            try VaultError.guarding("reading the retention periods") {
                var settings = RetentionSettings()
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT voicemail_days, transcript_days, call_metadata_days, soft_deleted_days, revoked_session_days, delivery_log_days, backup_days
                            FROM retention_policies WHERE tenant_id = ?
                            """,
                        arguments: [tenantID]
                    )
                else { return settings }
                settings.voicemailDays = row[0]
                settings.transcriptDays = row[1]
                settings.callMetadataDays = row[2]
                settings.softDeletedDays = row[3]
                settings.revokedSessionDays = row[4]
                settings.deliveryLogDays = row[5]
                settings.backupDays = row[6]
                return settings
            }
        }
    }

    public func storeRetentionSettings(_ settings: RetentionSettings) throws(VaultError) {
        let now = timestamp()
        try write("storing the retention periods") { db, _ throws(VaultError) in
            try VaultError.guarding("storing the retention periods") {
                try db.execute(
                    sql: """
                        INSERT INTO retention_policies
                            (tenant_id, voicemail_days, transcript_days, call_metadata_days, soft_deleted_days, revoked_session_days, delivery_log_days, backup_days, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT (tenant_id) DO UPDATE SET
                            voicemail_days = excluded.voicemail_days, transcript_days = excluded.transcript_days,
                            call_metadata_days = excluded.call_metadata_days, soft_deleted_days = excluded.soft_deleted_days,
                            revoked_session_days = excluded.revoked_session_days, delivery_log_days = excluded.delivery_log_days,
                            backup_days = excluded.backup_days, updated_at = excluded.updated_at
                        """,
                    arguments: [
                        tenantID, settings.voicemailDays, settings.transcriptDays, settings.callMetadataDays, settings.softDeletedDays,
                        settings.revokedSessionDays, settings.deliveryLogDays, settings.backupDays, now,
                    ]
                )
            }
        }
    }
}
