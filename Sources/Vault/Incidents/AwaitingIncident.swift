public import Foundation

/// An open incident the supervisory authority has not been told of, as the
/// reminders need it: read without opening its summary, so a reminder never
/// depends on (or handles) the sealed text.
public struct AwaitingIncident: Sendable, Hashable {
    public let id: String
    public let severity: Incident.Severity
    public let awareSince: Date

    public init(id: String, severity: Incident.Severity, awareSince: Date) {
        self.id = id
        self.severity = severity
        self.awareSince = awareSince
    }

    public var notificationDeadline: Date { awareSince.addingTimeInterval(Incident.notificationWindow) }
}
