extension SIPRequest {
    /// The request's bytes, with Content-Length set to the body's length.
    public var serialized: [UInt8] {
        SIPSerialization.bytes(startLine: "\(method) \(uri) \(version)", headers: headers, body: body)
    }
}

extension SIPResponse {
    public var serialized: [UInt8] {
        SIPSerialization.bytes(startLine: "\(version) \(statusCode) \(reasonPhrase)", headers: headers, body: body)
    }
}

extension SIPMessage {
    public var serialized: [UInt8] {
        switch self {
        case .request(let request): request.serialized
        case .response(let response): response.serialized
        }
    }
}

enum SIPSerialization {
    static func bytes(startLine: String, headers: SIPHeaders, body: [UInt8]) -> [UInt8] {
        var headers = headers
        headers.set(.contentLength, String(body.count))
        var output: [UInt8] = []
        output.reserveCapacity(256 + headers.count * 48 + body.count)
        output.append(contentsOf: startLine.utf8)
        output.append(contentsOf: [SIPGrammar.cr, SIPGrammar.lf])
        for field in headers {
            output.append(contentsOf: field.name.canonical.utf8)
            output.append(contentsOf: ": ".utf8)
            output.append(contentsOf: field.value.utf8)
            output.append(contentsOf: [SIPGrammar.cr, SIPGrammar.lf])
        }
        output.append(contentsOf: [SIPGrammar.cr, SIPGrammar.lf])
        output.append(contentsOf: body)
        return output
    }
}
