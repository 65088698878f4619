import HushboxTestSupport
import Testing
import SIPCore
@testable import SIPStack

/// A signalling core with a virtual clock: `advance` fires timers as a real
/// owner would, without sleeping.
struct CoreHarness {
    var core: SignallingCore
    var now: Duration = .zero

    static let trunk = try! SIPPeer(name: "trunk", kind: .trunk, sources: [AddressRange("192.0.2.0/28")])
    static let plaintextTrunk = try! SIPPeer(name: "lab", kind: .trunk, sources: [AddressRange("198.51.100.7")], allowsPlaintext: true)

    init(peers: [SIPPeer] = [Self.trunk, Self.plaintextTrunk], configure: (inout SignallingConfiguration) -> Void = { _ in }) {
        var configuration = SignallingConfiguration(
            advertisedAddress: "192.0.2.1", ports: [.udp: 5060, .tcp: 5060, .tls: 5061], peers: peers, mediaPorts: 20_000...20_009
        )
        configure(&configuration)
        core = SignallingCore(configuration: configuration, random: SeededGenerator(seed: 4475))
    }

    mutating func receive(_ text: String, from caller: TestCaller) -> [SignallingAction] {
        core.receive(Array(text.utf8), over: caller.flow, at: now)
    }

    /// An SRTP call from `caller`, answered and acknowledged: the offer, our 200 OK and our tag.
    mutating func establishCall(from caller: inout TestCaller) throws -> (call: IncomingCall, ok: SIPResponse, localTag: String) {
        let call = try #require(receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: caller).incomingCall)
        let ok = try #require(core.accept(call.reference, at: now).sentResponses.first)
        let localTag = try #require(try ok.headers.to()?.tag)
        _ = receive(caller.request(.ack, branch: caller.nextBranch(), cseq: 1, toTag: localTag), from: caller)
        return (call, ok, localTag)
    }

    /// Moves virtual time forward, firing every timer due on the way in order.
    mutating func advance(by duration: Duration) -> [SignallingAction] {
        let end = now + duration
        var actions: [SignallingAction] = []
        while let deadline = core.nextDeadline, deadline <= end {
            now = max(now, deadline)
            actions += core.fireTimers(at: now)
        }
        now = end
        return actions
    }
}
