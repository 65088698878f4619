internal import Metrics
internal import SIPCore
internal import Voicemail

/// How calls found (or missed) their mailbox, made once: which part of the
/// INVITE named the person called, why forwarded calls were forwarded, and
/// the routing headers the box ignored — sent by a peer not trusted for them
/// (`untrusted`: a trunk that should not claim diversions, or a
/// misconfiguration) or unreadable (`malformed`).
struct RoutingMetrics: Sendable {
    static let routedLabel = "hushbox_calls_routed_total"
    static let ignoredLabel = "hushbox_sip_routing_headers_ignored_total"

    private let routed: [String: Counter]
    private let ignored: [String: Counter]

    static let headers: [SIPHeaderName] = [.historyInfo, .diversion, .pAssertedIdentity, .privacy, .to, .from]

    init(factory: any MetricsFactory) {
        var routed: [String: Counter] = [:]
        for source in PeerRouting.CalledPartySource.allCases {
            for reason in DiversionReason.allCases.map(\.rawValue) + ["none"] {
                routed[source.rawValue + "/" + reason] = Counter(
                    label: Self.routedLabel, dimensions: [("by", source.rawValue), ("diverted", reason)], factory: factory
                )
            }
        }
        routed["none/none"] = Counter(label: Self.routedLabel, dimensions: [("by", "none"), ("diverted", "none")], factory: factory)
        self.routed = routed
        var ignored: [String: Counter] = [:]
        for header in Self.headers {
            for why in ["untrusted", "malformed"] {
                ignored[header.canonical + "/" + why] = Counter(label: Self.ignoredLabel, dimensions: [("header", header.canonical), ("why", why)], factory: factory)
            }
        }
        self.ignored = ignored
    }

    func record(_ routing: CallRouting) {
        routed[(routing.calledFrom?.rawValue ?? "none") + "/" + (routing.reason?.rawValue ?? "none")]?.increment()
        for header in routing.ignoredHeaders { ignored[header.canonical + "/untrusted"]?.increment() }
        for header in routing.malformedHeaders { ignored[header.canonical + "/malformed"]?.increment() }
    }
}
