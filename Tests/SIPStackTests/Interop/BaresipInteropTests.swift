import Foundation
import HushboxTestSupport
import SIPCore
import Testing
@testable import SIPStack

/// baresip 1.0 (Debian) calling the endpoint over TLS with mandatory SRTP,
/// as INTEROP-NOTES.md describes: its own config directory, loopback only,
/// a sine tone as the microphone, no sound card.
@Suite("Interop with baresip over TLS and SRTP", .serialized)
struct BaresipInteropTests {
    static let baresip = BaresipHome.executable

    func configuration(in directory: TemporaryDirectory, sipPort: Int, mediaEncryption: String) throws {
        try BaresipHome.write(
            in: directory.path, sipPort: sipPort, audioSource: "ausine,440",
            account: "<sip:tester@127.0.0.1>;regint=0;answermode=auto;audio_codecs=opus/48000/2,pcmu;mediaenc=\(mediaEncryption)"
        )
    }

    @Test("baresip dials over TLS with SRTP: the call is answered with SDES keys, and the box's BYE ends it")
    func tlsSRTPCall() async throws {
        let running = try await RunningEndpoint.start(plaintext: false, onCall: { call, endpoint in
            await endpoint.ring(call.reference)
            await endpoint.accept(call.reference)
        })
        defer { Task { await running.stop() } }
        let directory = try TemporaryDirectory(prefix: "hushbox-baresip")
        let sipPort = try PortHolder().port
        try configuration(in: directory, sipPort: sipPort, mediaEncryption: "srtp-mand")
        let tlsPort = try #require(running.ports[.tls])
        let phone = try ChildProcess(
            Self.baresip, ["-f", directory.path, "-t", "20", "-e", "/dial sip:100@127.0.0.1:\(tlsPort);transport=tls"],
            environment: ["HOME": directory.path]
        )
        defer { phone.send(SIGKILL) }
        let call = try await offered(running, phone)
        #expect(call.audio.srtp?.suite == .aesCM128HMACSHA1_80)
        #expect(call.dialledUser == "100")
        let established = try await running.waitForEvent(within: .seconds(10)) { if case .callEstablished(let reference) = $0 { reference } else { nil } }
        #expect(established == call.reference)

        await running.endpoint.hangUp(call.reference)
        // baresip reports the BYE it received and answered.
        let closed = try await phone.standardOutput.waitFor("baresip to report the call closed", within: .seconds(10)) { $0.contains("terminated") || $0.contains("closed") }
        #expect(!closed.isEmpty)
        let live = try await waitUntilDrained(running)
        #expect(live.calls == 0)
    }

    @Test("baresip offering SRTP as best effort (RTP/AVP with a=crypto) is answered with SRTP too")
    func bestEffortSRTP() async throws {
        let running = try await RunningEndpoint.start(plaintext: false, onCall: { call, endpoint in
            await endpoint.accept(call.reference)
        })
        defer { Task { await running.stop() } }
        let directory = try TemporaryDirectory(prefix: "hushbox-baresip")
        try configuration(in: directory, sipPort: try PortHolder().port, mediaEncryption: "srtp")
        let phone = try ChildProcess(
            Self.baresip, ["-f", directory.path, "-t", "20", "-e", "/dial sip:100@127.0.0.1:\(try #require(running.ports[.tls]));transport=tls"],
            environment: ["HOME": directory.path]
        )
        defer { phone.send(SIGKILL) }
        let call = try await offered(running, phone)
        #expect(call.audio.srtp != nil)
    }

    /// The call baresip places; on a timeout the failure shows what baresip printed.
    private func offered(_ running: RunningEndpoint, _ phone: ChildProcess) async throws -> IncomingCall {
        do {
            return try await running.waitForEvent(within: .seconds(15)) { if case .incomingCall(let call) = $0 { call } else { nil } }
        } catch {
            Issue.record(Comment(rawValue: "baresip said:\n" + (phone.standardOutput.all.suffix(30) + phone.standardError.all.suffix(10)).joined(separator: "\n")))
            throw error
        }
    }

    private func waitUntilDrained(_ running: RunningEndpoint) async throws -> (serverTransactions: Int, clientTransactions: Int, calls: Int, timers: Int) {
        for _ in 0..<200 {
            let live = await running.endpoint.liveState
            if live.calls == 0 { return live }
            try await Task.sleep(for: .milliseconds(10))
        }
        return await running.endpoint.liveState
    }
}
