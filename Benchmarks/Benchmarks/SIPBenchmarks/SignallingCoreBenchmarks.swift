// A whole answered call through the signalling core, against the floor of
// parsing the same three requests and serialising the same three responses.
import Benchmark
import SIPCore
import SIPStack

/// SplitMix64: the core's randomness, seeded so every iteration makes the same tags.
struct SeededRandom: RandomNumberGenerator, Sendable {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

let trunkFlow = SIPFlow(transport: .tls, remote: SocketEndpoint(host: "192.0.2.10", port: 5061), connection: ConnectionID(1))
let coreConfiguration = SignallingConfiguration(
    advertisedAddress: "192.0.2.1", ports: [.udp: 5060, .tcp: 5060, .tls: 5061],
    peers: [try! SIPPeer(name: "trunk", kind: .trunk, sources: [AddressRange("192.0.2.0/24")])]
)

/// One call: INVITE in, accept, ACK in, BYE in. Returns what was sent.
func answeredCall(ack: [UInt8], bye: [UInt8]) -> Int {
    var core = SignallingCore(configuration: coreConfiguration, random: SeededRandom(state: 1))
    var sent = 0
    for action in core.receive(invite, over: trunkFlow, at: .zero) {
        if case .incomingCall(let call) = action { sent += core.accept(call.reference, at: .zero).count }
        sent += 1
    }
    sent += core.receive(ack, over: trunkFlow, at: .milliseconds(20)).count
    sent += core.receive(bye, over: trunkFlow, at: .seconds(5)).count
    return sent
}

/// The ACK and BYE a caller sends for the 200 OK this seeded core produces.
func inDialogRequests() -> (ack: [UInt8], bye: [UInt8]) {
    var core = SignallingCore(configuration: coreConfiguration, random: SeededRandom(state: 1))
    var tag = ""
    for case .incomingCall(let call) in core.receive(invite, over: trunkFlow, at: .zero) {
        for case .send(let bytes, _) in core.accept(call.reference, at: .zero) {
            if case .response(let ok) = try? SIPParser().parse(datagram: bytes) { tag = (try? ok.headers.to()?.tag) ?? "" }
        }
    }
    func request(_ method: String, _ sequence: Int) -> [UInt8] {
        Array("""
            \(method) sip:hushbox@192.0.2.1:5061;transport=tls SIP/2.0\r
            Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK-\(method)-1;rport\r
            Max-Forwards: 70\r
            To: <sip:+4930123456@box.example.eu>;tag=\(tag)\r
            From: "Erika Mustermann" <sip:+4915112345678@trunk.example.eu>;tag=4a5b6c7d\r
            Call-ID: 8f14e45fceea167a5a36dedd4bea2543@192.0.2.10\r
            CSeq: \(sequence) \(method)\r
            Content-Length: 0\r
            \r

            """.utf8)
    }
    return (request("ACK", 1), request("BYE", 2))
}

let coreBenchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 100_000)
    let (ack, bye) = inDialogRequests()
    precondition(answeredCall(ack: ack, bye: bye) >= 6, "the benchmark call must be answered and ended")

    Benchmark("Call through the signalling core: INVITE, 100, 200 with SDP answer, ACK, BYE, 200", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(answeredCall(ack: ack, bye: bye))
        }
    }

    // The floor: parse the three requests and serialise three responses, nothing else.
    let parser = SIPParser()
    Benchmark("Baseline: parse INVITE, ACK, BYE and serialise 100, 200, 200", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            for bytes in [invite, ack, bye] {
                guard case .request(let request) = try parser.parse(datagram: bytes) else { continue }
                blackHole(request.response(request.method == .invite ? 100 : 200, toTag: "t").serialized)
            }
        }
    }
}
