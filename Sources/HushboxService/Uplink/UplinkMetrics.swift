import Foundation
internal import Metrics
internal import Vault

/// What an operator watches of one destination's uplink, through swift-metrics
/// (Prometheus at /metrics in hushboxd): how many messages wait, how long the
/// oldest has waited, how long delivery takes from queueing to the receiver's
/// acknowledgement, and how attempts end. Labels carry the destination's name
/// and outcomes only: no message, no caller.
struct UplinkMetrics: Sendable {
    static let queueDepthLabel = "hushbox_uplink_queue_depth"
    static let oldestAgeLabel = "hushbox_uplink_oldest_undelivered_age_seconds"
    static let latencyLabel = "hushbox_uplink_delivery_latency_seconds"
    static let attemptsLabel = "hushbox_uplink_attempts_total"
    /// 1 while an organisation's messages wait because the destination is not a live, registered sub-processor.
    static let blockedLabel = "hushbox_uplink_destination_blocked"
    /// From seconds (a receiver that is up) to days (an outage the box rode out).
    static let latencyBuckets: [Duration] = [1, 5, 30, 120, 600, 1800, 3600, 6 * 3600, 24 * 3600, 72 * 3600, 7 * 24 * 3600].map { .seconds($0) }

    private let queueDepth: Gauge
    private let oldestAge: Gauge
    private let latency: Metrics.Timer
    private let attempts: [DeliveryOutcome: Counter]
    private let blocked: Gauge

    init(destination: String, factory: any MetricsFactory) {
        let dimensions = [("destination", destination)]
        queueDepth = Gauge(label: Self.queueDepthLabel, dimensions: dimensions, factory: factory)
        oldestAge = Gauge(label: Self.oldestAgeLabel, dimensions: dimensions, factory: factory)
        latency = Metrics.Timer(label: Self.latencyLabel, dimensions: dimensions, preferredDisplayUnit: .seconds, factory: factory)
        var attempts: [DeliveryOutcome: Counter] = [:]
        for outcome in [DeliveryOutcome.delivered, .retry, .refused, .failed, .withdrawn] {
            attempts[outcome] = Counter(label: Self.attemptsLabel, dimensions: dimensions + [("outcome", outcome.rawValue)], factory: factory)
        }
        self.attempts = attempts
        blocked = Gauge(label: Self.blockedLabel, dimensions: dimensions, factory: factory)
    }

    func observe(blocked isBlocked: Bool) {
        blocked.record(isBlocked ? 1 : 0)
    }

    /// The queue as the outbox has it now: undelivered entries (abandoned ones
    /// included: they still wait, for a person) and the oldest one's queueing time.
    func observe(undelivered: Int, oldest: Date?, now: Date) {
        queueDepth.record(undelivered)
        oldestAge.record(oldest.map { max(0, now.timeIntervalSince($0)) } ?? 0)
    }

    func attempted(_ outcome: DeliveryOutcome) {
        attempts[outcome]?.increment()
    }

    func delivered(queuedAt: Date, now: Date) {
        latency.recordNanoseconds(Int64(max(0, now.timeIntervalSince(queuedAt)) * 1e9))
    }
}
