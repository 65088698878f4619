extension SIPRequest {
    /// A response to this request as RFC 3261 §8.2.6.2 builds it: Via, From,
    /// Call-ID and CSeq copied as written, To copied with `toTag` added when it
    /// has none (not for 100 Trying).
    public func response(_ statusCode: Int, reason: String? = nil, toTag: String? = nil, extraHeaders: [SIPHeaders.Field] = []) -> SIPResponse {
        SIPResponseBuilder.response(to: headers, statusCode: statusCode, reason: reason, toTag: toTag, extraHeaders: extraHeaders)
    }
}

/// Builds responses from a request's header fields, also for a request whose
/// other headers failed to parse (then from the fields the parser salvaged).
public enum SIPResponseBuilder {
    public static func response(
        to requestHeaders: SIPHeaders, statusCode: Int, reason: String? = nil, toTag: String? = nil,
        extraHeaders: [SIPHeaders.Field] = []
    ) -> SIPResponse {
        var headers = SIPHeaders()
        for field in requestHeaders where field.name == .via {
            headers.append(.via, field.value)
        }
        for name in [SIPHeaderName.from, .to, .callID, .cseq] {
            guard var value = requestHeaders[name].first else { continue }
            if name == .to, statusCode > 100, let toTag, (try? NameAddress.parse(value))?.tag == nil {
                value += ";tag=" + toTag
            }
            headers.append(name, value)
        }
        for field in extraHeaders {
            headers.append(field.name, field.value)
        }
        return SIPResponse(statusCode: statusCode, reasonPhrase: reason, headers: headers)
    }
}
