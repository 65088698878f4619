import HushboxTestSupport
import NIOSSL
import SIPCore
import Testing
@testable import SIPStack

@Suite("SIP endpoint: mutual TLS and registration on loopback")
struct EndpointTLSAndRegistrationTests {
    @Test("With a client CA configured, only a client presenting a certificate it signed gets to speak SIP")
    func mutualTLS() async throws {
        let server = RunningEndpoint.identity("hushbox-test")
        let device = RunningEndpoint.identity("front-desk")
        let running = try await RunningEndpoint.start(
            plaintext: false,
            serverTLS: SIPListenerSettings.serverTLS(certificateChain: [server.certificate], privateKey: server.key, clientCA: [device.certificate])
        )
        defer { Task { await running.stop() } }
        let port = try #require(running.ports[.tls])
        var caller = TestCaller()
        caller.host = "127.0.0.1"

        let anonymous = try await SIPProbe(.tls, to: port)
        try? await anonymous.send(caller.request(.options, branch: caller.nextBranch(), cseq: 1))
        #expect(await anonymous.staysQuiet(for: .milliseconds(300)), "no client certificate, no SIP")
        await anonymous.close()

        var withCertificate = TLSConfiguration.makeClientConfiguration()
        withCertificate.certificateVerification = .none
        withCertificate.certificateChain = [.certificate(device.certificate)]
        withCertificate.privateKey = .privateKey(device.key)
        let trusted = try await SIPProbe(.tls, to: port, tls: withCertificate)
        try await trusted.send(caller.request(.options, branch: caller.nextBranch(), cseq: 2))
        #expect(try await trusted.nextResponse().statusCode == 200)
        await trusted.close()
    }

    /// How long the registrar waits for each REGISTER: generous, because the whole suite
    /// runs in parallel on two cores and one wait once ran out at 5 s in a fresh-clone run.
    static let registrarPatience = Duration.seconds(20)

    @Test("The endpoint registers with a trunk over UDP, answers its digest challenge, and reports the registration")
    func registersWithTrunk() async throws {
        let registrar = try await SIPProbe(.udp, to: 9)
        let settings = RegistrationSettings(
            registrar: try SIPURI.parse("sip:127.0.0.1:\(registrar.localPort)"), transport: .udp, username: "hushbox-7", password: "trunk secret",
            expires: .seconds(120)
        )
        let trunk = try SIPPeer(name: "carrier", kind: .trunk, sources: [AddressRange("127.0.0.2")], allowsPlaintext: true, registration: settings)
        let running = try await RunningEndpoint.start(plaintext: true, peers: [trunk])
        defer { Task { await running.stop() } }

        guard case .request(let first) = try await registrar.next(within: Self.registrarPatience) else { Issue.record("expected REGISTER"); return }
        #expect(first.method == .register)
        var digest = DigestServer(realm: "carrier.example.eu", secret: Array(repeating: 9, count: 32))
        let challenge = digest.challenge(now: 0, random: Array(repeating: 3, count: 16))
        try await registrar.reply(to: first, 401, extra: [("WWW-Authenticate", challenge.headerValue)])

        guard case .request(let second) = try await registrar.next(within: Self.registrarPatience) else { Issue.record("expected the authorised REGISTER"); return }
        let credentials = try DigestCredentials.parse(try #require(second.headers[.authorization].first))
        let ha1 = DigestAlgorithm.sha256.ha1(username: "hushbox-7", realm: "carrier.example.eu", password: "trunk secret")
        #expect(digest.verify(credentials, method: .register, ha1: ha1, now: 1) == .accepted(username: "hushbox-7"))
        try await registrar.reply(to: second, 200, extra: [("Expires", "120")])

        let status = try await running.waitForEvent { if case .registrationChanged("carrier", .registered(let until)) = $0 { until } else { nil } }
        #expect(status == .seconds(120))
        #expect(await running.endpoint.isRegistered("carrier") == true)
        // The refresh is due after 60 s of (virtual) time.
        try await running.clock.waitForSleepers(1)
        running.clock.advance(by: .seconds(61))
        guard case .request(let refresh) = try await registrar.next(within: Self.registrarPatience) else { Issue.record("expected the refresh"); return }
        #expect(refresh.method == .register)
        await registrar.close()
    }
}

extension SIPProbe {
    /// Answers a request the endpoint sent, to the address in its top Via.
    func reply(to request: SIPRequest, _ status: Int, extra: [(String, String)] = []) async throws {
        var response = request.response(status, toTag: "trunk-tag")
        for (name, value) in extra { response.headers.append(SIPHeaderName(name), value) }
        response.headers.append(.contentLength, "0")
        try await sendResponse(response, to: request)
    }
}
