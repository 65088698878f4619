internal import Media
internal import Metrics
internal import Voicemail

/// What calls' media sockets took and dropped, by reason, summed over calls
/// as each ends (Prometheus at /metrics in hushboxd): RTP sprayed at the port
/// range shows as `outside_peer_sources`, a forged or stale SRTP key as
/// `failed_authentication`, a call that fell behind as `queue_full`. And
/// what the calls' recordings have waiting for the card: a figure that grows
/// is a card too slow for the calls it has (a message cut off is logged).
struct MediaMetrics: Sendable {
    static let packetsLabel = "hushbox_media_packets_total"
    static let droppedLabel = "hushbox_media_dropped_total"
    static let recordingQueueBytesLabel = "hushbox_recording_queue_bytes"
    static let recordingQueueJobsLabel = "hushbox_recording_queue_jobs"

    private let packets: Counter
    private let recordingQueueBytes: Gauge
    private let recordingQueueJobs: Gauge
    private let dropped: [(counter: Counter, read: @Sendable (InboundMedia.Counters) -> Int)]

    init(factory: any MetricsFactory) {
        packets = Counter(label: Self.packetsLabel, factory: factory)
        recordingQueueBytes = Gauge(label: Self.recordingQueueBytesLabel, factory: factory)
        recordingQueueJobs = Gauge(label: Self.recordingQueueJobsLabel, factory: factory)
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

    /// What every call's storage queue holds now.
    func record(_ storage: RecordingStorage.Backlog) {
        recordingQueueBytes.record(storage.queuedBytes)
        recordingQueueJobs.record(storage.queuedJobs)
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
