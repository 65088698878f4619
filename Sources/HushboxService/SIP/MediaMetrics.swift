internal import Media
internal import Metrics

/// What calls' media sockets took and dropped, by reason, summed over calls
/// as each ends (Prometheus at /metrics in hushboxd): RTP sprayed at the port
/// range shows as `outside_peer_sources`, a forged or stale SRTP key as
/// `failed_authentication`, a call that fell behind as `queue_full`.
struct MediaMetrics: Sendable {
    static let packetsLabel = "hushbox_media_packets_total"
    static let droppedLabel = "hushbox_media_dropped_total"

    private let packets: Counter
    private let dropped: [(counter: Counter, read: @Sendable (InboundMedia.Counters) -> Int)]

    init(factory: any MetricsFactory) {
        packets = Counter(label: Self.packetsLabel, factory: factory)
        func counter(_ reason: String, _ read: @escaping @Sendable (InboundMedia.Counters) -> Int) -> (Counter, @Sendable (InboundMedia.Counters) -> Int) {
            (Counter(label: Self.droppedLabel, dimensions: [("reason", reason)], factory: factory), read)
        }
        dropped = [
            counter("outside_peer_sources") { $0.outsidePeerSources },
            counter("wrong_source") { $0.fromWrongSource },
            counter("failed_authentication") { $0.failedAuthentication },
            counter("replayed") { $0.replayed },
            counter("malformed") { $0.malformed },
            counter("control_refused") { $0.controlRefused },
            counter("queue_full") { $0.droppedQueueFull },
        ].map { (counter: $0.0, read: $0.1) }
    }

    /// Adds one ended call's counters.
    func record(_ call: InboundMedia.Counters) {
        if call.accepted > 0 { packets.increment(by: Int64(call.accepted)) }
        for entry in dropped {
            let value = entry.read(call)
            if value > 0 { entry.counter.increment(by: Int64(value)) }
        }
    }
}
