import ArgumentParser
import Foundation
import HushboxService
import Vault

struct IncidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "The incident register: personal-data breaches, the 72 hours to notify the supervisory authority, and their closing.",
        discussion: """
            While an incident is open and not notified, hushboxd reminds you every 30 minutes (an error in the log, \
            hushbox_incidents_unnotified at /metrics and, when incidents.webhook_url is set, a signed webhook), and \
            critically once less than 12 hours remain. Summaries are sealed; describe what happened without naming people. \
            Every step is audited.
            """,
        subcommands: [Open.self, Update.self, Notify.self, Close.self, List.self]
    )

    struct Open: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record an incident; the 72 hours run from when the organisation became aware of it.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Option(help: ArgumentHelp("low, medium, high or critical.", valueName: "severity")) var severity: String
        @OptionGroup var summaryInput: SummaryInput
        @Option(help: ArgumentHelp("When the organisation became aware of it, if before now (ISO 8601, e.g. 2026-11-20T09:00:00Z).", valueName: "time"))
        var awareSince: String?

        func run() async throws {
            let since = try awareSince.map(IncidentCommand.time)
            let severity = try IncidentCommand.severity(self.severity)
            guard let summary = try summaryInput.text() else { throw CommandFailure.failed("say what happened: --summary TEXT or --summary-file PATH (- for standard input)") }
            let tenant = try await tenantOption.open(options)
            let incident: Incident
            do {
                incident = try tenant.openIncident(severity: severity, summary: summary, awareSince: since, actor: CommandActor.current)
            } catch {
                throw CommandFailure.failed("\(error)")
            }
            print("incident \(incident.id) opened (\(incident.severity.rawValue))")
            print("notify the supervisory authority by \(IncidentCommand.deadline(of: incident, now: Date())), then: hushbox incident notify \(incident.id)")
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an open incident's severity, summary or aware-since time (which moves the deadline).")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: ArgumentHelp("The incident's id.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("low, medium, high or critical.", valueName: "severity")) var severity: String?
        @OptionGroup var summaryInput: SummaryInput
        @Option(help: ArgumentHelp("The corrected time the organisation became aware of it (ISO 8601).", valueName: "time")) var awareSince: String?

        func run() async throws {
            let severity = try self.severity.map(IncidentCommand.severity)
            let since = try awareSince.map(IncidentCommand.time)
            let summary = try summaryInput.text()
            let tenant = try await tenantOption.open(options)
            do {
                let incident = try tenant.updateIncident(id, severity: severity, summary: summary, awareSince: since, actor: CommandActor.current)
                print("incident \(incident.id) updated (\(incident.severity.rawValue))")
                if since != nil, incident.notifiedAt == nil {
                    print("notify the supervisory authority by \(IncidentCommand.deadline(of: incident, now: Date()))")
                }
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct Notify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record that the supervisory authority was notified; the reminders stop.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: ArgumentHelp("The incident's id.", valueName: "id")) var id: String
        @Option(help: ArgumentHelp("When it was notified, if before now (ISO 8601).", valueName: "time")) var at: String?
        @Option(help: ArgumentHelp("The reasons for the delay, needed after the 72 hours (kept sealed in the audit log).", valueName: "text"))
        var reason: String?

        func run() async throws {
            let notifiedAt = try at.map(IncidentCommand.time)
            let tenant = try await tenantOption.open(options)
            do {
                let incident = try tenant.recordIncidentNotification(id, at: notifiedAt, reason: reason, actor: CommandActor.current)
                let late = (incident.notifiedAt ?? Date()) > incident.notificationDeadline
                print("incident \(incident.id): notification recorded" + (late ? ", after the 72-hour deadline, with the reasons for the delay" : ", within 72 hours"))
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct Close: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Close an incident; one never notified needs --without-notification and the reason.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: ArgumentHelp("The incident's id.", valueName: "id")) var id: String
        @Flag(help: "It was not notified: the breach is unlikely to result in a risk to people (Art. 33(1)). The decision is audited.")
        var withoutNotification = false
        @Option(help: ArgumentHelp("Why it is unlikely to put people at risk (with --without-notification; kept sealed in the audit log).", valueName: "text"))
        var reason: String?

        func run() async throws {
            if withoutNotification && reason == nil {
                throw CommandFailure.failed("--without-notification needs the reason the breach is unlikely to put people at risk: --reason TEXT")
            }
            let tenant = try await tenantOption.open(options)
            do {
                let incident = try tenant.closeIncident(id, withoutNotification: withoutNotification, reason: reason, actor: CommandActor.current)
                print("incident \(incident.id) closed" + (incident.notifiedAt == nil ? " without notification (recorded in the audit log)" : ""))
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Open incidents with their deadlines and summaries; --all adds closed ones.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Flag(help: "Closed incidents too.") var all = false

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            let incidents: [Incident]
            let reasons: [String: [String]]
            do {
                incidents = try tenant.incidents(includingClosed: all)
                reasons = try IncidentCommand.reasons(in: tenant)
            } catch {
                throw CommandFailure.failed("\(error)")
            }
            if incidents.isEmpty { print(all ? "no incidents" : "no open incidents") }
            let now = Date()
            for incident in incidents {
                let state: String
                if let closed = incident.closedAt {
                    state = "closed \(IncidentCommand.time(closed))" + (incident.notifiedAt.map { ", notified \(IncidentCommand.time($0))" } ?? ", not notified")
                } else if let notified = incident.notifiedAt {
                    state = "notified \(IncidentCommand.time(notified))"
                } else {
                    state = "NOT NOTIFIED: deadline \(IncidentCommand.deadline(of: incident, now: now))"
                }
                print("\(incident.id)  \(incident.severity.rawValue)  aware since \(IncidentCommand.time(incident.openedAt))  \(state)")
                print("    \(incident.summary)")
                for reason in reasons[incident.id] ?? [] { print("    \(reason)") }
            }
        }
    }

    /// The reasons recorded for a late notification or a close without one, by incident, from the audit log.
    static func reasons(in tenant: TenantVault) throws -> [String: [String]] {
        var reasons: [String: [String]] = [:]
        for entry in try tenant.auditEntries() where entry.action == "incident.notified" || entry.action == "incident.closed" {
            guard case .readable(let details) = entry.details, let id = details["incident_id"], let reason = details["reason"] else { continue }
            let label = entry.action == "incident.notified" ? "reasons for the late notification" : "closed without notification because"
            reasons[id, default: []].append("\(label): \(reason)")
        }
        return reasons
    }

    /// The deadline and how far off it is: "2026-11-23T09:00:00Z (41 h 20 min left)".
    static func deadline(of incident: Incident, now: Date) -> String {
        let seconds = Int(incident.notificationDeadline.timeIntervalSince(now))
        let span = "\(abs(seconds) / 3600) h \(abs(seconds) % 3600 / 60) min"
        return time(incident.notificationDeadline) + (seconds >= 0 ? " (\(span) left)" : " (\(span) overdue)")
    }

    static func severity(_ text: String) throws -> Incident.Severity {
        guard let severity = Incident.Severity(rawValue: text.lowercased()) else {
            throw CommandFailure.failed("\(text) is not a severity: choose low, medium, high or critical")
        }
        return severity
    }

    static func time(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    static func time(_ text: String) throws -> Date {
        guard let date = ISO8601DateFormatter().date(from: text) else {
            throw CommandFailure.failed("\(text) is not a time: write it as ISO 8601 with its zone, e.g. 2026-11-20T09:00:00Z or 2026-11-20T10:00:00+01:00")
        }
        return date
    }
}

