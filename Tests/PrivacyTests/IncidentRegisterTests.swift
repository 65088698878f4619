import Foundation
import HushboxTestSupport
import Testing
import Vault

/// The incident register: what a data-protection officer records, and the rules that keep it honest.
@Suite("Incident register")
struct IncidentRegisterTests {
    @Test("An incident is opened with its 72-hour deadline, updated, notified and closed; each step is audited without the summary, which is sealed on disk")
    func lifecycle() throws {
        let box = try PurgeFixture()
        let summary = "Backup USB stick left in the waiting room, found after two hours"
        let opened = try box.tenant.openIncident(severity: .medium, summary: summary, awareSince: box.day(-0.25), actor: "owner")
        #expect(opened.notificationDeadline == box.day(2.75))
        #expect(opened.awaitsNotification)
        #expect(try box.filesContaining(Data("left in the waiting room".utf8)).isEmpty, "the summary is sealed")

        box.time.set(box.day(1))
        let raised = try box.tenant.updateIncident(opened.id, severity: .high, summary: summary + "; the stick was encrypted", actor: "dpo")
        #expect(raised.severity == .high && raised.summary.hasSuffix("encrypted"))
        #expect(try box.tenant.incident(opened.id) == raised)

        let notified = try box.tenant.recordIncidentNotification(opened.id, at: box.day(0.9), actor: "dpo")
        #expect(notified.notifiedAt == box.day(0.9) && !notified.awaitsNotification)
        #expect(try box.tenant.incidents().map(\.id) == [opened.id], "still open until closed")

        let closed = try box.tenant.closeIncident(opened.id, actor: "dpo")
        #expect(closed.closedAt == box.day(1))
        #expect(try box.tenant.incidents().isEmpty)
        #expect(try box.tenant.incidents(includingClosed: true) == [closed])

        let entries = try box.tenant.auditEntries().filter { $0.action.hasPrefix("incident.") }
        #expect(entries.map(\.action) == ["incident.opened", "incident.updated", "incident.notified", "incident.closed"])
        for entry in entries {
            guard case .readable(let details) = entry.details else {
                Issue.record("\(entry.action) does not open")
                continue
            }
            #expect(details["incident_id"] == opened.id)
            #expect(!details.values.contains { $0.contains("USB") }, "no summary in \(entry.action)")
        }
        if case .intact = try box.vault.verifyAuditChain() {} else { Issue.record("the register broke the audit chain") }
    }

    @Test("Refused, with nothing changed: a time in the future, an empty summary, an empty update, a notice before the incident or given twice, closing unnotified without saying so, and any change once closed")
    func refusals() throws {
        let box = try PurgeFixture()
        #expect(throws: VaultError.self) { try box.tenant.openIncident(severity: .low, summary: "x", awareSince: box.day(1), actor: "owner") }
        #expect(throws: VaultError.self) { try box.tenant.openIncident(severity: .low, summary: "  \n", actor: "owner") }
        #expect(throws: VaultError.self) {
            try box.tenant.openIncident(severity: .low, summary: String(repeating: "x", count: TenantVault.incidentSummaryLimit + 1), actor: "owner")
        }
        let incident = try box.tenant.openIncident(severity: .low, summary: "Phishing mail opened at reception", awareSince: box.day(-1), actor: "owner")
        #expect(throws: VaultError.self) { try box.tenant.updateIncident(incident.id, actor: "owner") }
        #expect(throws: VaultError.self) { try box.tenant.updateIncident(incident.id, awareSince: box.day(0.5), actor: "owner") }
        #expect(throws: VaultError.self) { try box.tenant.recordIncidentNotification(incident.id, at: box.day(-2), actor: "owner") }
        #expect(throws: VaultError.self) { try box.tenant.recordIncidentNotification(incident.id, at: box.day(1), actor: "owner") }
        #expect(throws: VaultError.self) { try box.tenant.closeIncident(incident.id, actor: "owner") }
        #expect(try box.tenant.incident(incident.id) == incident, "nothing changed")

