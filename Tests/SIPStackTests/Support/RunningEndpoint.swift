import HushboxTestSupport
import Logging
import NIOSSL
import SIPCore
import Synchronization
@testable import SIPStack

/// Events an endpoint reported, in order.
final class EventLog: Sendable {
    private let events = Mutex<[SIPEndpointEvent]>([])
    func append(_ event: SIPEndpointEvent) { events.withLock { $0.append(event) } }
    var all: [SIPEndpointEvent] { events.withLock { $0 } }
}

/// A SIPEndpoint on loopback with a manual clock, and the events it reported.
struct RunningEndpoint {
    let endpoint: SIPEndpoint<ManualClock>
    let clock: ManualClock
    let ports: [SIPTransport: Int]
    let log: EventLog
    private let serving: Task<Void, Never>
    private let listening: Task<Void, Never>

    /// A throwaway certificate and key, as NIOSSL values.
    static func identity(_ name: String) -> (certificate: NIOSSLCertificate, key: NIOSSLPrivateKey) {
        let pair = try! TestCertificate.selfSigned(commonName: name)
        return (
            try! NIOSSLCertificate(bytes: Array(pair.certificatePEM.utf8), format: .pem),
            try! NIOSSLPrivateKey(bytes: Array(pair.privateKeyPEM.utf8), format: .pem)
        )
    }

    static let loopbackTLS: TLSConfiguration = {
        let server = identity("hushbox-test")
        return SIPListenerSettings.serverTLS(certificateChain: [server.certificate], privateKey: server.key)
    }()

    /// - Parameter onCall: what the test's application does with each offered call.
    static func start(
        plaintext: Bool, serverTLS: TLSConfiguration = loopbackTLS, peers extraPeers: [SIPPeer] = [],
        configure: (inout SignallingConfiguration) -> Void = { _ in },
        onCall: @escaping @Sendable (IncomingCall, SIPEndpoint<ManualClock>) async -> Void = { _, _ in }
    ) async throws -> RunningEndpoint {
        let peer = try SIPPeer(name: "loopback", kind: .device, sources: [AddressRange("127.0.0.1")], allowsPlaintext: plaintext)
        var configuration = SignallingConfiguration(advertisedAddress: "127.0.0.1", ports: [:], peers: extraPeers + [peer])
        configure(&configuration)
        let clock = ManualClock()
        var logger = Logger(label: "sip-test")
        logger.logLevel = .critical
        let endpoint = try SIPEndpoint(
            configuration: configuration, listeners: SIPListenerSettings(host: "127.0.0.1", udpPort: 0, tcpPort: 0, tlsPort: 0, serverTLS: serverTLS),
            clock: clock, random: SeededGenerator(seed: 3261), logger: logger
        )
        let ports = try await endpoint.start()
        let serving = Task { await endpoint.run() }
        let log = EventLog()
        let listening = Task {
            for await event in endpoint.events {
                log.append(event)
                if case .incomingCall(let call) = event { await onCall(call, endpoint) }
            }
        }
        return RunningEndpoint(endpoint: endpoint, clock: clock, ports: ports, log: log, serving: serving, listening: listening)
    }

    /// Waits (bounded, real time) for an event that `match` picks.
    func waitForEvent<T>(within limit: Duration = .seconds(5), _ match: (SIPEndpointEvent) -> T?) async throws -> T {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while ContinuousClock.now < deadline {
            if let found = log.all.lazy.compactMap(match).first { return found }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw TestTimeout(what: "an endpoint event")
    }

    func stop() async {
        serving.cancel()
        await serving.value
        listening.cancel()
    }
}
