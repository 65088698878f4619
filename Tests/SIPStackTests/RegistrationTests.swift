import HushboxTestSupport
import SIPCore
import Testing
@testable import SIPStack

/// The registration client against a registrar played by the test with the
/// real digest server, on virtual time.
@Suite("Registration with a trunk (RFC 3261 §10, RFC 5626 §4.5 backoff)")
struct RegistrationTests {
    static let settings = RegistrationSettings(
        registrar: try! SIPURI.parse("sip:192.0.2.9:5061"), transport: .tls, username: "hushbox-7", password: "trunk secret", expires: .seconds(600)
    )

    var random = SeededGenerator(seed: 10)
    var client = RegistrationClient(settings: Self.settings, contact: "sip:hushbox@192.0.2.1:5061;transport=tls", callID: "reg@hushbox", fromTag: "f1")
    var registrar = DigestServer(realm: "trunk.example.eu", secret: Array(repeating: 7, count: 32))

    func answer(_ request: SIPRequest, _ status: Int, extra: [SIPHeaders.Field] = []) -> SIPResponse {
        var response = request.response(status, toTag: status == 100 ? nil : "reg-tag", extraHeaders: extra)
        response.headers.append(.contentLength, "0")
        return response
    }

    func sentRequest(_ actions: [RegistrationClient.Action]) -> SIPRequest? {
        for case .send(let request) in actions { return request }
        return nil
    }

    func timer(_ actions: [RegistrationClient.Action]) -> Duration? {
        for case .setTimer(let after) in actions { return after }
        return nil
    }

