public import Foundation
public import Vault

/// The retention purge: for every organisation, removes what its periods say
/// has expired, in small transactions, then the box's expired backups.
///
/// A run is idempotent (what is gone is not found again) and resumable: a run
/// cut off by a crash or a shutdown is found open by the next one, which goes on
/// with the same reference time and adds to the same counts, so the one audit
/// entry it writes on completion counts everything once.
public struct RetentionPurge: Sendable {
    public let vault: Vault
    /// Items per transaction: small enough that a call being answered never
    /// waits long for the database.
    public let batchSize: Int
    /// Called after each batch commits and before its object files are removed
    /// (progress for a log; a test stops a run here to resume it).
    public let afterBatch: @Sendable (TenantVault, PurgeBatch) throws -> Void

    public init(vault: Vault, batchSize: Int = 50, afterBatch: @escaping @Sendable (TenantVault, PurgeBatch) throws -> Void = { _, _ in }) {
        precondition(batchSize > 0, "a batch removes at least one item")
        self.vault = vault
        self.batchSize = batchSize
        self.afterBatch = afterBatch
    }

    /// What a run did.
    public struct Outcome: Sendable, Hashable {
        /// Each organisation's completed run (one that another process
        /// completed first is left out: its counts are in that process's entry).
        public var runs: [String: PurgeRun] = [:]
        public var backupsRemoved = 0
    }

    /// Purges every organisation at `now` (resuming any run cut off earlier).
    /// Between batches it lets other tasks run (the vault's work is blocking:
    /// on a two-core box a long purge must not hold a thread that calls need)
    /// and checks for cancellation: a shutdown stops it after the batch in
    /// hand, and the next run resumes.
    public func run(actor: String, at now: Date) async throws -> Outcome {
        var outcome = Outcome()
        // Purged audio's spooled copies (and those of erasures the purge completed) go
        // with it: once per run, the spool being the whole box's, and also when a
        // shutdown or an error stops the run after some organisations were purged.
        defer { vault.sweepSpoolAfterCommit() }
        for tenantID in try vault.tenantIDs() {
            let tenant = try vault.tenant(tenantID)
            let run = try tenant.beginPurgeRun(reference: now, actor: actor)
            try tenant.removePendingObjectFiles()
            let policy = RetentionPolicy(try tenant.retentionSettings())
            for kind in ExpiredData.allCases {
                let cutoff = policy.cutoff(kind.category, at: run.referenceAt)
                var removed = batchSize
                while removed == batchSize {
                    await Task.yield()
                    try Task.checkCancellation()
                    let batch = try tenant.removeExpired(kind, cutoff: cutoff, limit: batchSize, run: run)
                    try afterBatch(tenant, batch)
                    try tenant.removePendingObjectFiles()
                    removed = batch.removed
                }
            }
            try vault.checkpointAndTruncateWAL()
            if let completed = try tenant.completePurgeRun(run) {
                outcome.runs[tenantID] = completed
            }
        }
        outcome.backupsRemoved = try vault.removeExpiredBackups(cutoff: Self.backupCutoff(at: now), actor: actor)
        return outcome
    }

    /// What a run would remove.
    public struct Preview: Sendable, Hashable {
        /// Per organisation, per kind.
        public var tenants: [String: [ExpiredData: Int]] = [:]
        public var backups = 0
    }

    /// What a run at `now` would remove, changing nothing.
    public func preview(at now: Date) throws(VaultError) -> Preview {
        var tenants: [String: [ExpiredData: Int]] = [:]
        for tenantID in try vault.tenantIDs() {
            let tenant = try vault.tenant(tenantID)
            let policy = RetentionPolicy(try tenant.retentionSettings())
            var counts: [ExpiredData: Int] = [:]
            for kind in ExpiredData.allCases {
                counts[kind] = try tenant.countExpired(kind, cutoff: policy.cutoff(kind.category, at: now))
            }
            tenants[tenantID] = counts
        }
        return Preview(tenants: tenants, backups: try vault.expiredBackupCount(cutoff: Self.backupCutoff(at: now)))
    }

    /// Whether a run is owed at `now`: an organisation has a run cut off, or
    /// the schedule's time has passed since its last completed run.
    public func isOwed(_ schedule: DailySchedule, at now: Date) throws(VaultError) -> Bool {
        for tenantID in try vault.tenantIDs() {
            let tenant = try vault.tenant(tenantID)
            if try tenant.openPurgeRun() != nil { return true }
            if schedule.isDue(lastCompleted: try tenant.lastCompletedPurgeRun()?.referenceAt, at: now) { return true }
        }
        return false
    }

    /// When every organisation was last purged: the oldest of their latest
    /// completed runs' completion times; nil while one has never completed.
    public func lastCompleted() throws(VaultError) -> Date? {
        var oldest: Date?
        for tenantID in try vault.tenantIDs() {
            guard let completed = try vault.tenant(tenantID).lastCompletedPurgeRun()?.completedAt else { return nil }
            oldest = min(oldest ?? completed, completed)
        }
        return oldest
    }

    /// Backups hold every organisation's data, so they follow the box's one
    /// fixed period, not an organisation's choice.
    static func backupCutoff(at now: Date) -> Date {
        RetentionPolicy().cutoff(.backups, at: now)
    }
}
