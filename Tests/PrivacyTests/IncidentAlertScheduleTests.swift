import Foundation
import Privacy
import Testing
import Vault

/// When hushboxd reminds the organisation of an incident not yet notified, on
/// virtual wall time checked each minute as the service does.
@Suite("Incident alert schedule")
struct IncidentAlertScheduleTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    func incident(awareHoursBefore hours: Double, severity: Incident.Severity = .high) -> AwaitingIncident {
        AwaitingIncident(id: "i-\(hours)", severity: severity, awareSince: start.addingTimeInterval(-hours * 3600))
    }

    /// Minute-by-minute checks over `minutes`, returning each alert's minute and urgency.
    func walk(
        _ schedule: inout IncidentAlertSchedule, _ incidents: [AwaitingIncident], minutes: ClosedRange<Int>
    ) -> [(minute: Int, urgency: IncidentAlert.Urgency)] {
        var seen: [(Int, IncidentAlert.Urgency)] = []
        for minute in minutes {
            let now = start.addingTimeInterval(TimeInterval(minute * 60))
            for alert in schedule.alerts(for: incidents.map { ("t1", $0) }, at: now) {
                seen.append((minute, alert.urgency))
            }
        }
        return seen
    }

    @Test("Alerted when first seen, then every 30 minutes, never in between")
    func everyHalfHour() {
        var schedule = IncidentAlertSchedule()
        let alerts = walk(&schedule, [incident(awareHoursBefore: 1)], minutes: 0...120)
        #expect(alerts.map(\.minute) == [0, 30, 60, 90, 120])
        #expect(alerts.allSatisfy { $0.urgency == .pending })
    }

    @Test("Once less than 12 hours remain an urgent alert comes at once, out of the half-hour rhythm; past the deadline an overdue one")
    func escalation() {
        var schedule = IncidentAlertSchedule()
        // Aware 59 h 50 min before: 12 h 10 min left at minute 0, exactly 12 h at minute 10 (not yet less).
        let incident = incident(awareHoursBefore: 59 + 50.0 / 60)
        let first = walk(&schedule, [incident], minutes: 0...45)
        #expect(first.map(\.minute) == [0, 11, 41])
        #expect(first.map(\.urgency) == [.pending, .urgent, .urgent])

        let deadlineMinute = 12 * 60 + 10
        let last = walk(&schedule, [incident], minutes: (deadlineMinute - 20)...(deadlineMinute + 30))
        // Long since the last (minute 41): alerted at once; then as the deadline passes, not 30 minutes after the one before.
        #expect(last.map(\.minute) == [deadlineMinute - 20, deadlineMinute + 1])
        #expect(last.map(\.urgency) == [.urgent, .overdue])
        let alert = schedule.alerts(for: [("t1", incident)], at: start.addingTimeInterval(TimeInterval((deadlineMinute + 61) * 60)))
        #expect(alert.first?.secondsRemaining == -3660, "an hour and a minute late")
        #expect(alert.first?.deadline == incident.awareSince.addingTimeInterval(72 * 3600))
    }

    @Test("An incident no longer awaiting notification is forgotten; each open one keeps its own rhythm")
    func forgetsNotified() {
        var schedule = IncidentAlertSchedule()
        let first = incident(awareHoursBefore: 2)
        let second = incident(awareHoursBefore: 3)
        #expect(schedule.alerts(for: [("t1", first), ("t2", second)], at: start).map(\.tenantID) == ["t1", "t2"])
        let later = start.addingTimeInterval(30 * 60)
        // The second was notified: the register no longer lists it.
        #expect(schedule.alerts(for: [("t1", first)], at: later).map(\.incidentID) == [first.id])
        #expect(schedule.alerts(for: [], at: later.addingTimeInterval(30 * 60)).isEmpty)
        // Forgotten once gone: listed again, it is alerted at once.
        #expect(schedule.alerts(for: [("t1", first)], at: later.addingTimeInterval(31 * 60)).count == 1)
    }

    @Test("A wall clock set far back (NTP syncing a box without a real-time clock) does not silence the alerts; a small correction does not repeat one")
    func clockSetBack() {
        var schedule = IncidentAlertSchedule()
        let incident = incident(awareHoursBefore: 1)
        #expect(schedule.alerts(for: [("t1", incident)], at: start).count == 1)
        #expect(schedule.alerts(for: [("t1", incident)], at: start.addingTimeInterval(-2)).isEmpty, "two seconds back: no repeat")
        #expect(schedule.alerts(for: [("t1", incident)], at: start.addingTimeInterval(30 * 60)).count == 1, "the rhythm holds")
        #expect(schedule.alerts(for: [("t1", incident)], at: start.addingTimeInterval(-3 * 3600)).count == 1, "three hours back: at once")
        #expect(schedule.alerts(for: [("t1", incident)], at: start.addingTimeInterval(-3 * 3600 + 60)).isEmpty)
    }
}
