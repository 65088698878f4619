/// A header field name, compared case-insensitively, with RFC 3261 §7.3.3's
/// compact forms expanded (`v` is Via, `l` is Content-Length, …).
public struct SIPHeaderName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The canonical spelling for known names; as written otherwise.
    public let canonical: String
    private let key: String

    public init(_ name: String) {
        let lowered = name.lowercased()
        let expanded = Self.compactForms[lowered] ?? lowered
        key = expanded
        canonical = Self.canonicalSpellings[expanded] ?? name
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public var description: String { canonical }

    public static func == (lhs: SIPHeaderName, rhs: SIPHeaderName) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    public static let via: SIPHeaderName = "Via"
    public static let from: SIPHeaderName = "From"
    public static let to: SIPHeaderName = "To"
    public static let callID: SIPHeaderName = "Call-ID"
    public static let cseq: SIPHeaderName = "CSeq"
    public static let maxForwards: SIPHeaderName = "Max-Forwards"
    public static let contact: SIPHeaderName = "Contact"
    public static let contentLength: SIPHeaderName = "Content-Length"
    public static let contentType: SIPHeaderName = "Content-Type"
    public static let contentEncoding: SIPHeaderName = "Content-Encoding"
    public static let accept: SIPHeaderName = "Accept"
    public static let acceptEncoding: SIPHeaderName = "Accept-Encoding"
    public static let allow: SIPHeaderName = "Allow"
    public static let require: SIPHeaderName = "Require"
    public static let proxyRequire: SIPHeaderName = "Proxy-Require"
    public static let supported: SIPHeaderName = "Supported"
    public static let unsupported: SIPHeaderName = "Unsupported"
    public static let expires: SIPHeaderName = "Expires"
    public static let date: SIPHeaderName = "Date"
    public static let route: SIPHeaderName = "Route"
    public static let recordRoute: SIPHeaderName = "Record-Route"
    public static let userAgent: SIPHeaderName = "User-Agent"
    public static let server: SIPHeaderName = "Server"
    public static let wwwAuthenticate: SIPHeaderName = "WWW-Authenticate"
    public static let authorization: SIPHeaderName = "Authorization"
    public static let proxyAuthenticate: SIPHeaderName = "Proxy-Authenticate"
    public static let proxyAuthorization: SIPHeaderName = "Proxy-Authorization"
    public static let retryAfter: SIPHeaderName = "Retry-After"
    public static let warning: SIPHeaderName = "Warning"
    public static let historyInfo: SIPHeaderName = "History-Info"
    public static let diversion: SIPHeaderName = "Diversion"
    public static let pAssertedIdentity: SIPHeaderName = "P-Asserted-Identity"
    public static let privacy: SIPHeaderName = "Privacy"

    private static let compactForms: [String: String] = [
        "i": "call-id", "m": "contact", "e": "content-encoding", "l": "content-length", "c": "content-type",
        "f": "from", "s": "subject", "k": "supported", "t": "to", "v": "via", "o": "event", "r": "refer-to",
        "b": "referred-by", "u": "allow-events", "x": "session-expires", "y": "identity", "a": "accept-contact",
        "j": "reject-contact", "d": "request-disposition",
    ]

    private static let canonicalSpellings: [String: String] = Dictionary(
        uniqueKeysWithValues: [
            "Via", "From", "To", "Call-ID", "CSeq", "Max-Forwards", "Contact", "Content-Length", "Content-Type",
            "Content-Encoding", "Accept", "Accept-Encoding", "Accept-Language", "Allow", "Require", "Proxy-Require",
            "Supported", "Unsupported", "Expires", "Date", "Route", "Record-Route", "User-Agent", "Server",
            "WWW-Authenticate", "Authorization", "Proxy-Authenticate", "Proxy-Authorization", "Retry-After",
            "Warning", "Subject", "Event", "Refer-To", "Referred-By", "Allow-Events", "Session-Expires", "Identity",
            "Accept-Contact", "Reject-Contact", "Request-Disposition", "Min-Expires", "Timestamp", "Organization",
            "Priority", "Reply-To", "In-Reply-To", "Error-Info", "Alert-Info", "Call-Info", "MIME-Version",
            "Content-Disposition", "Content-Language", "Authentication-Info", "History-Info", "Diversion",
            "P-Asserted-Identity", "Privacy",
        ].map { ($0.lowercased(), $0) }
    )
}
