import SIPCore
import Testing
@testable import SIPStack

@Suite("Signalling policy: TLS and SRTP unless plaintext, allowlist, rate limit, scanner guard, digest")
struct SignallingPolicyTests {
    @Test("A request over UDP or TCP from a peer not marked plaintext is refused with 403 and logged")
    func plaintextRefused() throws {
        for transport in [SIPTransport.udp, .tcp] {
            var harness = CoreHarness()
            var caller = TestCaller()
            caller.transport = transport
            let actions = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: caller)
            #expect(actions.statusCodes == [403])
            #expect(actions.incomingCall == nil)
            #expect(actions.sentResponses.first?.headers[.warning].first?.contains("must use SIP over TLS") == true)
            #expect(actions.logs.contains { $0.level == .notice && $0.message.contains("refused INVITE with 403") && $0.callID == caller.callID })
            #expect(harness.core.counters.refusedPlaintext == 1)
        }
    }

    @Test("A peer marked plaintext may use UDP and plain RTP")
    func plaintextPeer() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        caller.transport = .udp
        caller.host = "198.51.100.7"
        let actions = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 1, body: TestCaller.plainOffer), from: caller)
        #expect(actions.statusCodes == [100])
        let call = try #require(actions.incomingCall)
        #expect(call.audio.srtp == nil)
        #expect(call.peerSources == CoreHarness.plaintextTrunk.sources, "the call carries its peer's sources: plain RTP is admitted from them only")
    }

    @Test("Plain RTP from a peer not marked plaintext gets 488, and so does an offer of unsupported suites only")
    func mediaPolicy() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        let plain = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 1, body: TestCaller.plainOffer), from: caller)
        #expect(plain.statusCodes == [488])
        #expect(plain.sentResponses.first?.headers[.warning].first?.contains("plaintext RTP is refused") == true)

        caller.callID = "second"
        let exotic = TestCaller.srtpOffer.replacingOccurrences("AES_CM_128_HMAC_SHA1_80", "F8_128_HMAC_SHA1_80")
        let refused = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 1, body: exotic), from: caller)
        #expect(refused.statusCodes == [488])
        #expect(refused.sentResponses.first?.headers[.warning].first?.contains("F8_128_HMAC_SHA1_80") == true)
        #expect(harness.core.counters.refusedMedia == 2)
        #expect(harness.core.liveState.calls == 0)
    }

    @Test("By default a source outside every peer's allowlist gets no answer and leaves no state; the drops are counted and logged once a minute with a count")
    func unknownSourceDropped() {
        var harness = CoreHarness()
        var logs: [SignallingLogRecord] = []
        for index in 0..<3000 {
            var stranger = TestCaller()
            stranger.host = "203.0.\(index / 250).\(index % 250 + 1)"
            stranger.callID = "flood-\(index)"
            let actions = harness.receive(stranger.request(.invite, branch: stranger.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: stranger)
            #expect(actions.sent.isEmpty)
            logs += actions.logs
            if index == 1499 { _ = harness.advance(by: .seconds(61)) }
        }
        #expect(harness.core.liveState.serverTransactions == 0, "no transaction opened for a stranger (it used to hold one for 32 s)")
        #expect(harness.core.liveState.timers == 0)
        #expect(harness.core.counters.droppedUnknownSource == 3000)
        #expect(logs.count == 2, "one line a minute, not one per message")
        #expect(logs.last?.message.contains("and 1499 more") == true)
        // A peer's INVITE still gets through: the strangers took nothing it needs.
        var peer = TestCaller()
        #expect(harness.receive(peer.request(.invite, branch: peer.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: peer).statusCodes == [100])
    }

    @Test("With unknown sources refused, a stranger gets a stateless 403; five in a minute block it; no transaction is kept")
    func allowlistAndFailureBlock() {
        var harness = CoreHarness { $0.unknownSources = .refuse }
        var stranger = TestCaller()
        stranger.host = "203.0.113.66"
        for attempt in 0..<5 {
            let actions = harness.receive(stranger.request(.invite, branch: stranger.nextBranch(), cseq: UInt32(attempt + 1), body: TestCaller.srtpOffer), from: stranger)
            #expect(actions.statusCodes == [403])
        }
        #expect(harness.core.liveState.serverTransactions == 0, "answered statelessly")
        #expect(harness.core.counters.sourcesBlocked == 1)
        let blocked = harness.receive(stranger.request(.options, branch: stranger.nextBranch(), cseq: 9), from: stranger)
        #expect(blocked.sent.isEmpty, "a blocked source gets no answer at all")
        #expect(harness.core.counters.droppedFromBlockedSource == 1)
        _ = harness.advance(by: .seconds(901))
        #expect(harness.receive(stranger.request(.options, branch: stranger.nextBranch(), cseq: 10), from: stranger).statusCodes == [403], "the block expires")
    }

    @Test("Five refusals from five addresses of one IPv6 /64 block the /64: a sixth address in it gets nothing; another /64 is answered")
    func failureBlockHoldsTheSlash64() {
        var harness = CoreHarness { $0.unknownSources = .refuse }
        func stranger(_ host: String) -> TestCaller {
            var caller = TestCaller()
            caller.host = host
            return caller
        }
        for index in 1...5 {
            var caller = stranger("2001:db8:66:1::\(index)")
            #expect(harness.receive(caller.request(.options, branch: caller.nextBranch(), cseq: 1), from: caller).statusCodes == [403])
        }
        #expect(harness.core.counters.sourcesBlocked == 1)
        var sixth = stranger("2001:db8:66:1:ffff::6")
        #expect(harness.receive(sixth.request(.options, branch: sixth.nextBranch(), cseq: 1), from: sixth).sent.isEmpty)
        var neighbour = stranger("2001:db8:66:2::1")
        #expect(harness.receive(neighbour.request(.options, branch: neighbour.nextBranch(), cseq: 1), from: neighbour).statusCodes == [403])
    }

    @Test("A known scanner's user agent from a stranger blocks it at once; forged from a peer's address it blocks nothing")
    func scannerUserAgent() {
        var harness = CoreHarness { $0.unknownSources = .refuse }
        var scanner = TestCaller()
        scanner.host = "203.0.113.9"
        scanner.userAgent = "friendly-scanner"
        #expect(harness.receive(scanner.request(.options, branch: scanner.nextBranch(), cseq: 1), from: scanner).sent.isEmpty)
        var polite = scanner
        polite.userAgent = "baresip"
        #expect(harness.receive(polite.request(.options, branch: polite.nextBranch(), cseq: 2), from: polite).sent.isEmpty)
        #expect(harness.core.counters.sourcesBlocked == 1)

        // One UDP datagram with a scanner's user agent, spoofed from the trunk's address: it used to block the trunk on every transport.
        var forged = TestCaller()
        forged.transport = .udp
        forged.userAgent = "friendly-scanner"
        _ = harness.receive(forged.request(.options, branch: forged.nextBranch(), cseq: 1), from: forged)
        var trunk = TestCaller()
        #expect(harness.receive(trunk.request(.invite, branch: trunk.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: trunk).statusCodes == [100],
                "the trunk's TLS calls still get through")
    }

    /// A desk phone at 192.0.2.10 that must answer a SHA-256 digest challenge (user "desk", password "correct horse").
    static func deskPhone() throws -> SIPPeer {
        try SIPPeer(
            name: "desk-phone", kind: .device, sources: [AddressRange("192.0.2.10")],
            digest: .init(username: "desk", password: "correct horse", realm: "hushbox", algorithm: .sha256)
        )
    }

    @Test("Wrong passwords from a device's address lock authentication there for a while (403 without a check), never the address")
    func authenticationLock() throws {
        var harness = CoreHarness(peers: [try Self.deskPhone()])
        var phone = TestCaller()
        let challenged = harness.receive(phone.request(.invite, branch: phone.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: phone)
        let unauthorized = try #require(challenged.sentResponses.first)
        let challenge = try DigestChallenge.parse(try #require(unauthorized.headers[.wwwAuthenticate].first))
        for count in UInt32(1)...5 {
            let credentials = DigestCredentials.answering(
                challenge, method: .invite, uri: "sip:100@192.0.2.1", username: "desk", password: "guess \(count)", clientNonce: "0a4f113b", nonceCount: count
            )
            _ = harness.receive(phone.request(.invite, branch: phone.nextBranch(), cseq: count + 1, body: TestCaller.srtpOffer, extra: [("Authorization", credentials.headerValue)]), from: phone)
        }
        let credentials = DigestCredentials.answering(
            challenge, method: .invite, uri: "sip:100@192.0.2.1", username: "desk", password: "correct horse", clientNonce: "0a4f113b", nonceCount: 6
        )
        let locked = harness.receive(phone.request(.invite, branch: phone.nextBranch(), cseq: 7, body: TestCaller.srtpOffer, extra: [("Authorization", credentials.headerValue)]), from: phone)
        #expect(locked.statusCodes == [403])
        #expect(harness.core.counters.refusedAuthenticationLocked == 1)
        #expect(harness.receive(phone.request(.options, branch: phone.nextBranch(), cseq: 8), from: phone).statusCodes == [200], "the address is not blocked")
    }

    @Test("A flood from one source is cut to the bucket's burst; another source is unaffected")
    func rateLimit() {
        var harness = CoreHarness { $0.rateLimit = SourceRateLimiter.Settings(messagesPerSecond: 10, burst: 20) }
        var flooder = TestCaller()
        var answered = 0
        for index in 0..<100 {
            answered += harness.receive(flooder.request(.options, branch: flooder.nextBranch(), cseq: UInt32(index + 1)), from: flooder).statusCodes.count
        }
        #expect(answered == 20)
        #expect(harness.core.counters.droppedByRateLimit == 80)
        var neighbour = TestCaller()
        neighbour.host = "192.0.2.11"
        #expect(harness.receive(neighbour.request(.options, branch: neighbour.nextBranch(), cseq: 1), from: neighbour).statusCodes == [200])
        _ = harness.advance(by: .seconds(1))
        #expect(harness.receive(flooder.request(.options, branch: flooder.nextBranch(), cseq: 200), from: flooder).statusCodes == [200], "tokens refill")
    }

    @Test("A device with credentials is challenged (RFC 7616), admitted with the right password, refused with a wrong one")
    func deviceDigest() throws {
        var harness = CoreHarness(peers: [try Self.deskPhone()])
        var phone = TestCaller()
        let challenged = harness.receive(phone.request(.invite, branch: phone.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: phone)
        let unauthorized = try #require(challenged.sentResponses.first)
        #expect(unauthorized.statusCode == 401)
        let challenge = try DigestChallenge.parse(try #require(unauthorized.headers[.wwwAuthenticate].first))
        #expect(challenge.algorithm == .sha256 && challenge.qopOptions == ["auth"])

        func invite(password: String, count: UInt32) -> [SignallingAction] {
            let credentials = DigestCredentials.answering(
                challenge, method: .invite, uri: "sip:100@192.0.2.1", username: "desk", password: password, clientNonce: "0a4f113b", nonceCount: count
            )
            return harness.receive(phone.request(.invite, branch: phone.nextBranch(), cseq: count + 1, body: TestCaller.srtpOffer, extra: [("Authorization", credentials.headerValue)]), from: phone)
        }
        #expect(invite(password: "wrong", count: 1).statusCodes == [401])
        let admitted = invite(password: "correct horse", count: 2)
        #expect(admitted.statusCodes == [100])
        #expect(admitted.incomingCall != nil)
    }

    @Test("Address ranges: IPv4 and IPv6 prefixes, single addresses, IPv4-mapped IPv6")
    func addressRanges() throws {
        let v4 = try AddressRange("192.0.2.0/28")
        #expect(v4.contains("192.0.2.15") && !v4.contains("192.0.2.16"))
        #expect(v4.contains("::ffff:192.0.2.3"))
        let v6 = try AddressRange("2001:db8::/32")
        #expect(v6.contains("2001:db8:1::5") && !v6.contains("2001:db9::1"))
        #expect(try AddressRange("127.0.0.1").contains("127.0.0.1"))
        #expect(throws: AddressRange.InvalidRange.self) { try AddressRange("192.0.2.0/33") }
        #expect(throws: AddressRange.InvalidRange.self) { try AddressRange("trunk.example") }
        let odd = try AddressRange("10.0.0.0/9")
        #expect(odd.contains("10.127.255.255") && !odd.contains("10.128.0.0") && odd.contains("::ffff:10.1.2.3"))
        #expect(try AddressRange("0.0.0.0/0").contains("203.0.113.9") && !(try AddressRange("0.0.0.0/0").contains("2001:db8::1")))
    }

    @Test("Admission at the socket: a peer's address, mapped or not, and nobody else's unless strangers are answered")
    func sourceAdmission() throws {
        let peers = [CoreHarness.trunk, CoreHarness.plaintextTrunk]
        let dropping = SourceAdmission(peers: peers, unknownSources: .drop)
        #expect(dropping.admits("192.0.2.7") && dropping.admits("::ffff:198.51.100.7"))
        #expect(!dropping.admits("192.0.2.16") && !dropping.admits("203.0.113.5") && !dropping.admits("not an address"))
        #expect(SourceAdmission(peers: peers, unknownSources: .refuse).admits("203.0.113.5"))
    }
}
