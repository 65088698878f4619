/// What an INVITE says about whom it is for and who sent it: the targets a
/// voicemail system routes on (Request-URI, To, the diversion history) and the
/// caller's identity and privacy. Values only; which of them to believe is
/// the receiver's policy for the peer that sent the request.
///
/// A header that does not parse is left out and named in ``malformed``: the
/// call still reaches a mailbox by what remains, and the receiver counts it.
public struct CallAddressing: Sendable, Hashable {
    public var requestURI: URI
    public var to: URI?
    public var from: URI?
    /// RFC 7044 entries, in the order written.
    public var historyInfo: [HistoryInfoEntry]
    /// RFC 5806 entries, most recent diversion first.
    public var diversions: [DiversionEntry]
    /// RFC 3325 identities, as the sending network asserts them.
    public var assertedIdentities: [URI]
    /// RFC 3323 privacy values, lowercased.
    public var privacy: Set<String>
    /// Headers present but unreadable, in the order checked.
    public var malformed: [SIPHeaderName]

    public init(
        requestURI: URI, to: URI? = nil, from: URI? = nil, historyInfo: [HistoryInfoEntry] = [], diversions: [DiversionEntry] = [],
        assertedIdentities: [URI] = [], privacy: Set<String> = [], malformed: [SIPHeaderName] = []
    ) {
        self.requestURI = requestURI
        self.to = to
        self.from = from
        self.historyInfo = historyInfo
        self.diversions = diversions
        self.assertedIdentities = assertedIdentities
        self.privacy = privacy
        self.malformed = malformed
    }

    public init(_ request: SIPRequest) {
        var malformed: [SIPHeaderName] = []
        func read<T>(_ name: SIPHeaderName, empty: T, _ parse: () throws(SIPHeaderError) -> T) -> T {
            do {
                return try parse()
            } catch {
                malformed.append(name)
                return empty
            }
        }
        let headers = request.headers
        let to = read(.to, empty: nil) { () throws(SIPHeaderError) in try headers.to()?.uri }
        let from = read(.from, empty: nil) { () throws(SIPHeaderError) in try headers.from()?.uri }
        let historyInfo = read(.historyInfo, empty: []) { () throws(SIPHeaderError) in try headers.historyInfo() }
        let diversions = read(.diversion, empty: []) { () throws(SIPHeaderError) in try headers.diversions() }
        let identities = read(.pAssertedIdentity, empty: []) { () throws(SIPHeaderError) in try headers.assertedIdentities() }
        // An unreadable Privacy header still asked for privacy: treat it as `id`.
        let privacy = read(.privacy, empty: ["id"]) { () throws(SIPHeaderError) in try headers.privacy() }
        self.init(
            requestURI: request.uri, to: to, from: from, historyInfo: historyInfo, diversions: diversions,
            assertedIdentities: identities, privacy: privacy, malformed: malformed
        )
    }
}
