public import Foundation
import GRDB

/// The organisation's incident register. Summaries are sealed under the
/// organisation's data key; every step is audited with the severity and the
/// times, never the summary.
extension TenantVault {
    /// The longest summary kept: a register entry, not a report.
    public static let incidentSummaryLimit = 4000

    /// Records an incident the organisation became aware of at `awareSince`
    /// (now when nil): the 72 hours to notify the supervisory authority run from there.
    public func openIncident(
        severity: Incident.Severity, summary: String, awareSince: Date? = nil, actor: String
    ) throws(VaultError) -> Incident {
        let now = vault.now()
        guard (awareSince ?? now) <= now else {
            throw VaultError(.invalidInput, "the organisation cannot have become aware of an incident in the future; nothing was recorded")
        }
        // As the database keeps it, so the value returned equals the one read back.
        let openedAt = Date(milliseconds: (awareSince ?? now).milliseconds)
        let summary = try Self.checkedSummary(summary)
        let incident = Incident(id: Self.newID(), severity: severity, summary: summary, openedAt: openedAt)
        return try write("recording an incident") { db, sealer throws(VaultError) in
            let sealed = try sealer.seal(summary, .incidentSummary, rowID: incident.id)
            try VaultError.guarding("recording an incident") {
                try db.execute(
                    sql: "INSERT INTO incidents (id, tenant_id, severity, summary_sealed, opened_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [incident.id, tenantID, severity.rawValue, sealed, openedAt.milliseconds]
                )
            }
            _ = try audit(
                AuditEvent(
                    action: "incident.opened", actor: actor,
                    details: ["incident_id": incident.id, "severity": severity.rawValue, "aware_since": Self.iso(openedAt), "deadline": Self.iso(incident.notificationDeadline)]
                ),
                in: db
            )
            return incident
        }
    }

    /// Changes an open incident's severity, summary or the time the
    /// organisation became aware of it (which moves the deadline).
    public func updateIncident(
        _ id: String, severity: Incident.Severity? = nil, summary: String? = nil, awareSince: Date? = nil, actor: String
    ) throws(VaultError) -> Incident {
        guard severity != nil || summary != nil || awareSince != nil else {
            throw VaultError(.invalidInput, "nothing to change: give a new severity, summary or aware-since time")
        }
        let newSummary = try summary.map { text throws(VaultError) in try Self.checkedSummary(text) }
        let newAwareSince = awareSince.map { Date(milliseconds: $0.milliseconds) }
        if let awareSince, awareSince > vault.now() {
            throw VaultError(.invalidInput, "the organisation cannot have become aware of an incident in the future; nothing was changed")
        }
        return try changeOpenIncident(id, "updating incident \(id)") { incident, db, sealer throws(VaultError) in
            var details = ["incident_id": id]
            if let severity {
                details["severity"] = severity.rawValue
                details["previous_severity"] = incident.severity.rawValue
                incident.severity = severity
            }
            if let newSummary {
                details["summary"] = "changed"
                incident.summary = newSummary
            }
            if let newAwareSince {
                if let notified = incident.notifiedAt, notified < newAwareSince {
                    throw VaultError(.invalidInput, "incident \(id) was notified on \(Self.iso(notified)), before \(Self.iso(newAwareSince)); nothing was changed")
                }
                details["aware_since"] = Self.iso(newAwareSince)
                details["previous_aware_since"] = Self.iso(incident.openedAt)
                incident.openedAt = newAwareSince
                details["deadline"] = Self.iso(incident.notificationDeadline)
            }
            let sealed = try sealer.seal(incident.summary, .incidentSummary, rowID: id)
            try VaultError.guarding("updating incident \(id)") {
                try db.execute(
                    sql: "UPDATE incidents SET severity = ?, summary_sealed = ?, opened_at = ? WHERE tenant_id = ? AND id = ?",
                    arguments: [incident.severity.rawValue, sealed, incident.openedAt.milliseconds, tenantID, id]
                )
            }
            _ = try audit(AuditEvent(action: "incident.updated", actor: actor, details: details), in: db)
        }
    }

