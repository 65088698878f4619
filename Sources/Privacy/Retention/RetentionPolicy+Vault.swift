public import Vault

extension RetentionPolicy {
    /// The policy an organisation's stored periods describe.
    public init(_ stored: RetentionSettings) {
        self.init()
        let pairs: [(RetentionCategory, Int)] = [
            (.voicemailAudio, stored.voicemailDays), (.transcripts, stored.transcriptDays), (.callMetadata, stored.callMetadataDays),
            (.softDeleted, stored.softDeletedDays), (.revokedSessions, stored.revokedSessionDays), (.deliveryLogs, stored.deliveryLogDays),
            (.backups, stored.backupDays),
        ]
        for (category, value) in pairs { days[category] = value }
    }

    /// The periods as the vault stores them.
    public var stored: RetentionSettings {
        var settings = RetentionSettings()
        settings.voicemailDays = self[.voicemailAudio]
        settings.transcriptDays = self[.transcripts]
        settings.callMetadataDays = self[.callMetadata]
        settings.softDeletedDays = self[.softDeleted]
        settings.revokedSessionDays = self[.revokedSessions]
        settings.deliveryLogDays = self[.deliveryLogs]
        settings.backupDays = self[.backups]
        return settings
    }
}
