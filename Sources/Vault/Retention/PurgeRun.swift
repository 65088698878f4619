public import Foundation
import GRDB

/// One retention purge of one organisation. Its reference time fixes every
/// cut-off for the whole run, so a run cut off and resumed hours later removes
/// exactly what it would have removed in one go, and counts it once.
public struct PurgeRun: Sendable, Hashable {
    public let id: String
    /// The instant the cut-offs are measured back from.
    public let referenceAt: Date
    public let startedAt: Date
    public let completedAt: Date?
    /// Who started it: `hushboxd` for the daily run, the person for `hushbox purge`.
    public let actor: String
    /// What it removed so far, by kind.
    public let removed: [ExpiredData: Int]
    /// Whether this run was found open (cut off earlier) rather than started now.
    public let resumed: Bool
}

extension TenantVault {
    /// The open run if one was cut off (to resume it), else a new run measured
    /// from `reference`. Two processes asking at once get the same run.
    public func beginPurgeRun(reference: Date, actor: String) throws(VaultError) -> PurgeRun {
        try write("starting a purge run") { db, _ throws(VaultError) in
            if let open = try purgeRun(sql: "completed_at IS NULL", arguments: [], resumed: true, in: db) {
                return open
            }
            let id = Self.newID()
            try VaultError.guarding("recording a purge run") {
                try db.execute(
                    sql: "INSERT INTO purge_runs (id, tenant_id, reference_at, started_at, actor) VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, tenantID, reference.milliseconds, timestamp(), actor]
                )
            }
            guard let run = try purgeRun(sql: "id = ?", arguments: [id], resumed: false, in: db) else {
                throw VaultError(.databaseFailure, "the purge run just recorded cannot be read back")
            }
            return run
        }
    }

    /// The most recent run that completed, if any.
    public func lastCompletedPurgeRun() throws(VaultError) -> PurgeRun? {
        try read("reading the last purge run") { db, _ throws(VaultError) in
            try purgeRun(sql: "completed_at IS NOT NULL ORDER BY reference_at DESC, completed_at DESC", arguments: [], resumed: false, in: db)
        }
    }

    /// A run cut off before it completed, if any.
    public func openPurgeRun() throws(VaultError) -> PurgeRun? {
        try read("reading the open purge run") { db, _ throws(VaultError) in
            try purgeRun(sql: "completed_at IS NULL", arguments: [], resumed: true, in: db)
        }
    }

    /// Closes a run and writes its one audit entry, with its counts, in the
    /// same transaction. Nil when another process completed it first.
    public func completePurgeRun(_ run: PurgeRun) throws(VaultError) -> PurgeRun? {
        try write("completing purge run \(run.id)") { db, _ throws(VaultError) in
            let closed = try VaultError.guarding("completing purge run \(run.id)") {
                try db.execute(
                    sql: "UPDATE purge_runs SET completed_at = ? WHERE tenant_id = ? AND id = ? AND completed_at IS NULL",
                    arguments: [timestamp(), tenantID, run.id]
                )
                return db.changesCount == 1
            }
            guard closed, let completed = try purgeRun(sql: "id = ?", arguments: [run.id], resumed: run.resumed, in: db) else { return nil }
            var details = ["run": run.id, "reference": ISO8601DateFormatter().string(from: run.referenceAt), "resumed": "\(run.resumed)"]
            for kind in ExpiredData.allCases {
                details[kind.rawValue] = "\(completed.removed[kind] ?? 0)"
            }
            _ = try audit(AuditEvent(action: "retention.purged", actor: run.actor, details: details), in: db)
            return completed
        }
    }

    /// Adds a batch to its run's counts, inside the batch's transaction.
    func count(_ removed: Int, of kind: ExpiredData, in run: PurgeRun, db: Database) throws(VaultError) {
        guard removed > 0 else { return }
        try VaultError.guarding("counting what purge run \(run.id) removed") {
            try db.execute(
                sql: """
                    INSERT INTO purge_counts (tenant_id, run_id, kind, removed) VALUES (?, ?, ?, ?)
                    ON CONFLICT (run_id, kind) DO UPDATE SET removed = removed + excluded.removed
                    """,
                arguments: [tenantID, run.id, kind.rawValue, removed]
            )
        }
    }

    private func purgeRun(sql condition: String, arguments: StatementArguments, resumed: Bool, in db: Database) throws(VaultError) -> PurgeRun? {
        try VaultError.guarding("reading a purge run") {
            guard let row = try Row.fetchOne(
                db,
                sql: "SELECT id, reference_at, started_at, completed_at, actor FROM purge_runs WHERE tenant_id = ? AND \(condition) LIMIT 1",
                arguments: [tenantID] + arguments
            ) else { return nil }
            let id: String = row["id"]
            var removed: [ExpiredData: Int] = [:]
            for count in try Row.fetchAll(db, sql: "SELECT kind, removed FROM purge_counts WHERE run_id = ?", arguments: [id]) {
                if let kind = ExpiredData(rawValue: count["kind"]) { removed[kind] = count["removed"] }
            }
            return PurgeRun(
                id: id, referenceAt: Date(milliseconds: row["reference_at"]), startedAt: Date(milliseconds: row["started_at"]),
                completedAt: (row["completed_at"] as Int64?).map(Date.init(milliseconds:)), actor: row["actor"], removed: removed,
                resumed: resumed
            )
        }
    }
}