    /// Records that the supervisory authority was notified at `at` (now when
    /// nil), which ends the alerts. A notification after the 72 hours needs
    /// the reasons for the delay (Art. 33(1)), kept sealed in the audit entry.
    public func recordIncidentNotification(_ id: String, at: Date? = nil, reason: String? = nil, actor: String) throws(VaultError) -> Incident {
        let now = vault.now()
        guard (at ?? now) <= now else { throw VaultError(.invalidInput, "a notification cannot have been given in the future; nothing was recorded") }
        let notifiedAt = Date(milliseconds: (at ?? now).milliseconds)
        return try changeOpenIncident(id, "recording the notification of incident \(id)") { incident, db, _ throws(VaultError) in
            if let earlier = incident.notifiedAt {
                throw VaultError(.invalidInput, "incident \(id) was already notified on \(Self.iso(earlier)); nothing was changed")
            }
            guard notifiedAt >= incident.openedAt else {
                throw VaultError(.invalidInput, "incident \(id) was opened on \(Self.iso(incident.openedAt)): a notification cannot precede it")
            }
            let late = notifiedAt > incident.notificationDeadline
            let reason = try Self.checkedReason(reason)
            if late && reason == nil {
                throw VaultError(
                    .invalidInput,
                    "incident \(id) is notified after its 72-hour deadline (\(Self.iso(incident.notificationDeadline))): give the reasons for the delay (--reason); nothing was recorded"
                )
            }
            incident.notifiedAt = notifiedAt
            try VaultError.guarding("recording the notification of incident \(id)") {
                try db.execute(sql: "UPDATE incidents SET notified_at = ? WHERE tenant_id = ? AND id = ?", arguments: [notifiedAt.milliseconds, tenantID, id])
            }
            var details = ["incident_id": id, "notified_at": Self.iso(notifiedAt), "within_72_hours": late ? "no" : "yes"]
            details["reason"] = reason
            _ = try audit(AuditEvent(action: "incident.notified", actor: actor, details: details), in: db)
        }
    }

    /// Closes an incident. One never notified is closed only with
    /// `withoutNotification` and the reason: the organisation's decision that
    /// it is unlikely to put people at risk (Art. 33(1)), which the audit entry
    /// keeps (sealed).
    public func closeIncident(_ id: String, withoutNotification: Bool = false, reason: String? = nil, actor: String) throws(VaultError) -> Incident {
        let reason = try Self.checkedReason(reason)
        return try changeOpenIncident(id, "closing incident \(id)") { incident, db, _ throws(VaultError) in
            guard incident.notifiedAt != nil || withoutNotification else {
                throw VaultError(
                    .invalidInput,
                    "incident \(id) was never notified to the supervisory authority: record the notification first, or close it without one "
                        + "when the breach is unlikely to result in a risk to people, giving the reason (it is audited); nothing was changed"
                )
            }
            if incident.notifiedAt == nil && reason == nil {
                throw VaultError(.invalidInput, "closing incident \(id) without notification needs the reason it is unlikely to put people at risk (--reason); nothing was changed")
            }
            let closedAt = Date(milliseconds: vault.now().milliseconds)
            incident.closedAt = closedAt
            try VaultError.guarding("closing incident \(id)") {
                try db.execute(sql: "UPDATE incidents SET closed_at = ? WHERE tenant_id = ? AND id = ?", arguments: [closedAt.milliseconds, tenantID, id])
            }
            var details = ["incident_id": id, "notified": incident.notifiedAt == nil ? "no" : "yes"]
            details["reason"] = reason
            _ = try audit(AuditEvent(action: "incident.closed", actor: actor, details: details), in: db)
        }
    }