        #expect(throws: VaultError.self, "closing without notification needs the reason") {
            try box.tenant.closeIncident(incident.id, withoutNotification: true, actor: "owner")
        }
        let closed = try box.tenant.closeIncident(
            incident.id, withoutNotification: true, reason: "the mail held no personal data; the link was never opened", actor: "owner"
        )
        #expect(closed.notifiedAt == nil && closed.closedAt != nil)
        #expect(throws: VaultError.self) { try box.tenant.updateIncident(incident.id, severity: .high, actor: "owner") }
        #expect(throws: VaultError.self) { try box.tenant.recordIncidentNotification(incident.id, actor: "owner") }
        #expect(throws: VaultError.self) { try box.tenant.closeIncident(incident.id, actor: "owner") }
        #expect(throws: VaultError.self) { try box.tenant.incident("no-such-incident") }
        let closing = try box.tenant.auditEntries().last { $0.action == "incident.closed" }
        if case .readable(let details) = closing?.details {
            #expect(details["notified"] == "no" && details["reason"]?.hasPrefix("the mail held") == true, "the decision not to notify is on record")
        } else {
            Issue.record("no readable incident.closed entry")
        }

        let second = try box.tenant.openIncident(severity: .critical, summary: "Ransomware on the practice PC", actor: "owner")
        _ = try box.tenant.recordIncidentNotification(second.id, actor: "owner")
        #expect(throws: VaultError.self) { try box.tenant.recordIncidentNotification(second.id, actor: "owner") }
    }

    @Test("A corrected aware-since time moves the deadline and is audited with the old one; a notification after the 72 hours needs the reasons for the delay, which the audit entry keeps")
    func lateNotification() throws {
        let box = try PurgeFixture()
        let incident = try box.tenant.openIncident(severity: .high, summary: "Server room door found open", actor: "dpo")
        #expect(incident.notificationDeadline == box.day(3))
        box.time.set(box.day(1))
        // The caretaker had seen it two days before.
        let corrected = try box.tenant.updateIncident(incident.id, awareSince: box.day(-2), actor: "dpo")
        #expect(corrected.notificationDeadline == box.day(1) && corrected.summary == incident.summary)
        #expect(try box.tenant.incidentsAwaitingNotification().map(\.notificationDeadline) == [box.day(1)])

        box.time.set(box.day(1.5))
        #expect(throws: VaultError.self) { try box.tenant.recordIncidentNotification(incident.id, actor: "dpo") }
        #expect(throws: VaultError.self) { try box.tenant.recordIncidentNotification(incident.id, reason: "  ", actor: "dpo") }
        #expect(try box.tenant.incident(incident.id).notifiedAt == nil, "nothing recorded without the reasons")
        _ = try box.tenant.recordIncidentNotification(incident.id, reason: "the caretaker reported it two days late", actor: "dpo")
        #expect(try box.tenant.incidentsAwaitingNotification().isEmpty)

        let entries = try box.tenant.auditEntries()
        guard case .readable(let update) = entries.last(where: { $0.action == "incident.updated" })?.details,
            case .readable(let notified) = entries.last(where: { $0.action == "incident.notified" })?.details
        else {
            Issue.record("the incident's audit entries do not open")
            return
        }
        #expect(update["previous_aware_since"] == ISO8601DateFormatter().string(from: box.day(0)))
        #expect(update["aware_since"] == ISO8601DateFormatter().string(from: box.day(-2)))
        #expect(notified["within_72_hours"] == "no" && notified["reason"] == "the caretaker reported it two days late")
    }

    @Test("Another organisation on the box sees none of the register")
    func tenantScoped() throws {
        let box = try PurgeFixture()
        let incident = try box.tenant.openIncident(severity: .high, summary: "Laptop stolen", actor: "owner")
        let other = try box.vault.createTenant(name: "Kanzlei")
        #expect(try other.incidents(includingClosed: true).isEmpty)
        #expect(throws: VaultError.self) { try other.incident(incident.id) }
        #expect(throws: VaultError.self) { try other.closeIncident(incident.id, withoutNotification: true, reason: "x", actor: "owner") }
        #expect(try other.incidentsAwaitingNotification().isEmpty)
        #expect(try box.tenant.incidentsAwaitingNotification().map(\.id) == [incident.id])
    }
}
