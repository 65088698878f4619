import FuzzerDriver
import SIPCore
import SIPStack

/// A deterministic generator, so a crashing input reproduces exactly.
struct FixedGenerator: RandomNumberGenerator, Sendable {
    var state: UInt64 = 0x4855_5348
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

/// libFuzzer's entry point: the input is split at NUL bytes into messages fed
/// to a fresh signalling core (a plaintext peer over UDP, a TLS peer), the
/// application accepts every call (none sends the ACK), then time runs past every timer. Afterwards
/// no transaction, call or timer may be left: a leak is reported as a crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignallingCore(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let peers = [
        try! SIPPeer(name: "lab", kind: .device, sources: [AddressRange("127.0.0.1")], allowsPlaintext: true),
        try! SIPPeer(name: "trunk", kind: .trunk, sources: [AddressRange("192.0.2.0/24")]),
    ]
    var configuration = SignallingConfiguration(advertisedAddress: "192.0.2.1", ports: [.udp: 5060, .tcp: 5060, .tls: 5061], peers: peers)
    configuration.maximumCallDuration = .seconds(30)
    var core = SignallingCore(configuration: configuration, random: FixedGenerator())
    let flows = [
        SIPFlow(transport: .udp, remote: SocketEndpoint(host: "127.0.0.1", port: 5062)),
        SIPFlow(transport: .tls, remote: SocketEndpoint(host: "192.0.2.9", port: 40_000), connection: ConnectionID(1)),
    ]
    var now = Duration.zero
    for (index, message) in bytes.split(separator: 0, omittingEmptySubsequences: true).enumerated() {
        now += .milliseconds(100)
        for action in core.receive(Array(message), over: flows[index % 2], at: now) {
            if case .incomingCall(let call) = action {
                _ = core.accept(call.reference, at: now)
            }
        }
    }
    // Run every timer to its end, as the endpoint's clock would.
    var steps = 0
    while let deadline = core.nextDeadline, steps < 100_000 {
        now = max(now, deadline)
        for action in core.fireTimers(at: now) {
            if case .incomingCall(let call) = action { _ = core.accept(call.reference, at: now) }
        }
        steps += 1
    }
    let live = core.liveState
    precondition(live.serverTransactions == 0 && live.clientTransactions == 0 && live.calls == 0, "state leaked: \(live)")
    return 0
}

/// SwiftPM names this executable's entry point `SignallingCoreFuzzer_main`.
@_cdecl("SignallingCoreFuzzer_main")
public func fuzzerEntryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc: argc, argv: argv) { fuzzSignallingCore($0, $1) }
}
