import Foundation
import Logging
internal import Metrics
import ServiceLifecycle
internal import Uplink
internal import Vault

/// The delivery worker: for each destination, takes the due outbox entries of
/// every organisation, up to the destination's concurrency, and carries each
/// through one upload attempt; a retry is written to the entry's row with its
/// next time, so no entry holds up the queue and a restart resumes where the
/// database says. Nothing here deletes an undelivered entry.
struct UplinkService: Service, CustomStringConvertible {
    let setups: [UplinkSetup]
    let vault: Vault
    /// `<data>/uplink`: payloads made once per entry, until delivered.
    let spool: String
    let schedule: RetrySchedule
    /// How long an idle destination waits before looking at the queue again.
    let pollInterval: Duration
    /// How long one request may take before the attempt counts as unreachable.
    var requestTimeout: Duration = .seconds(30)
    let logger: Logger
    /// Where the queue's figures go (``UplinkMetrics``); hushboxd's is Prometheus.
    var metricsFactory: any MetricsFactory = MetricsSystem.factory

    var description: String { "UplinkService" }

    func run() async throws {
        try PrivateFile.ensureDirectory(spool)
        // Copies a crash left behind between an entry's end and the unlink of its files.
        let swept = try vault.sweepSpool()
        if swept > 0 { logger.info("removed spooled files of entries no longer on their way", metadata: ["files": "\(swept)"]) }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for setup in setups {
                    group.addTask { await drain(setup) }
                }
            }
        }
    }

    private func drain(_ setup: UplinkSetup) async {
        let client = UplinkClient(
            baseURL: setup.destination.url, signature: setup.signature, tls: setup.tls, timeout: requestTimeout, now: { Int64(Date().timeIntervalSince1970) }
        )
        var generator = SystemRandomNumberGenerator()
        let metrics = UplinkMetrics(destination: setup.destination.name, factory: metricsFactory)
        // Each organisation's last refusal, so a person is told once when it starts and once when it ends.
        var refusals: [String: String] = [:]
        while !Task.isCancelled {
            var worked = false
            do {
                let tenants = try vault.tenantIDs().map { id throws(VaultError) in try vault.tenant(id) }
                var blocked = false
                for tenant in tenants {
                    let refusal = SubProcessorGate.refusal(
                        of: setup.destination, registered: try tenant.subProcessor(named: setup.destination.name), at: Date()
                    )
                    if refusal != refusals[tenant.tenantID] {
                        if let refusal {
                            logger.error("messages are held back", metadata: ["tenant": "\(tenant.tenantID)", "why": "\(refusal)"])
                        } else if refusals[tenant.tenantID] != nil {
                            logger.notice("the destination is a live sub-processor now: delivering", metadata: ["tenant": "\(tenant.tenantID)", "destination": "\(setup.destination.name)"])
                        }
                        refusals[tenant.tenantID] = refusal
                    }
                    guard refusal == nil else {
                        blocked = true
                        continue
                    }
                    let due = try tenant.dueOutboxEntries(destination: setup.destination.name, at: Date(), limit: setup.destination.maxConcurrentUploads)
                    worked = worked || !due.isEmpty
                    var delays: [String: Duration] = [:]
                    for entry in due {
                        delays[entry.id] = schedule.delay(afterFailures: entry.attempts + 1, using: &generator)
                    }
                    let planned = delays
                    await withDiscardingTaskGroup { group in
                        for entry in due {
                            group.addTask {
                                await deliver(entry, of: tenant, with: setup, client: client, backoff: planned[entry.id] ?? .seconds(5), metrics: metrics)
                            }
                        }
                    }
                }
                var undelivered = 0
                var oldest: Date?
                for tenant in tenants {
                    let depth = try tenant.outboxDepth(destination: setup.destination.name)
                    undelivered += depth.undelivered
                    oldest = [oldest, depth.oldest].compactMap { $0 }.min()
                }
                metrics.observe(undelivered: undelivered, oldest: oldest, now: Date())
                metrics.observe(blocked: blocked)
            } catch {
                logger.error("the outbox could not be read", metadata: ["destination": "\(setup.destination.name)", "error": "\(error)"])
            }
            if !worked {
                try? await Task.sleep(for: pollInterval)
            }
        }
        try? await client.shutdown()
    }

    /// One attempt for one entry, recorded.
    /// - Parameter backoff: the wait before the next attempt if this one must be retried (Retry-After may lengthen it).
    private func deliver(
        _ entry: OutboxEntry, of tenant: TenantVault, with setup: UplinkSetup, client: UplinkClient, backoff: Duration, metrics: UplinkMetrics
    ) async {
        var log = logger
        log[metadataKey: "outbox_id"] = "\(entry.id)"
        log[metadataKey: "destination"] = "\(setup.destination.name)"
        if entry.kind == OutboxEntry.eraseKind {
            // The message is erased on the box; the notice names it by the id it was uploaded under.
            let result = EraseNotice.result(of: await client.send(EraseNotice(objectID: entry.referenceID), idempotencyKey: entry.id))
            record(result, of: entry, tenant: tenant, backoff: backoff, metrics: metrics, log: log) {
                log.info("erase notice delivered", metadata: ["attempt": "\(entry.attempts + 1)"])
            }
            return
        }
        let upload: VoicemailUpload
        do {
            upload = try VoicemailUpload.prepare(entry, tenant: tenant, recipient: setup.recipient, spool: spool)
            try tenant.markDelivering(entry.id)
        } catch UplinkPreparationError.withdrawn {
            // Deleted by its owner before it went up: never sent, and not retried.
            try? tenant.recordDeliveryAttempt(entry.id, outcome: .withdrawn, statusCode: nil)
            metrics.attempted(.withdrawn)
            VoicemailUpload.discard(entry, spool: spool)
            log.notice("not sent: the message was deleted before it was delivered")
            return
        } catch {
            log.error("the upload could not be prepared; it stays queued", metadata: ["error": "\(error)"])
            try? tenant.recordDeliveryAttempt(entry.id, outcome: .retry, statusCode: nil, nextAttempt: Date().addingTimeInterval(Self.seconds(backoff)))
            metrics.attempted(.retry)
            return
        }
        // Keyed by the entry and its payload's digest: the spooled payload resumes under the same key after
        // any stop; one made anew (after `hushbox uplink retry`) starts fresh keys the receiver has not seen.
        var session = UploadSession(entryID: "\(entry.id)-\(upload.announcement.sha256.prefix(16))", length: upload.payload.count)
        let started = ContinuousClock.now
        let result = await UploadDriver.attempt(&session) { request, session in
            await client.perform(request, of: session, announcement: upload.announcement, payload: upload.payload)
        }
        record(result, of: entry, tenant: tenant, backoff: backoff, metrics: metrics, log: log) {
            VoicemailUpload.discard(entry, spool: spool)
            log.info("delivered", metadata: ["attempt": "\(entry.attempts + 1)", "seconds": "\((ContinuousClock.now - started) / .seconds(1))"])
        }
    }

    /// Writes an attempt's end to the entry's row and log, and counts it.
    private func record(
        _ result: UploadDriver.AttemptResult, of entry: OutboxEntry, tenant: TenantVault, backoff: Duration, metrics: UplinkMetrics, log: Logger,
        delivered: () -> Void
    ) {
        do {
            switch result {
            case .delivered:
                // The answer that completes each: 201 for an upload's last chunk, 200 for an erase notice.
                try tenant.recordDeliveryAttempt(entry.id, outcome: .delivered, statusCode: entry.kind == OutboxEntry.eraseKind ? 200 : 201)
                metrics.attempted(.delivered)
                metrics.delivered(queuedAt: entry.createdAt, now: Date())
                delivered()
            case .needsAttention(let why, let status):
                try tenant.recordDeliveryAttempt(entry.id, outcome: .failed, statusCode: status)
                metrics.attempted(.failed)
                log.error("the receiver refused the upload for good; the entry is kept for a person", metadata: ["why": "\(why)"])
            case .retry(let after, let reason, let status):
                let wait = max(backoff, min(after ?? .zero, schedule.longestRetryAfter))
                let refused: Bool
                if case .refused = reason { refused = true } else { refused = false }
                try tenant.recordDeliveryAttempt(
                    entry.id, outcome: refused ? .refused : .retry, statusCode: status, nextAttempt: Date().addingTimeInterval(Self.seconds(wait))
                )
                metrics.attempted(refused ? .refused : .retry)
                if refused {
                    log.error("the receiver refused the box's credentials; check the certificate, the signing secret and the clock", metadata: ["status": "\(status ?? 0)"])
                } else {
                    log.notice("delivery will be retried", metadata: ["reason": "\(reason)", "in_seconds": "\(Int(Self.seconds(wait)))"])
                }
            }
        } catch {
            log.error("the attempt could not be recorded", metadata: ["error": "\(error)"])
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
