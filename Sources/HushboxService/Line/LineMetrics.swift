internal import LineAudio
internal import Metrics

/// What a telephone line did (Prometheus at /metrics in hushboxd): rings
/// counted and rejected, calls answered, the troubles now present, xruns and
/// device failures. Its calls are counted with SIP's, labelled `source="line"`.
struct LineMetrics: Sendable {
    static let ringsLabel = "hushbox_line_rings_total"
    static let ringsRejectedLabel = "hushbox_line_rings_rejected_total"
    static let answeredLabel = "hushbox_line_calls_answered_total"
    static let troubleLabel = "hushbox_line_trouble"
    static let xrunsLabel = "hushbox_line_xruns_total"
    static let deviceFailuresLabel = "hushbox_line_device_failures_total"

    let rings: Counter
    let ringsRejected: Counter
    let answered: Counter
    let deviceFailures: Counter
    let captureXruns: Counter
    let playbackXruns: Counter
    private let troubles: [LineSupervisor.Trouble: Gauge]
    let calls: CallMetrics

    init(factory: any MetricsFactory) {
        rings = Counter(label: Self.ringsLabel, factory: factory)
        ringsRejected = Counter(label: Self.ringsRejectedLabel, factory: factory)
        answered = Counter(label: Self.answeredLabel, factory: factory)
        deviceFailures = Counter(label: Self.deviceFailuresLabel, factory: factory)
        captureXruns = Counter(label: Self.xrunsLabel, dimensions: [("direction", "capture")], factory: factory)
        playbackXruns = Counter(label: Self.xrunsLabel, dimensions: [("direction", "playback")], factory: factory)
        troubles = Dictionary(uniqueKeysWithValues: LineSupervisor.Trouble.allCases.map { trouble in
            let gauge = Gauge(label: Self.troubleLabel, dimensions: [("kind", trouble.rawValue)], factory: factory)
            gauge.record(0)
            return (trouble, gauge)
        })
        calls = CallMetrics(source: "line", factory: factory)
    }

    func trouble(_ trouble: LineSupervisor.Trouble, present: Bool) {
        troubles[trouble]?.record(present ? 1 : 0)
    }
}
