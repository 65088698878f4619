public import Foundation
public import Vault

/// When to remind the organisation of incidents awaiting notification: at
/// once when one is first seen, then every 30 minutes, and at once again when
/// less than 12 hours remain and when the deadline passes. A value driven by
/// the caller's wall time, so a test walks days of it without sleeping.
public struct IncidentAlertSchedule: Sendable {
    public static let interval: TimeInterval = 30 * 60
    /// Less than this left before the deadline makes an alert urgent.
    public static let urgentWithin: TimeInterval = 12 * 3600

    private struct Sent: Sendable {
        let at: Date
        let urgency: IncidentAlert.Urgency
    }

    /// The last alert per incident id.
    private var sent: [String: Sent] = [:]

    public init() {}

    static func urgency(of incident: AwaitingIncident, at now: Date) -> IncidentAlert.Urgency {
        let remaining = incident.notificationDeadline.timeIntervalSince(now)
        if remaining < 0 { return .overdue }
        return remaining < urgentWithin ? .urgent : .pending
    }

    /// The alerts due at `now` for the incidents that await notification
    /// (`(organisation, incident)`); incidents no longer listed are forgotten.
    public mutating func alerts(for awaiting: [(tenantID: String, incident: AwaitingIncident)], at now: Date) -> [IncidentAlert] {
        let listed = Set(awaiting.map(\.incident.id))
        sent = sent.filter { listed.contains($0.key) }
        var due: [IncidentAlert] = []
        for (tenantID, incident) in awaiting {
            let urgency = Self.urgency(of: incident, at: now)
            if let last = sent[incident.id], urgency == last.urgency {
                let elapsed = now.timeIntervalSince(last.at)
                // A wall clock set back far (NTP on a box without RTC) must not
                // silence alerts for hours; a small correction must not repeat one.
                let setFarBack = elapsed < -Self.interval
                if !setFarBack && elapsed < Self.interval { continue }
            }
            sent[incident.id] = Sent(at: now, urgency: urgency)
            due.append(
                IncidentAlert(
                    tenantID: tenantID, incidentID: incident.id, severity: incident.severity, awareSince: incident.awareSince,
                    deadline: incident.notificationDeadline, secondsRemaining: incident.notificationDeadline.timeIntervalSince(now), urgency: urgency
                )
            )
        }
        return due
    }
}
