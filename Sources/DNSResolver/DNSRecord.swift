/// The DNS record types RFC 3263 locates a SIP server with.
public enum DNSRecordType: UInt16, Sendable, Hashable, CustomStringConvertible {
    case a = 1
    case aaaa = 28
    case srv = 33
    case naptr = 35

    public var description: String {
        switch self {
        case .a: "A"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .naptr: "NAPTR"
        }
    }
}

/// RFC 2782: where a service runs, in what order to try it.
public struct SRVRecord: Sendable, Hashable {
    public var priority: UInt16
    public var weight: UInt16
    public var port: UInt16
    /// A host name without the trailing dot; "." (empty here) means the service is not offered.
    public var target: String

    public init(priority: UInt16, weight: UInt16, port: UInt16, target: String) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }
}

/// RFC 3403: which SRV name serves which SIP transport (RFC 3263 §4.1).
public struct NAPTRRecord: Sendable, Hashable {
    public var order: UInt16
    public var preference: UInt16
    public var flags: String
    /// `SIPS+D2T`, `SIP+D2T`, `SIP+D2U`, …
    public var service: String
    public var regexp: String
    /// The name to look up next (an SRV name for flag "s"), without the trailing dot.
    public var replacement: String

    public init(order: UInt16, preference: UInt16, flags: String, service: String, regexp: String, replacement: String) {
        self.order = order
        self.preference = preference
        self.flags = flags
        self.service = service
        self.regexp = regexp
        self.replacement = replacement
    }
}

/// One record of an answer.
public enum DNSRecordData: Sendable, Hashable {
    /// An A or AAAA record, as an IP literal.
    case address(String)
    case service(SRVRecord)
    case naming(NAPTRRecord)
}

/// What a name server said for one name and type: the records (none for a
/// name or type that does not exist) and how long they may be kept.
public struct DNSAnswer: Sendable, Hashable {
    public var records: [DNSRecordData]
    public var timeToLive: Duration

    public init(records: [DNSRecordData], timeToLive: Duration) {
        self.records = records
        self.timeToLive = timeToLive
    }
}

/// A lookup that got no answer: no name server replied, or it failed.
public struct DNSError: Error, Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let type: DNSRecordType
    public let detail: String
    /// How long the resolver waited for the name server, when none answered.
    public let waited: Duration?

    public init(name: String, type: DNSRecordType, detail: String, waited: Duration? = nil) {
        self.name = name
        self.type = type
        self.detail = detail
        self.waited = waited
    }

    public var description: String { "DNS \(type) lookup of \(name) failed: \(detail)" }
}

/// Asks DNS one question.
public protocol DNSLookup: Sendable {
    func query(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSAnswer
}
