internal import Metrics
internal import SIPStack

/// The SIP edge as an operator watches it (Prometheus at /metrics in
/// hushboxd): what arrived, what was dropped or refused and why, calls, and
/// the TCP/TLS connections. The core keeps plain counters in its own state
/// (it is a value type and must stay cheap under a flood); this copies them
/// into swift-metrics counters by their growth since the last look. Labels
/// carry reasons only: no address, no number.
struct SIPMetrics: Sendable {
    static let receivedLabel = "hushbox_sip_messages_received_total"
    static let droppedLabel = "hushbox_sip_dropped_total"
    static let refusedLabel = "hushbox_sip_refused_total"
    static let unparseableLabel = "hushbox_sip_unparseable_total"
    static let sourcesBlockedLabel = "hushbox_sip_sources_blocked_total"
    static let callsLabel = "hushbox_sip_calls_total"
    static let connectionsRefusedLabel = "hushbox_sip_connections_refused_total"
    static let connectionsOpenLabel = "hushbox_sip_connections_open"

    /// One counter per figure of the core's and the transports' counters.
    private let counters: [(counter: Counter, read: @Sendable (SignallingCounters, SIPTransportCounters) -> Int)]
    private let connectionsOpen: Gauge

    init(factory: any MetricsFactory) {
        func counter(_ label: String, _ dimensions: [(String, String)] = [], _ read: @escaping @Sendable (SignallingCounters, SIPTransportCounters) -> Int)
            -> (Counter, @Sendable (SignallingCounters, SIPTransportCounters) -> Int)
        {
            (Counter(label: label, dimensions: dimensions, factory: factory), read)
        }
        counters = [
            counter(Self.receivedLabel) { core, _ in core.messagesReceived },
            counter(Self.droppedLabel, [("reason", "unknown_source")]) { core, _ in core.droppedUnknownSource },
            counter(Self.droppedLabel, [("reason", "rate_limit")]) { core, _ in core.droppedByRateLimit },
            counter(Self.droppedLabel, [("reason", "blocked_source")]) { core, _ in core.droppedFromBlockedSource },
            counter(Self.droppedLabel, [("reason", "queue_full")]) { _, transport in transport.inboundDropped },
            counter(Self.refusedLabel, [("reason", "unknown_source")]) { core, _ in core.refusedUnknownSource },
            counter(Self.refusedLabel, [("reason", "plaintext")]) { core, _ in core.refusedPlaintext },
            counter(Self.refusedLabel, [("reason", "authentication_locked")]) { core, _ in core.refusedAuthenticationLocked },
            counter(Self.refusedLabel, [("reason", "overloaded")]) { core, _ in core.refusedOverloaded },
            counter(Self.refusedLabel, [("reason", "media")]) { core, _ in core.refusedMedia },
            counter(Self.refusedLabel, [("reason", "shutting_down")]) { core, _ in core.refusedShuttingDown },
            counter(Self.unparseableLabel) { core, _ in core.unparseable },
            counter(Self.sourcesBlockedLabel) { core, _ in core.sourcesBlocked },
            counter(Self.callsLabel, [("stage", "offered")]) { core, _ in core.callsOffered },
            counter(Self.callsLabel, [("stage", "established")]) { core, _ in core.callsEstablished },
            counter(Self.connectionsRefusedLabel) { _, transport in transport.connectionsRefused },
        ].map { (counter: $0.0, read: $0.1) }
        connectionsOpen = Gauge(label: Self.connectionsOpenLabel, factory: factory)
    }

    /// What the counters were at the last look: each counter grows by the difference.
    struct Seen: Sendable {
        fileprivate var values: [Int] = []
    }

    /// Copies the growth since `seen` into the metrics; returns what was seen now.
    func record(core: SignallingCounters, transport: SIPTransportCounters, since seen: Seen) -> Seen {
        var now = Seen()
        for (index, entry) in counters.enumerated() {
            let value = entry.read(core, transport)
            let before = index < seen.values.count ? seen.values[index] : 0
            if value > before { entry.counter.increment(by: Int64(value - before)) }
            now.values.append(value)
        }
        connectionsOpen.record(transport.connectionsOpen)
        return now
    }
}
