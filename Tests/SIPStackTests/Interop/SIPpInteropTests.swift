import Foundation
import HushboxTestSupport
import Testing
@testable import SIPStack

/// SIPp (Debian's sip-tester 3.6.1: no TLS, no SRTP) running its built-in UAC
/// scenario against the endpoint: INVITE, 100/180/200, ACK, BYE, 200.
@Suite("Interop with SIPp over UDP and TCP", .serialized)
struct SIPpInteropTests {
    static let sipp = "/usr/bin/sipp"

    func runUAC(transport: SIPTransport, port: Int) async throws -> (status: Int32, output: String, errors: String) {
        let directory = try TemporaryDirectory(prefix: "hushbox-sipp")
        return try await ChildProcess.run(
            Self.sipp,
            ["-sn", "uac", "-s", "100", "-m", "1", "-t", transport == .udp ? "u1" : "t1", "-i", "127.0.0.1", "-p", "0",
             "-timeout", "20s", "-timeout_error", "-nostdin", "-trace_err", "127.0.0.1:\(port)"],
            directory: directory.path, environment: ["HOME": directory.path], within: .seconds(40)
        )
    }

    @Test("A call from a peer marked plaintext completes over UDP and over TCP", arguments: [SIPTransport.udp, .tcp])
    func plaintextPeerCall(transport: SIPTransport) async throws {
        let running = try await RunningEndpoint.start(plaintext: true, onCall: { call, endpoint in
            await endpoint.ring(call.reference)
            await endpoint.accept(call.reference)
        })
        defer { Task { await running.stop() } }
        let result = try await runUAC(transport: transport, port: try #require(running.ports[transport]))
        #expect(result.status == 0, "sipp: \(result.output.suffix(600)) \(result.errors.suffix(600))")
        let ending = try await running.waitForEvent { if case .callEnded(_, let reason, _) = $0 { reason } else { nil } }
        #expect(ending == .remoteHangUp)
    }

    @Test("The same call from a peer not marked plaintext is refused with 403")
    func plaintextRefused() async throws {
        let running = try await RunningEndpoint.start(plaintext: false)
        defer { Task { await running.stop() } }
        let result = try await runUAC(transport: .udp, port: try #require(running.ports[.udp]))
        #expect(result.status != 0)
        #expect(await running.endpoint.counters.refusedPlaintext >= 1)
        #expect(!running.log.all.contains { if case .incomingCall = $0 { true } else { false } })
    }
}
