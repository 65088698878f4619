import Foundation
import Privacy
import Testing
import Vault

/// When hushboxd reminds the organisation of an incident not yet notified, on
/// virtual wall time checked each minute as the service does.
@Suite("Incident alert schedule")
struct IncidentAlertScheduleTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    func incident(openedHoursBefore hours: Double, severity: Incident.Severity = .high) -> Incident {
        Incident(id: "i-\(hours)", severity: severity, summary: "sealed elsewhere", openedAt: start.addingTimeInterval(-hours * 3600))
    }

    /// Minute-by-minute checks over `minutes`, returning each alert's minute and urgency.
    func walk(_ schedule: inout IncidentAlertSchedule, _ incidents: [Incident], minutes: ClosedRange<Int>) -> [(minute: Int, urgency: IncidentAlert.Urgency)] {
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
        let alerts = walk(&schedule, [incident(openedHoursBefore: 1)], minutes: 0...120)
        #expect(alerts.map(\.minute) == [0, 30, 60, 90, 120])
        #expect(alerts.allSatisfy { $0.urgency == .pending })
    }

    @Test("At 12 hours left an urgent alert comes at once, out of the half-hour rhythm; at the deadline an overdue one")
    func escalation() {
        var schedule = IncidentAlertSchedule()
        // Opened 59 h 50 min before: 12 h 10 min left at minute 0, 12 h left at minute 10.
        let incident = incident(openedHoursBefore: 59 + 50.0 / 60)
        let first = walk(&schedule, [incident], minutes: 0...45)
        #expect(first.map(\.minute) == [0, 10, 40])
        #expect(first.map(\.urgency) == [.pending, .urgent, .urgent])

        let deadlineMinute = 12 * 60 + 10
        let last = walk(&schedule, [incident], minutes: (deadlineMinute - 20)...(deadlineMinute + 30))
        // Long since the last (minute 40): alerted at once; then at the deadline's passing, not 30 minutes after the one before.
        #expect(last.map(\.minute) == [deadlineMinute - 20, deadlineMinute + 1])
        #expect(last.map(\.urgency) == [.urgent, .overdue])
        let alert = schedule.alerts(for: [("t1", incident)], at: start.addingTimeInterval(TimeInterval((deadlineMinute + 61) * 60)))
        #expect(alert.first?.secondsRemaining == -3660, "an hour and a minute late")
    }

    @Test("A notified or closed incident is alerted no more; each open one keeps its own rhythm")
    func stopsWhenNotified() {
        var schedule = IncidentAlertSchedule()
        let first = incident(openedHoursBefore: 2)
        var second = incident(openedHoursBefore: 3)
        #expect(schedule.alerts(for: [("t1", first), ("t2", second)], at: start).map(\.tenantID) == ["t1", "t2"])
        second.notifiedAt = start.addingTimeInterval(60)
        let later = start.addingTimeInterval(30 * 60)
        #expect(schedule.alerts(for: [("t1", first), ("t2", second)], at: later).map(\.incidentID) == [first.id])
        #expect(schedule.alerts(for: [], at: later.addingTimeInterval(30 * 60)).isEmpty)
        // Forgotten once gone: if it came back (an undo in a later version), it is alerted at once.
        #expect(schedule.alerts(for: [("t1", first)], at: later.addingTimeInterval(31 * 60)).count == 1)
    }

    @Test("A wall clock set back (NTP syncing a box without a real-time clock) does not silence the alerts")
    func clockSetBack() {
        var schedule = IncidentAlertSchedule()
        let incident = incident(openedHoursBefore: 1)
        #expect(schedule.alerts(for: [("t1", incident)], at: start).count == 1)
        #expect(schedule.alerts(for: [("t1", incident)], at: start.addingTimeInterval(-3 * 3600)).count == 1)
        #expect(schedule.alerts(for: [("t1", incident)], at: start.addingTimeInterval(-3 * 3600 + 60)).isEmpty)
    }
}