    /// The open incidents not yet notified, without their summaries.
    public func incidentsAwaitingNotification() throws(VaultError) -> [AwaitingIncident] {
        try read("reading the incident register") { db, _ throws(VaultError) in
            try VaultError.guarding("reading the incident register") {
                try Row.fetchAll(
                    db,
                    sql: "SELECT id, severity, opened_at FROM incidents WHERE tenant_id = ? AND notified_at IS NULL AND closed_at IS NULL ORDER BY opened_at, id",
                    arguments: [tenantID]
                ).map { row in
                    // An unknown severity (a newer version's) is still a breach to be reminded of.
                    AwaitingIncident(id: row["id"], severity: Incident.Severity(rawValue: row["severity"]) ?? .critical, awareSince: Date(milliseconds: row["opened_at"]))
                }
            }
        }
    }

    /// The register, oldest first; closed incidents only when asked for.
    public func incidents(includingClosed: Bool = false) throws(VaultError) -> [Incident] {
        try read("reading the incident register") { db, sealer throws(VaultError) in
            let rows = try VaultError.guarding("reading the incident register") {
                try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM incidents WHERE tenant_id = ?" + (includingClosed ? "" : " AND closed_at IS NULL") + " ORDER BY opened_at, id",
                    arguments: [tenantID]
                )
            }
            var incidents: [Incident] = []
            for row in rows { incidents.append(try Self.incident(row, sealer)) }
            return incidents
        }
    }

    /// One incident, closed or not.
    public func incident(_ id: String) throws(VaultError) -> Incident {
        try read("reading incident \(id)") { db, sealer throws(VaultError) in try incident(id, in: db, sealer) }
    }

    private func changeOpenIncident(
        _ id: String, _ what: String, _ change: (inout Incident, Database, ColumnSealer) throws(VaultError) -> Void
    ) throws(VaultError) -> Incident {
        try write(what) { db, sealer throws(VaultError) in
            var incident = try incident(id, in: db, sealer)
            if let closedAt = incident.closedAt {
                throw VaultError(.invalidInput, "incident \(id) was closed on \(Self.iso(closedAt)); a closed incident stays as it was")
            }
            try change(&incident, db, sealer)
            return incident
        }
    }

    private func incident(_ id: String, in db: Database, _ sealer: ColumnSealer) throws(VaultError) -> Incident {
        let row = try VaultError.guarding("reading incident \(id)") {
            try Row.fetchOne(db, sql: "SELECT * FROM incidents WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
        }
        guard let row else { throw VaultError(.notFound, "there is no incident \(id) (see `hushbox incident list --all`)") }
        return try Self.incident(row, sealer)
    }

    private static func incident(_ row: Row, _ sealer: ColumnSealer) throws(VaultError) -> Incident {
        let id: String = row["id"]
        guard let severity = Incident.Severity(rawValue: row["severity"]) else {
            throw VaultError(.corruptDatabase, "incident \(id) has an unknown severity")
        }
        return Incident(
            id: id, severity: severity, summary: try sealer.open(Sealed<String>(bytes: row["summary_sealed"]), .incidentSummary, rowID: id),
            openedAt: Date(milliseconds: row["opened_at"]), notifiedAt: (row["notified_at"] as Int64?).map(Date.init(milliseconds:)),
            closedAt: (row["closed_at"] as Int64?).map(Date.init(milliseconds:))
        )
    }

    private static func checkedSummary(_ summary: String) throws(VaultError) -> String {
        let trimmed = summary.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw VaultError(.invalidInput, "say what happened (--summary); the summary is sealed and names no person") }
        guard trimmed.count <= incidentSummaryLimit else {
            throw VaultError(.invalidInput, "the summary has \(trimmed.count) characters; keep it to \(incidentSummaryLimit) and the full report elsewhere")
        }
        return trimmed
    }

    private static func checkedReason(_ reason: String?) throws(VaultError) -> String? {
        guard let reason else { return nil }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return nil }
        guard trimmed.count <= incidentSummaryLimit else {
            throw VaultError(.invalidInput, "the reason has \(trimmed.count) characters; keep it to \(incidentSummaryLimit)")
        }
        return trimmed
    }

    private static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
