/// Why bytes are not a SIP message, with what was salvaged so that a server
/// can still answer a broken request with 400 (RFC 3261 §8.2.6 needs its Via,
/// From, To, Call-ID and CSeq as written).
public struct SIPParseError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        public static let messageTooLarge = Code("messageTooLarge")
        public static let lineTooLong = Code("lineTooLong")
        public static let tooManyHeaders = Code("tooManyHeaders")
        public static let missingHeaderEnd = Code("missingHeaderEnd")
        public static let malformedStartLine = Code("malformedStartLine")
        public static let malformedHeaderLine = Code("malformedHeaderLine")
        public static let malformedContentLength = Code("malformedContentLength")
        public static let truncatedBody = Code("truncatedBody")
    }

    public let code: Code
    public let detail: String
    /// The response a server sends, if the request can be answered at all.
    public let suggestedStatus: Int
    /// Whether the bytes looked like a response (never answered, only dropped).
    public let looksLikeResponse: Bool
    /// Header fields that could be split before the failure.
    public let salvagedHeaders: SIPHeaders

    init(_ code: Code, _ detail: String, status: Int = 400, looksLikeResponse: Bool, salvaged: SIPHeaders = SIPHeaders()) {
        self.code = code
        self.detail = detail
        suggestedStatus = status
        self.looksLikeResponse = looksLikeResponse
        salvagedHeaders = salvaged
    }

    public var description: String { "\(code): \(detail)" }
}
