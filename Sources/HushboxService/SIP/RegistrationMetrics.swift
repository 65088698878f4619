internal import Metrics
import Synchronization

/// Whether each trunk the box registers with holds a registration now:
/// `hushbox_sip_registered{peer}` is 1 while registered and 0 while
/// registering or after a failure. `hushbox selftest` reads it from /metrics.
final class RegistrationMetrics: Sendable {
    static let label = "hushbox_sip_registered"

    private let factory: any MetricsFactory
    private let gauges = Mutex<[String: Gauge]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func record(peer: String, registered: Bool) {
        let gauge = gauges.withLock { gauges in
            if let gauge = gauges[peer] { return gauge }
            let gauge = Gauge(label: Self.label, dimensions: [("peer", peer)], factory: factory)
            gauges[peer] = gauge
            return gauge
        }
        gauge.record(registered ? 1 : 0)
    }
}
