internal import Metrics
internal import Vault
internal import Voicemail

/// Calls in progress and ended, by outcome, for one source of calls
/// (`sip` or `line`): `hushbox_calls_active{source}` and
/// `hushbox_calls_ended_total{source,outcome}`.
struct CallMetrics: Sendable {
    static let activeLabel = "hushbox_calls_active"
    static let endedLabel = "hushbox_calls_ended_total"

    private let active: Gauge
    /// By outcome; a call that could not be set up is `failed`.
    private let ended: [Call.Outcome: Counter]

    init(source: String, factory: any MetricsFactory) {
        active = Gauge(label: Self.activeLabel, dimensions: [("source", source)], factory: factory)
        let outcomes: [Call.Outcome] = [.recorded, .noMessage, .declinedConsent, .mailboxFull, .failed]
        ended = Dictionary(uniqueKeysWithValues: outcomes.map {
            ($0, Counter(label: Self.endedLabel, dimensions: [("source", source), ("outcome", $0.rawValue)], factory: factory))
        })
    }

    func recordActive(_ count: Int) {
        active.record(count)
    }

    /// Counts an ended call by its outcome (nil: it could not be set up).
    func recordEnded(_ summary: CallerFlow.CallSummary?) {
        ended[summary.map { Call.Outcome($0.outcome) } ?? .failed]?.increment()
    }
}
