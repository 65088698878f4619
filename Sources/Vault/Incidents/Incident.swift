public import Foundation

/// A personal-data breach, or a suspected one, as the organisation records it
/// (GDPR Art. 33(5)): what happened, how grave, when they became aware, when
/// the supervisory authority was told, and when it was closed.
public struct Incident: Sendable, Hashable {
    public enum Severity: String, Sendable, Hashable, CaseIterable {
        case low, medium, high, critical
    }

    /// The supervisory authority must be told within 72 hours of the
    /// organisation becoming aware of a breach (Art. 33(1)).
    public static let notificationWindow: TimeInterval = 72 * 3600

    public let id: String
    public var severity: Severity
    /// What happened and what is being done; it names no person.
    public var summary: String
    /// When the organisation became aware of it: the 72 hours run from here.
    public var openedAt: Date
    /// When the supervisory authority was notified.
    public var notifiedAt: Date?
    public var closedAt: Date?

    public init(id: String, severity: Severity, summary: String, openedAt: Date, notifiedAt: Date? = nil, closedAt: Date? = nil) {
        self.id = id
        self.severity = severity
        self.summary = summary
        self.openedAt = openedAt
        self.notifiedAt = notifiedAt
        self.closedAt = closedAt
    }

    /// When the notification is due.
    public var notificationDeadline: Date { openedAt.addingTimeInterval(Self.notificationWindow) }

    /// Open and the authority not yet told: what hushboxd keeps alerting on.
    public var awaitsNotification: Bool { notifiedAt == nil && closedAt == nil }
}
