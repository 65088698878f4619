internal import Media
internal import Metrics
internal import Vault
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
    static let jitterLabel = "hushbox_media_jitter_packets_total"
    static let callsEndedLabel = CallMetrics.endedLabel

    private let packets: Counter
    private let recordingQueueBytes: Gauge
    private let recordingQueueJobs: Gauge
    private let jitter: [(counter: Counter, read: @Sendable (JitterBuffer.Statistics) -> Int)]
    /// SIP's calls, labelled `source="sip"`.
    private let calls: CallMetrics
    private let dropped: [(counter: Counter, read: @Sendable (InboundMedia.Counters) -> Int)]

    init(factory: any MetricsFactory) {
        packets = Counter(label: Self.packetsLabel, factory: factory)
        recordingQueueBytes = Gauge(label: Self.recordingQueueBytesLabel, factory: factory)
        recordingQueueJobs = Gauge(label: Self.recordingQueueJobsLabel, factory: factory)
        calls = CallMetrics(source: "sip", factory: factory)
        func jitterCounter(_ event: String, _ read: @escaping @Sendable (JitterBuffer.Statistics) -> Int) -> (Counter, @Sendable (JitterBuffer.Statistics) -> Int) {
            (Counter(label: Self.jitterLabel, dimensions: [("event", event)], factory: factory), read)
        }
        jitter = [
            jitterCounter("lost_concealed") { $0.lost },
            jitterCounter("late") { $0.late },
            jitterCounter("duplicate") { $0.duplicates },
        ].map { (counter: $0.0, read: $0.1) }
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

    /// What every call's storage queue holds now, and how many calls run.
    func record(_ storage: RecordingStorage.Backlog, callsActive active: Int) {
        recordingQueueBytes.record(storage.queuedBytes)
        recordingQueueJobs.record(storage.queuedJobs)
        calls.recordActive(active)
    }

    /// Counts an ended call by its outcome (nil: it could not be set up).
    func recordEnded(_ summary: CallerFlow.CallSummary?) {
        calls.recordEnded(summary)
    }

    /// Adds one ended call's media report.
    func record(_ report: RTPCallReport) {
        record(report.sockets)
        for entry in jitter {
            let value = entry.read(report.jitter)
            if value > 0 { entry.counter.increment(by: Int64(value)) }
        }
    }

    /// Adds one ended call's socket counters.
    func record(_ call: InboundMedia.Counters) {
        if call.accepted > 0 { packets.increment(by: Int64(call.accepted)) }
        for entry in dropped {
            let value = entry.read(call)
            if value > 0 { entry.counter.increment(by: Int64(value)) }
        }
    }
}
