import Foundation
import Logging
internal import Metrics
internal import Privacy
import ServiceLifecycle
internal import Vault

/// hushboxd's daily retention purge (03:00 UTC, and at start-up when a run is
/// owed or was cut off). A shutdown stops it after the batch in hand; the next
/// start resumes it.
struct PurgeService<SleepClock: Clock>: Service, CustomStringConvertible where SleepClock.Duration == Duration {
    let vault: Vault
    let scheduler: DailyJobScheduler<SleepClock>
    let logger: Logger
    var metricsFactory: any MetricsFactory = MetricsSystem.factory

    static var lastCompletedLabel: String { "hushbox_purge_last_completed_timestamp_seconds" }
    static var removedLabel: String { "hushbox_purge_removed_total" }
    static var failuresLabel: String { "hushbox_purge_failures_total" }

    var description: String { "PurgeService" }

    func run() async throws {
        let purge = RetentionPurge(vault: vault)
        let lastCompleted = Gauge(label: Self.lastCompletedLabel, factory: metricsFactory)
        let failures = Counter(label: Self.failuresLabel, factory: metricsFactory)
        var removed: [ExpiredData: Counter] = [:]
        for kind in ExpiredData.allCases {
            removed[kind] = Counter(label: Self.removedLabel, dimensions: [("kind", kind.rawValue)], factory: metricsFactory)
        }
        let counters = removed
        do {
            if let completed = try purge.lastCompleted() { lastCompleted.record(completed.timeIntervalSince1970) }
        } catch {
            logger.error("the purge's last run could not be read", metadata: ["error": "\(error)"])
        }
        let schedule = scheduler.schedule
        let logger = self.logger
        await cancelWhenGracefulShutdown {
            await scheduler.run(
                isOwed: { now in try purge.isOwed(schedule, at: now) },
                job: { now in
                    let outcome = try await purge.run(actor: "hushboxd", at: now)
                    for (tenantID, run) in outcome.runs {
                        var metadata: Logger.Metadata = ["tenant": "\(tenantID)", "run": "\(run.id)", "resumed": "\(run.resumed)"]
                        for kind in ExpiredData.allCases {
                            let count = run.removed[kind] ?? 0
                            metadata[kind.rawValue] = "\(count)"
                            counters[kind]?.increment(by: count)
                        }
                        logger.info("retention purge completed", metadata: metadata)
                    }
                    if outcome.backupsRemoved > 0 {
                        logger.info("expired backups removed", metadata: ["count": "\(outcome.backupsRemoved)"])
                    }
                    if let completed = try purge.lastCompleted() { lastCompleted.record(completed.timeIntervalSince1970) }
                },
                failed: { error in
                    failures.increment()
                    logger.error("the retention purge failed; it is tried again within 15 minutes", metadata: ["error": "\(error)"])
                }
            )
        }
    }
}
