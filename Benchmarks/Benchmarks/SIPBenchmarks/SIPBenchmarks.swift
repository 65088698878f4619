// Parsing an INVITE as a trunk sends it (with SDP) and serialising a 200 OK.
import Benchmark
import SIPCore

let invite = Array("""
    INVITE sip:+4930123456@box.example.eu;transport=tls SIP/2.0\r
    Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK-524287-1---9b8a1c4e2f7d3a60;rport\r
    Max-Forwards: 70\r
    Contact: <sip:+4915112345678@192.0.2.10:5061;transport=tls>\r
    To: <sip:+4930123456@box.example.eu>\r
    From: "Erika Mustermann" <sip:+4915112345678@trunk.example.eu>;tag=4a5b6c7d\r
    Call-ID: 8f14e45fceea167a5a36dedd4bea2543@192.0.2.10\r
    CSeq: 1 INVITE\r
    Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO\r
    Content-Type: application/sdp\r
    Supported: replaces, timer\r
    User-Agent: Trunk/1.0\r
    Content-Length: 295\r
    \r
    v=0\r
    o=- 3145 2719 IN IP4 192.0.2.10\r
    s=-\r
    c=IN IP4 192.0.2.10\r
    t=0 0\r
    m=audio 10000 RTP/SAVP 96 0 101\r
    a=rtpmap:96 opus/48000/2\r
    a=rtpmap:0 PCMU/8000\r
    a=rtpmap:101 telephone-event/8000\r
    a=ptime:20\r
    a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r
    a=sendrecv\r

    """.utf8)

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 200_000)
    let parser = SIPParser()

    Benchmark("Parse INVITE (datagram)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try parser.parse(datagram: invite))
        }
    }

    Benchmark("Parse and validate INVITE, with typed Via/From/To/CSeq", configuration: configuration) { benchmark in
        let validator = SIPRequestValidator()
        for _ in benchmark.scaledIterations {
            guard case .request(let request) = try parser.parse(datagram: invite) else { continue }
            blackHole(validator.validate(request))
        }
    }

    guard case .request(let request) = try? parser.parse(datagram: invite) else { return }
    let ok = request.response(200, toTag: "hb-7f3a", extraHeaders: [SIPHeaders.Field(name: .contact, value: "<sip:100@127.0.0.1:5061;transport=tls>")])
    Benchmark("Serialise 200 OK", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(ok.serialized)
        }
    }

    coreBenchmarks()
    strangerBenchmarks()
}
