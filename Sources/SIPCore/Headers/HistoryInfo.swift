/// One entry of a History-Info header (RFC 7044 §4.1): a target the request
/// was sent to on its way, with where that entry sits in the request's history.
public struct HistoryInfoEntry: Sendable, Hashable {
    /// `hi-targeted-to-uri`: where the request was sent at this step.
    public var target: URI
    /// `index` (§10.3): "1.1.2" as [1, 1, 2].
    public var index: [Int]
    /// `mp` (§4.2.2): the index of the entry this target was mapped from: the
    /// request was retargeted to a different user (a forward, a diversion).
    public var mappedFrom: [Int]?
    /// `rc` (§4.2.2): the index of the entry this target was recursed from (a
    /// contact of the same user, e.g. a registrar's location lookup).
    public var recursedFrom: [Int]?
    /// RFC 4458 §3's `cause` URI parameter of the target: why the request was
    /// retargeted to it (486 busy, 408 no answer, …).
    public var cause: Int?
    /// RFC 4458's `target` URI parameter: the user first called, as the
    /// diverting party wrote it.
    public var originalTarget: URI?
    /// The `Reason` (RFC 3326) the request to this target ended with, which
    /// RFC 7044 §4.2.1 escapes into the target's URI headers.
    public var reasonCause: Int?

    /// More entries than this make the header unusable: a request that has
    /// been retargeted 64 times is a loop or an attack, not a forwarded call.
    public static let maximumEntries = 64

    /// Parses one `hi-entry`.
    public static func parse(_ text: String) throws(SIPHeaderError.Problem) -> HistoryInfoEntry {
        let value = try NameAddress.parse(text)
        guard value.bracketed else { throw .init("a History-Info target must be enclosed in '<…>'") }
        guard let indexText = value.parameters[parameter: "index"] ?? nil else { throw .init("an entry has no index") }
        var entry = HistoryInfoEntry(
            target: value.uri, index: try Self.index(indexText),
            mappedFrom: try (value.parameters[parameter: "mp"] ?? nil).map(Self.index),
            recursedFrom: try (value.parameters[parameter: "rc"] ?? nil).map(Self.index)
        )
        if case .sip(let uri) = value.uri {
            entry.cause = try (uri.parameter("cause") ?? nil).map(Self.statusCode)
            entry.originalTarget = try (uri.parameter("target") ?? nil).map { raw throws(SIPHeaderError.Problem) in
                try URI.parse(URICharacters.unescape(raw))
            }
            if let reason = uri.headers.first(where: { $0.name.lowercased() == "reason" })?.value {
                entry.reasonCause = Self.sipCause(inReason: URICharacters.unescape(reason))
            }
        }
        return entry
    }

    init(target: URI, index: [Int], mappedFrom: [Int]? = nil, recursedFrom: [Int]? = nil) {
        self.target = target
        self.index = index
        self.mappedFrom = mappedFrom
        self.recursedFrom = recursedFrom
    }

    /// The last diversion in a request's history: the user the request was
    /// meant for before it was last retargeted to another user, and why.
    /// A history without a mapped (`mp`) or `cause`-carrying entry was never
    /// diverted (a proxy's location lookup only adds `rc` entries): nil.
    public static func lastDiversion(in entries: [HistoryInfoEntry]) -> (diverted: URI, reason: DiversionReason?)? {
        guard let position = entries.lastIndex(where: { $0.mappedFrom != nil || $0.cause != nil }) else { return nil }
        let diverting = entries[position]
        // RFC 7044 §4.2.2: mp names the entry whose target was mapped to this one;
        // RFC 4458's target parameter names the original user outright.
        // Without mp, the entry one level up the index tree (§10.3): not the
        // entry written before, which may be a sibling branch of a fork.
        let parent = diverting.mappedFrom ?? (diverting.index.count > 1 ? Array(diverting.index.dropLast()) : nil)
        let source: HistoryInfoEntry? = parent.flatMap { parent in entries[..<position].last { $0.index == parent } }
        guard let diverted = diverting.originalTarget ?? source?.target else { return nil }
        // The cause on the new target is RFC 4458's; a Reason on the old one is the status its request ended with.
        let reason = diverting.cause.map(DiversionReason.init(cause:)) ?? source?.reasonCause.map(DiversionReason.init(failureStatus:))
        return (diverted, reason)
    }

    /// `index-val = number *("." number)` (§10.3), each level at most 9999 and at most 32 levels.
    private static func index(_ text: String) throws(SIPHeaderError.Problem) -> [Int] {
        let levels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...32).contains(levels.count) else { throw .init("index '\(text.prefix(20))' has too many levels") }
        var result: [Int] = []
        for level in levels {
            guard (1...4).contains(level.count), level.utf8.allSatisfy(SIPGrammar.isDigit), let number = Int(level) else {
                throw .init("index '\(text.prefix(20))' is not numbers separated by '.'")
            }
            result.append(number)
        }
        return result
    }

    private static func statusCode(_ text: String) throws(SIPHeaderError.Problem) -> Int {
        guard text.utf8.count == 3, text.utf8.allSatisfy(SIPGrammar.isDigit), let code = Int(text), (100...699).contains(code) else {
            throw .init("cause '\(text.prefix(12))' is not a SIP status code")
        }
        return code
    }

    /// The cause of a `Reason: SIP ;cause=486 ;text="…"` value; nil for another protocol's or none.
    private static func sipCause(inReason value: String) -> Int? {
        let parts = value.split(separator: ";").map { $0.trimmingLWS }
        guard parts.first?.uppercased() == "SIP" else { return nil }
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingLWS }
            if pair.count == 2, pair[0].lowercased() == "cause" { return try? statusCode(pair[1]) }
        }
        return nil
    }
}

extension SIPHeaders {
    /// Every History-Info entry, in the order written (RFC 7044 §4.1).
    public func historyInfo() throws(SIPHeaderError) -> [HistoryInfoEntry] {
        try parsedList(.historyInfo, atMost: HistoryInfoEntry.maximumEntries, HistoryInfoEntry.parse)
    }
}
