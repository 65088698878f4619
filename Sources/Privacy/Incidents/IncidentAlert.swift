public import Foundation
public import Vault

/// One reminder that an incident still awaits its notification to the
/// supervisory authority. It carries no summary: alerts travel through logs
/// and webhooks, which must not spread what the register keeps sealed.
public struct IncidentAlert: Sendable, Hashable {
    /// How close the 72-hour deadline is.
    public enum Urgency: Sendable, Hashable {
        /// More than 12 hours left.
        case pending
        /// Less than 12 hours left.
        case urgent
        /// The deadline has passed.
        case overdue

        public var name: String {
            switch self {
            case .pending: "pending"
            case .urgent: "urgent"
            case .overdue: "overdue"
            }
        }
    }

    public let tenantID: String
    public let incidentID: String
    public let severity: Incident.Severity
    /// When the organisation became aware of it: the 72 hours run from here.
    public let awareSince: Date
    public let deadline: Date
    /// Seconds to the deadline at the alert; negative once it has passed.
    public let secondsRemaining: TimeInterval
    public let urgency: Urgency
}
