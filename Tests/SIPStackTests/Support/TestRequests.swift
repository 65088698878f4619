import SIPCore
@testable import SIPStack

/// Requests as a caller's user agent writes them, for driving the core.
struct TestCaller {
    var host = "192.0.2.10"
    var port = 5062
    var transport: SIPTransport = .tls
    var callID = "a84b4c76e66710@pc33"
    var fromTag = "1928301774"
    var branchCounter = 0
    var userAgent = "baresip v1.0.0"

    /// The host as a SIP URI or Via writes it: an IPv6 address in brackets.
    var uriHost: String { host.contains(":") ? "[\(host)]" : host }

    var flow: SIPFlow {
        SIPFlow(transport: transport, remote: SocketEndpoint(host: host, port: port), connection: transport.isReliable ? ConnectionID(7) : nil)
    }

    static let srtpOffer = """
        v=0\r
        o=- 3145 2719 IN IP4 192.0.2.10\r
        s=-\r
        c=IN IP4 192.0.2.10\r
        t=0 0\r
        m=audio 10000 RTP/SAVP 96 0 101\r
        a=rtpmap:96 opus/48000/2\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=sendrecv\r
        a=ptime:20\r
        a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r

        """

    static let plainOffer = srtpOffer.replacingOccurrences("RTP/SAVP", "RTP/AVP").replacingOccurrences(
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n", "")

    static let holdOffer = srtpOffer.replacingOccurrences("a=sendrecv", "a=sendonly").replacingOccurrences("o=- 3145 2719", "o=- 3145 2720")

    mutating func nextBranch() -> String {
        branchCounter += 1
        return "z9hG4bK-test-\(branchCounter)"
    }

    func request(
        _ method: SIPMethod, branch: String, cseq: UInt32, toTag: String? = nil, body: String = "",
        extra: [(String, String)] = [], uri: String = "sip:100@192.0.2.1"
    ) -> String {
        var lines = [
            "\(method) \(uri) SIP/2.0",
            "Via: SIP/2.0/\(transport.viaName) \(uriHost):\(port);branch=\(branch);rport",
            "Max-Forwards: 70",
            "From: \"Caller\" <sip:+4930123456@\(uriHost)>;tag=\(fromTag)",
            "To: <\(uri)>" + (toTag.map { ";tag=\($0)" } ?? ""),
            "Call-ID: \(callID)",
            "CSeq: \(cseq) \(method == .ack ? "ACK" : method.rawValue)",
            "Contact: <sip:caller@\(uriHost):\(port);transport=\(transport.rawValue)>",
            "User-Agent: \(userAgent)",
        ]
        for (name, value) in extra { lines.append("\(name): \(value)") }
        if !body.isEmpty { lines.append("Content-Type: application/sdp") }
        lines.append("Content-Length: \(body.utf8.count)")
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension Array where Element == SignallingAction {
    /// The SIP messages sent, parsed back.
    var sent: [SIPMessage] {
        compactMap { action in
            guard case .send(let bytes, _) = action else { return nil }
            return try? SIPParser().parse(datagram: bytes)
        }
    }

    var sentResponses: [SIPResponse] {
        sent.compactMap { if case .response(let response) = $0 { response } else { nil } }
    }

    var sentRequests: [SIPRequest] {
        sent.compactMap { if case .request(let request) = $0 { request } else { nil } }
    }

    var statusCodes: [Int] { sentResponses.map(\.statusCode) }

    var incomingCall: IncomingCall? {
        for action in self { if case .incomingCall(let call) = action { return call } }
        return nil
    }

    var endings: [CallEnd] {
        compactMap { if case .callEnded(_, let reason, _) = $0 { reason } else { nil } }
    }

    var logs: [SignallingLogRecord] {
        compactMap { if case .log(let record) = $0 { record } else { nil } }
    }
}
