/// How the box reads the calls one peer (a trunk, a PBX) sends it: where the
/// called mailbox comes from, how the peer writes numbers, and whether it may
/// say who is calling. A peer is trusted only for the headers its policy names:
/// anything else it sends about a diversion or an identity is ignored.
public struct PeerRouting: Sendable, Hashable {
    /// A place in an INVITE that names the person called.
    public enum CalledPartySource: String, Sendable, Hashable, CaseIterable {
        /// The last diversion in History-Info (RFC 7044), with its cause.
        case historyInfo = "history-info"
        /// The most recent Diversion entry (RFC 5806), with its reason.
        case diversion
        /// The Request-URI's user: the number or extension dialled, or a
        /// registration's Contact user.
        case requestURI = "request-uri"
        /// The To header's user: what a registrar leaves of the dialled number
        /// after rewriting the Request-URI to the box's Contact.
        case to
    }

    /// The documented default: History-Info, then Diversion, then the Request-URI.
    public static let defaultSources: [CalledPartySource] = [.historyInfo, .diversion, .requestURI]

    /// Tried in order; the first that names someone decides.
    public var calledPartySources: [CalledPartySource]
    public var numbers: CarrierNumberFormat
    /// Whether P-Asserted-Identity from this peer is believed (RFC 3325 §4:
    /// only from a network the box trusts to have checked it).
    public var assertsIdentity: Bool
    /// The Contact users the box registers with at this peer, and for each
    /// the mailbox (its SIP user or number) a call to it reaches; nil for
    /// "the registration's user, read as a dialled number".
    public var registrations: [String: String?]
    /// The only organisation (tenant id) whose mailboxes this peer's calls
    /// reach; nil for every organisation on the box.
    public var organisation: String?

    public init(
        calledPartySources: [CalledPartySource] = PeerRouting.defaultSources, numbers: CarrierNumberFormat = .default,
        assertsIdentity: Bool = false, registrations: [String: String?] = [:], organisation: String? = nil
    ) {
        self.organisation = organisation
        self.calledPartySources = calledPartySources
        self.numbers = numbers
        self.assertsIdentity = assertsIdentity
        self.registrations = registrations
    }
}
