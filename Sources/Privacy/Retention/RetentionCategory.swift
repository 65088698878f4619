/// What the box keeps for a limited time, each with the period the product
/// promises by default and the periods an organisation may choose instead.
/// The audit log is not here: it is kept indefinitely, and what identifies a
/// person in it is crypto-shredded when their data is hard-deleted.
public enum RetentionCategory: String, CaseIterable, Sendable, Hashable {
    case voicemailAudio = "voicemail_audio"
    case transcripts
    case callMetadata = "call_metadata"
    /// Soft-deleted data, before its hard delete.
    case softDeleted = "soft_deleted"
    case revokedSessions = "revoked_sessions"
    case deliveryLogs = "delivery_logs"
    case backups

    /// The periods, in days, an organisation may set.
    public enum AllowedDays: Sendable, Hashable {
        case oneOf([Int])
        case range(ClosedRange<Int>)
        /// Not a choice: the product's promise.
        case fixed(Int)

        public func allows(_ days: Int) -> Bool {
            switch self {
            case .oneOf(let choices): choices.contains(days)
            case .range(let range): range.contains(days)
            case .fixed(let only): days == only
            }
        }

        /// As a person reads it: "30, 90, 180 or 365", "7 to 365", "30 (fixed)".
        public var description: String {
            switch self {
            case .oneOf(let choices):
                choices.dropLast().map(String.init).joined(separator: ", ") + (choices.count > 1 ? " or " : "") + (choices.last.map(String.init) ?? "")
            case .range(let range): "\(range.lowerBound) to \(range.upperBound)"
            case .fixed(let only): "\(only) (fixed)"
            }
        }
    }

    public var defaultDays: Int {
        switch self {
        case .voicemailAudio, .transcripts, .revokedSessions: 90
        case .callMetadata: 365
        case .softDeleted, .deliveryLogs, .backups: 30
        }
    }

    public var allowedDays: AllowedDays {
        switch self {
        case .voicemailAudio, .callMetadata: .oneOf([30, 90, 180, 365])
        case .transcripts: .range(7...365)
        case .softDeleted, .revokedSessions, .deliveryLogs, .backups: .fixed(defaultDays)
        }
    }
}