    @Test("Registers, answers the digest challenge the registrar verifies, and refreshes a minute before expiry")
    mutating func registerWithDigest() throws {
        let first = try #require(sentRequest(client.start(at: .zero, using: &random)))
        #expect(first.method == .register)
        #expect(first.headers[.expires] == ["600"])
        #expect(first.headers[.authorization].isEmpty)
        let challenge = registrar.challenge(now: 0, random: Array(repeating: 1, count: 16))
        let challenged = client.responseReceived(answer(first, 401, extra: [SIPHeaders.Field(name: .wwwAuthenticate, value: challenge.headerValue)]), at: .zero, using: &random)
        let second = try #require(sentRequest(challenged))
        #expect(try second.headers.cseq()?.sequence == 2, "a new CSeq for the retry (§10.2.4)")
        #expect(try second.headers.callID() == "reg@hushbox", "the same Call-ID for the binding")
        let credentials = try DigestCredentials.parse(try #require(second.headers[.authorization].first))
        let ha1 = DigestAlgorithm.sha256.ha1(username: "hushbox-7", realm: "trunk.example.eu", password: "trunk secret")
        #expect(registrar.verify(credentials, method: .register, ha1: ha1, now: 1) == .accepted(username: "hushbox-7"))

        var granted = answer(second, 200, extra: [SIPHeaders.Field(name: .contact, value: "<sip:hushbox@192.0.2.1:5061;transport=tls>;expires=300")])
        granted.headers.append(.expires, "3600")
        let registered = client.responseReceived(granted, at: .seconds(1), using: &random)
        #expect(client.isRegistered)
        #expect(timer(registered) == .seconds(240), "the Contact's expires=300 wins over Expires; refresh 60 s early")
        #expect(registered.contains(.statusChanged(.registered(expiresAt: .seconds(301)))))

        let refresh = try #require(sentRequest(client.timerFired(at: .seconds(241), using: &random)))
        #expect(refresh.method == .register)
        #expect(refresh.headers[.authorization].isEmpty)
    }

    @Test("Wrong credentials are not retried in a loop: the second 401 for the same nonce is a failure with backoff")
    mutating func wrongPassword() throws {
        let first = try #require(sentRequest(client.start(at: .zero, using: &random)))
        let challenge = registrar.challenge(now: 0, random: Array(repeating: 2, count: 16)).headerValue
        let second = try #require(sentRequest(client.responseReceived(answer(first, 401, extra: [.init(name: .wwwAuthenticate, value: challenge)]), at: .zero, using: &random)))
        let failed = client.responseReceived(answer(second, 401, extra: [.init(name: .wwwAuthenticate, value: challenge)]), at: .zero, using: &random)
        #expect(sentRequest(failed) == nil)
        let wait = try #require(timer(failed))
        #expect(wait >= .seconds(15) && wait <= .seconds(30), "RFC 5626 §4.5: 50–100% of the 30 s base")
        #expect(failed.contains { if case .statusChanged(.failed(let reason, _)) = $0 { reason.contains("check the trunk password") && !reason.contains("trunk secret") } else { false } })
    }

    @Test("Repeated timeouts back off exponentially with jitter up to 30 minutes, and a success resets it")
    mutating func backoff() throws {
        var pending = try #require(sentRequest(client.start(at: .zero, using: &random)))
        var waits: [Duration] = []
        var now = Duration.zero
        for _ in 0..<9 {
            let wait = try #require(timer(client.transactionFailed(at: now, using: &random)))
            waits.append(wait)
            now += wait
            pending = try #require(sentRequest(client.timerFired(at: now, using: &random)))
        }
        let limits: [Int64] = [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]
        for (wait, limit) in zip(waits, limits) {
            #expect(wait <= .seconds(limit) && wait >= .seconds(limit) / 2)
        }
        _ = client.responseReceived(answer(pending, 200), at: now, using: &random)
        #expect(client.isRegistered)
        _ = try #require(sentRequest(client.timerFired(at: now + .seconds(540), using: &random)))
        let afterSuccess = try #require(timer(client.transactionFailed(at: now + .seconds(541), using: &random)))
        #expect(afterSuccess <= .seconds(30), "a success resets the backoff")
    }

    @Test("423 Interval Too Brief: retried at once with the registrar's Min-Expires")
    mutating func intervalTooBrief() throws {
        let first = try #require(sentRequest(client.start(at: .zero, using: &random)))
        let retry = try #require(sentRequest(client.responseReceived(answer(first, 423, extra: [.init(name: "Min-Expires", value: "1800")]), at: .zero, using: &random)))
        #expect(retry.headers[.expires] == ["1800"])
    }

    @Test("The core registers each trunk that has registration settings, over the configured transport")
    func coreStartsRegistration() throws {
        let trunk = try SIPPeer(name: "carrier", kind: .trunk, sources: [AddressRange("192.0.2.9")], registration: Self.settings)
        var harness = CoreHarness(peers: [trunk])
        let actions = harness.core.startRegistrations(at: .zero)
        let register = try #require(actions.sentRequests.first)
        #expect(register.method == .register)
        #expect(register.headers[.via].first?.hasPrefix("SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK") == true)
        guard case .send(_, let flow) = try #require(actions.first(where: { if case .send = $0 { true } else { false } })) else { return }
        #expect(flow.transport == .tls && flow.remote == SocketEndpoint(host: "192.0.2.9", port: 5061))
        // No answer at all: the transaction times out after 64·T1 and the client backs off.
        let timedOut = harness.advance(by: .seconds(33))
        #expect(timedOut.contains { if case .registrationChanged(_, .failed) = $0 { true } else { false } })
    }

    @Test("The registration's Contact carries the registration's user, so a call the registrar routes to it says which registration it is for")
    func contactCarriesTheUser() throws {
        let trunk = try SIPPeer(name: "carrier", kind: .trunk, sources: [AddressRange("192.0.2.9")], registration: Self.settings)
        var harness = CoreHarness(peers: [trunk])
        let register = try #require(harness.core.startRegistrations(at: .zero).sentRequests.first)
        let contact = try #require(try register.headers.contacts().values.first)
        #expect(contact.uri.sipURI?.user == "hushbox-7")
    }

    @Test("When the registrar's connection closes under a live binding, the box registers again within seconds, not at the next refresh; other connections closing change nothing")
    func reRegistersWhenTheFlowCloses() throws {
        let trunk = try SIPPeer(name: "carrier", kind: .trunk, sources: [AddressRange("192.0.2.9")], registration: Self.settings)
        var harness = CoreHarness(peers: [trunk])
        let register = try #require(harness.core.startRegistrations(at: .zero).sentRequests.first)
        let over = SIPFlow(transport: .tls, remote: SocketEndpoint(host: "192.0.2.9", port: 5061), connection: ConnectionID(7))
        var ok = register.response(200, toTag: "reg", extraHeaders: [.init(name: .expires, value: "600")])
        ok.headers.append(.contentLength, "0")
        let registered = harness.core.receive(Array(ok.serialized), over: over, at: .seconds(1))
        #expect(registered.contains { if case .registrationChanged(_, .registered) = $0 { true } else { false } })

        // Another connection, even to the same address, is not the binding's.
        let elsewhere = SIPFlow(transport: .tls, remote: SocketEndpoint(host: "192.0.2.9", port: 5061), connection: ConnectionID(8))
        #expect(!harness.core.flowClosed(elsewhere, at: .seconds(100)).contains { if case .registrationChanged = $0 { true } else { false } })
        let lost = harness.core.flowClosed(over, at: .seconds(100))
        #expect(lost.contains { if case .registrationChanged(_, .failed(let reason, let retryAt)) = $0 { reason.contains("closed") && retryAt <= .seconds(103) } else { false } })
        harness.now = .seconds(100)
        let again = harness.advance(by: .seconds(4))
        #expect(again.sentRequests.contains { $0.method == .register }, "registered again within 3 s of the loss")
    }

    @Test("A registrar that closes each connection soon after registering gets the ordinary backoff, doubling, not a REGISTER every few seconds")
    mutating func shortFlowsBackOff() throws {
        var now = Duration.zero
        var waits: [Duration] = []
        for _ in 0..<3 {
            let request = try #require(sentRequest(now == .zero ? client.start(at: now, using: &random) : client.timerFired(at: now, using: &random)))
            _ = client.responseReceived(answer(request, 200, extra: [.init(name: .expires, value: "600")]), at: now, using: &random)
            now += .seconds(5)
            let lost = client.flowFailed(at: now, using: &random)
            let wait = try #require(timer(lost))
            waits.append(wait)
            now += wait
        }
        #expect(waits[0] >= .seconds(15) && waits[0] <= .seconds(30), "\(waits)")
        #expect(waits[1] >= .seconds(30) && waits[1] <= .seconds(60), "\(waits)")
        #expect(waits[2] >= .seconds(60) && waits[2] <= .seconds(120), "\(waits)")
        // A binding that held past ten seconds is healthy: its loss is answered at once again.
        let request = try #require(sentRequest(client.timerFired(at: now, using: &random)))
        _ = client.responseReceived(answer(request, 200, extra: [.init(name: .expires, value: "600")]), at: now, using: &random)
        let later = try #require(timer(client.flowFailed(at: now + .seconds(11), using: &random)))
        #expect(later <= .seconds(3))
    }

    @Test("A registrar named by host name is located first; an unanswered or refused server passes the REGISTER to the next at once, checked against the domain; after the last, backoff and a new lookup")
    func failsOverAcrossLocatedServers() throws {
        let settings = RegistrationSettings(registrar: try SIPURI.parse("sip:sip.carrier.example"), transport: .tls, username: "hushbox-7", password: "trunk secret")
        let trunk = try SIPPeer(name: "carrier", kind: .trunk, sources: [AddressRange("192.0.2.0/28")], registration: settings)
        var harness = CoreHarness(peers: [trunk])
        let started = harness.core.startRegistrations(at: .zero)
        #expect(started.sentRequests.isEmpty, "nothing is sent before DNS answers")
        guard case .locate(let peer, let host, let port, let transport)? = started.first(where: { if case .locate = $0 { true } else { false } }) else {
            Issue.record("no lookup asked for: \(started)")
            return
        }
        #expect(peer == "carrier" && host == "sip.carrier.example" && port == nil && transport == .tls)

        let primary = SocketEndpoint(host: "192.0.2.1", port: 5061), backup = SocketEndpoint(host: "192.0.2.2", port: 5071)
        let first = harness.core.registrarLocated("carrier", targets: [primary, backup], at: .zero)
        guard case .send(_, let toPrimary)? = first.first(where: { if case .send = $0 { true } else { false } }) else {
            Issue.record("no REGISTER: \(first)")
            return
        }
        #expect(toPrimary.remote == primary && toPrimary.serverName == "sip.carrier.example", "checked against the domain, not the address")

        // The primary refuses the connection: the transport reports the flow closed; the backup gets the REGISTER at once.
        let refused = harness.core.flowClosed(toPrimary, at: .seconds(1))
        guard case .send(let bytes, let toBackup)? = refused.first(where: { if case .send = $0 { true } else { false } }) else {
            Issue.record("no failover: \(refused)")
            return
        }
        #expect(toBackup.remote == backup && String(decoding: bytes, as: UTF8.self).hasPrefix("REGISTER "))

        // The backup never answers either: after the transaction's 32 s, backoff and, next time, a new lookup.
        harness.now = .seconds(1)
        let exhausted = harness.advance(by: .seconds(33))
        #expect(exhausted.contains { if case .registrationChanged(_, .failed) = $0 { true } else { false } })
        let retried = harness.advance(by: .seconds(31))
        #expect(retried.contains { if case .locate = $0 { true } else { false } }, "DNS is asked again after the backoff")
    }
}
