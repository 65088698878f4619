/// Turns the bytes of one message into a ``SIPMessage``: start line, unfolded
/// header fields, body by Content-Length. Pure, with limits on size, line
/// length and header count so a hostile peer cannot make it work or allocate
/// without bound. Header values are checked against their grammar later, by
/// the typed accessors and ``SIPRequestValidator``, so that a request with one
/// bad header can still be answered with a precise 400.
public struct SIPParser: Sendable {
    public struct Limits: Sendable, Hashable {
        /// A UDP datagram's payload cannot exceed this; streams are held to it too.
        public var maximumMessageBytes = 65_535
        public var maximumLineBytes = 8_192
        public var maximumHeaderFields = 128

        public init() {}
    }

    public let limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Parses a whole datagram. Octets after the Content-Length body are ignored
    /// (RFC 3261 §18.3); without Content-Length the body is the rest of the datagram.
    public func parse(datagram: some Collection<UInt8>) throws(SIPParseError) -> SIPMessage {
        let bytes = Array(datagram)
        return try parse(bytes, requireContentLength: false).message
    }

    /// For a stream transport: the length of the first whole message at the
    /// start of `buffer`, or nil when more bytes are needed. Leading CRLF
    /// keep-alives (RFC 5626 §3.5.1) count towards the length.
    public func frameLength(in buffer: [UInt8]) throws(SIPParseError) -> Int? {
        guard let total = try messageLength(in: buffer) else { return nil }
        return buffer.count >= total ? total : nil
    }

    /// For a stream transport: how long the message at the start of `buffer`
    /// is, once its header fields are complete (the body need not have
    /// arrived); nil while the empty line that ends them has not.
    public func messageLength(in buffer: [UInt8]) throws(SIPParseError) -> Int? {
        let start = Self.skipLeadingCRLF(buffer)
        guard let headerEnd = Self.headerEnd(in: buffer, from: start) else {
            guard buffer.count <= limits.maximumMessageBytes else {
                throw SIPParseError(.messageTooLarge, "no end of headers within \(limits.maximumMessageBytes) bytes", status: 513, looksLikeResponse: false)
            }
            return nil
        }
        let head = try splitHead(buffer, from: start, to: headerEnd)
        let looksLikeResponse = head.startLine.starts(with: Array("SIP/".utf8))
        guard let length = try contentLength(head.fields, looksLikeResponse: looksLikeResponse) else {
            throw SIPParseError(.malformedContentLength, "a message on a stream transport must carry Content-Length (RFC 3261 §18.3)", looksLikeResponse: looksLikeResponse, salvaged: head.fields)
        }
        let total = headerEnd + 4 + length
        guard total <= limits.maximumMessageBytes + start else {
            throw SIPParseError(.messageTooLarge, "the message would be \(total) bytes", status: 513, looksLikeResponse: looksLikeResponse, salvaged: head.fields)
        }
        return total
    }

    func parse(_ bytes: [UInt8], requireContentLength: Bool) throws(SIPParseError) -> (message: SIPMessage, consumed: Int) {
        guard bytes.count <= limits.maximumMessageBytes else {
            throw SIPParseError(.messageTooLarge, "\(bytes.count) bytes is more than \(limits.maximumMessageBytes)", status: 513, looksLikeResponse: false)
        }
        let start = Self.skipLeadingCRLF(bytes)
        let looksLikeResponse = bytes[start...].starts(with: Array("SIP/".utf8))
        guard let headerEnd = Self.headerEnd(in: bytes, from: start) else {
            throw SIPParseError(.missingHeaderEnd, "no empty line ends the header fields", looksLikeResponse: looksLikeResponse)
        }
        let head = try splitHead(bytes, from: start, to: headerEnd)
        let bodyStart = headerEnd + 4
        let body: ArraySlice<UInt8>
        if let length = try contentLength(head.fields, looksLikeResponse: looksLikeResponse) {
            guard bytes.count - bodyStart >= length else {
                throw SIPParseError(.truncatedBody, "Content-Length is \(length) but only \(bytes.count - bodyStart) body bytes arrived", looksLikeResponse: looksLikeResponse, salvaged: head.fields)
            }
            body = bytes[bodyStart..<(bodyStart + length)]
        } else {
            guard !requireContentLength else {
                throw SIPParseError(.malformedContentLength, "Content-Length is required on stream transports", looksLikeResponse: looksLikeResponse, salvaged: head.fields)
            }
            body = bytes[bodyStart...]
        }
        let message: SIPMessage
        if looksLikeResponse {
            message = .response(try Self.response(statusLine: head.startLine, headers: head.fields, body: Array(body)))
        } else {
            message = .request(try Self.request(requestLine: head.startLine, headers: head.fields, body: Array(body)))
        }
        return (message, bodyStart + body.count)
    }

