public import Vault

extension ExpiredData {
    /// The retention period that decides when this kind of data expires.
    public var category: RetentionCategory {
        switch self {
        case .dueErasures, .softDeletedMessages: .softDeleted
        case .voicemailAudio: .voicemailAudio
        case .callRecords: .callMetadata
        case .endedSessions: .revokedSessions
        case .deliveryAttempts: .deliveryLogs
        }
    }
}