    // MARK: Framing

    private struct Head {
        var startLine: [UInt8]
        var fields: SIPHeaders
    }

    static func skipLeadingCRLF(_ bytes: [UInt8]) -> Int {
        var index = 0
        while index + 1 < bytes.count, bytes[index] == SIPGrammar.cr, bytes[index + 1] == SIPGrammar.lf { index += 2 }
        return index
    }

    /// The index of the CRLFCRLF that ends the header section.
    static func headerEnd(in bytes: [UInt8], from start: Int) -> Int? {
        var index = start
        while index + 3 < bytes.count {
            if bytes[index] == SIPGrammar.cr, bytes[index + 1] == SIPGrammar.lf, bytes[index + 2] == SIPGrammar.cr, bytes[index + 3] == SIPGrammar.lf {
                return index
            }
            index += 1
        }
        return nil
    }

    private func splitHead(_ bytes: [UInt8], from start: Int, to end: Int) throws(SIPParseError) -> Head {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = start
        var index = start
        while index < end {
            if bytes[index] == SIPGrammar.cr, index + 1 < bytes.count, bytes[index + 1] == SIPGrammar.lf {
                lines.append(bytes[lineStart..<index])
                index += 2
                lineStart = index
            } else {
                index += 1
            }
        }
        lines.append(bytes[lineStart..<end])
        let looksLikeResponse = lines[0].starts(with: Array("SIP/".utf8))
        var fields = SIPHeaders()
        var pendingName: String?
        var pendingValue: [UInt8] = []

        func flush() throws(SIPParseError) {
            guard let name = pendingName else { return }
            guard fields.count < limits.maximumHeaderFields else {
                throw SIPParseError(.tooManyHeaders, "more than \(limits.maximumHeaderFields) header fields", looksLikeResponse: looksLikeResponse, salvaged: fields)
            }
            guard pendingValue.count <= limits.maximumLineBytes else {
                throw SIPParseError(.lineTooLong, "the \(name) header is longer than \(limits.maximumLineBytes) bytes", looksLikeResponse: looksLikeResponse, salvaged: fields)
            }
            fields.append(SIPHeaderName(name), String(decoding: pendingValue, as: UTF8.self).trimmingLWS)
            pendingName = nil
            pendingValue.removeAll(keepingCapacity: true)
        }

        for (number, line) in lines.enumerated() {
            guard line.count <= limits.maximumLineBytes else {
                throw SIPParseError(.lineTooLong, "line \(number + 1) is longer than \(limits.maximumLineBytes) bytes", looksLikeResponse: looksLikeResponse, salvaged: fields)
            }
            // NUL may appear escaped in a quoted string (RFC 4475 intmeth); each
            // header's grammar decides where else it is allowed.
            if line.contains(where: { $0 == SIPGrammar.cr || $0 == SIPGrammar.lf }) {
                throw SIPParseError(.malformedHeaderLine, "line \(number + 1) holds a bare CR or LF", looksLikeResponse: looksLikeResponse, salvaged: fields)
            }
            if number == 0 { continue }
            if let first = line.first, SIPGrammar.isWhitespace(first) {
                // Folded continuation (RFC 3261 §7.3.1): joins the previous value with one space.
                guard pendingName != nil else {
                    throw SIPParseError(.malformedHeaderLine, "line \(number + 1) continues a header that does not exist", looksLikeResponse: looksLikeResponse, salvaged: fields)
                }
                pendingValue.append(SIPGrammar.space)
                pendingValue.append(contentsOf: line.drop(while: SIPGrammar.isWhitespace))
                continue
            }
            try flush()
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw SIPParseError(.malformedHeaderLine, "line \(number + 1) is not 'Name: value' (no colon)", looksLikeResponse: looksLikeResponse, salvaged: fields)
            }
            let nameBytes = line[line.startIndex..<colon].reversed().drop(while: SIPGrammar.isWhitespace).reversed()
            guard !nameBytes.isEmpty, nameBytes.allSatisfy(SIPGrammar.isTokenByte) else {
                throw SIPParseError(.malformedHeaderLine, "line \(number + 1) has no valid header name before its colon", looksLikeResponse: looksLikeResponse, salvaged: fields)
            }
            pendingName = String(decoding: nameBytes, as: UTF8.self)
            pendingValue = Array(line[(colon + 1)...])
        }
        try flush()
        return Head(startLine: Array(lines[0]), fields: fields)
    }

    /// The body length from Content-Length, nil when absent. One value only, digits only.
    private func contentLength(_ fields: SIPHeaders, looksLikeResponse: Bool) throws(SIPParseError) -> Int? {
        let values = fields[.contentLength]
        guard !values.isEmpty else { return nil }
        guard values.count == 1 else {
            throw SIPParseError(.malformedContentLength, "Content-Length appears \(values.count) times: the body's end cannot be known", looksLikeResponse: looksLikeResponse, salvaged: fields)
        }
        let value = values[0]
        // Nine digits or fewer parse exactly; more are certainly too large.
        guard !value.isEmpty, value.utf8.allSatisfy(SIPGrammar.isDigit), let length = value.count <= 9 ? Int(value) : Int.max else {
            throw SIPParseError(.malformedContentLength, "Content-Length '\(value.prefix(20))' is not a non-negative number", looksLikeResponse: looksLikeResponse, salvaged: fields)
        }
        guard length <= limits.maximumMessageBytes else {
            throw SIPParseError(.messageTooLarge, "Content-Length \(value.prefix(12)) is more than \(limits.maximumMessageBytes)", status: 513, looksLikeResponse: looksLikeResponse, salvaged: fields)
        }
        return length
    }

    // MARK: Start lines

    /// Request-Line = Method SP Request-URI SP SIP-Version: exactly one space
    /// between elements and none at the ends (RFC 4475 lwsstart, trws, lwsruri).
    private static func request(requestLine: [UInt8], headers: SIPHeaders, body: [UInt8]) throws(SIPParseError) -> SIPRequest {
        let line = String(decoding: requestLine, as: UTF8.self)
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        func fail(_ detail: String) -> SIPParseError {
            SIPParseError(.malformedStartLine, detail, looksLikeResponse: false, salvaged: headers)
        }
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw fail("the request line must be 'METHOD URI SIP/2.0' with single spaces: '\(line.prefix(60))'")
        }
        guard SIPGrammar.isToken(parts[0]) else { throw fail("'\(parts[0].prefix(30))' is not a method token") }
        guard isVersion(parts[2]) else { throw fail("'\(parts[2].prefix(20))' is not a SIP version") }
        let uriText = String(parts[1])
        guard !uriText.hasPrefix("<") else { throw fail("the Request-URI must not be enclosed in '<>'") }
        let uri: URI
        do {
            uri = try URI.parse(uriText)
        } catch {
            throw fail("bad Request-URI: \(error.detail)")
        }
        // RFC 3261 §19.1.1: headers are not allowed in a Request-URI.
        if let sip = uri.sipURI, !sip.headers.isEmpty {
            throw fail("the Request-URI carries '?' headers, which a Request-URI may not")
        }
        return SIPRequest(method: SIPMethod(String(parts[0])), uri: uri, version: String(parts[2]), headers: headers, body: body)
    }

    /// Status-Line = SIP-Version SP Status-Code SP Reason-Phrase, code 100–699.
    private static func response(statusLine: [UInt8], headers: SIPHeaders, body: [UInt8]) throws(SIPParseError) -> SIPResponse {
        let line = String(decoding: statusLine, as: UTF8.self)
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, isVersion(parts[0]), parts[1].count == 3, parts[1].utf8.allSatisfy(SIPGrammar.isDigit),
            let code = Int(parts[1]), (100...699).contains(code)
        else {
            throw SIPParseError(.malformedStartLine, "'\(line.prefix(60))' is not 'SIP/2.0 NNN reason' with a code from 100 to 699", looksLikeResponse: true, salvaged: headers)
        }
        return SIPResponse(statusCode: code, reasonPhrase: String(parts[2]), version: String(parts[0]), headers: headers, body: body)
    }

    /// SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (case-insensitive "SIP").
    private static func isVersion(_ text: Substring) -> Bool {
        guard text.uppercased().hasPrefix("SIP/") else { return false }
        let numbers = text.dropFirst(4).split(separator: ".", omittingEmptySubsequences: false)
        return numbers.count == 2 && numbers.allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(SIPGrammar.isDigit) }
    }
}
