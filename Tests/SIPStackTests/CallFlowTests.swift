import SIPCore
import Testing
@testable import SIPStack

/// Whole calls through the signalling core on virtual time: what a caller's
/// phone sees on the wire.
@Suite("Calls through the signalling core")
struct CallFlowTests {
    @Test("INVITE over TLS with SRTP: 100, 180, 200 with an SDES answer; the 2xx is retransmitted until the ACK; BYE ends it")
    func answeredCall() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        let inviteBranch = caller.nextBranch()
        let offered = harness.receive(caller.request(.invite, branch: inviteBranch, cseq: 1, body: TestCaller.srtpOffer), from: caller)
        #expect(offered.statusCodes == [100])
        let call = try #require(offered.incomingCall)
        #expect(call.dialledUser == "100")
        #expect(call.audio.codec == .opus)
        #expect(call.audio.srtp?.suite == .aesCM128HMACSHA1_80)
        #expect(call.localRTPPort % 2 == 0 && (20_000...20_008).contains(call.localRTPPort))
        #expect(!offered.logs.contains { $0.message.contains("4930123456") }, "no caller number in logs")

        // The caller's retransmission does not start a second call.
        let again = harness.receive(caller.request(.invite, branch: inviteBranch, cseq: 1, body: TestCaller.srtpOffer), from: caller)
        #expect(again.statusCodes == [100] && again.incomingCall == nil)

        let ringing = harness.core.ring(call.reference, at: harness.now)
        let ring = try #require(ringing.sentResponses.first)
        #expect(ring.statusCode == 180)
        let localTag = try #require(try ring.headers.to()?.tag)
        #expect(ring.headers[.contact].first?.contains("transport=tls") == true)

        let accepted = harness.core.accept(call.reference, at: harness.now)
        let ok = try #require(accepted.sentResponses.first)
        #expect(ok.statusCode == 200)
        #expect(try ok.headers.to()?.tag == localTag, "the same tag in 180 and 200")
        let answer = try SDPParser.parse(ok.body)
        #expect(answer.media[0].transportProtocol == "RTP/SAVP")
        #expect(answer.media[0].attributeValues("crypto").first?.hasPrefix("1 AES_CM_128_HMAC_SHA1_80 inline:") == true)

        // §13.3.1.4: retransmitted at T1, 2T1, 4T1, then every T2.
        var retransmittedAt: [Duration] = []
        for _ in 0..<90 {
            let actions = harness.advance(by: .milliseconds(100))
            if actions.statusCodes.contains(200) { retransmittedAt.append(harness.now) }
        }
        #expect(retransmittedAt == [.milliseconds(500), .milliseconds(1500), .milliseconds(3500), .milliseconds(7500)])

        let acked = harness.receive(caller.request(.ack, branch: caller.nextBranch(), cseq: 1, toTag: localTag), from: caller)
        #expect(acked.contains { if case .callEstablished(let reference) = $0 { reference == call.reference } else { false } })
        #expect(harness.advance(by: .seconds(10)).statusCodes.isEmpty, "no retransmission after the ACK")

        let bye = harness.receive(caller.request(.bye, branch: caller.nextBranch(), cseq: 2, toTag: localTag), from: caller)
        #expect(bye.statusCodes == [200])
        #expect(bye.endings == [.remoteHangUp])
        _ = harness.advance(by: .seconds(64))
        let live = harness.core.liveState
        #expect(live.serverTransactions == 0 && live.clientTransactions == 0 && live.calls == 0 && live.timers == 0)
    }

    @Test("A 200 OK that is never acknowledged ends with a BYE after 64·T1")
    func missingAck() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        let call = try #require(harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: caller).incomingCall)
        _ = harness.core.accept(call.reference, at: harness.now)
        let actions = harness.advance(by: .seconds(33))
        #expect(actions.endings == [.acknowledgementTimedOut])
        #expect(actions.sentRequests.map(\.method) == [.bye])
    }

    @Test("CANCEL before the answer: 200 for the CANCEL, 487 for the INVITE, the ACK for the 487 closes the transaction")
    func cancelledCall() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        caller.transport = .udp
        caller.host = "198.51.100.7"
        let branch = caller.nextBranch()
        let offered = harness.receive(caller.request(.invite, branch: branch, cseq: 1, body: TestCaller.srtpOffer), from: caller)
        let call = try #require(offered.incomingCall)
        _ = harness.core.ring(call.reference, at: harness.now)
        let cancelled = harness.receive(caller.request(.cancel, branch: branch, cseq: 1), from: caller)
        #expect(cancelled.statusCodes == [200, 487])
        #expect(cancelled.endings == [.cancelled])
        #expect(harness.core.accept(call.reference, at: harness.now).isEmpty, "a cancelled call cannot be answered")
        let ack = harness.receive(caller.request(.ack, branch: branch, cseq: 1, toTag: try cancelled.sentResponses[1].headers.to()?.tag), from: caller)
        #expect(ack.isEmpty)
        _ = harness.advance(by: .seconds(40))
        #expect(harness.core.liveState.serverTransactions == 0)
        #expect(harness.core.liveState.timers == 0)
    }

    @Test("Shutting down: a call in progress goes on to its BYE; a new INVITE gets 503 with Retry-After and no call, counted, logged once")
    func shuttingDown() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        let (call, _, localTag) = try harness.establishCall(from: &caller)
        harness.core.stopTakingCalls(retryAfter: 120)

        var others: [[SignallingAction]] = []
        for _ in 0..<3 {
            var other = TestCaller()
            other.callID = "draining-\(others.count)"
            other.branchCounter = 100 + others.count
            others.append(harness.receive(other.request(.invite, branch: other.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: other))
        }
        for refused in others {
            #expect(refused.statusCodes == [503] && refused.incomingCall == nil)
            #expect(refused.sentResponses.first?.headers[.retryAfter] == ["120"])
        }
        #expect(others.flatMap(\.logs).filter { $0.message.contains("shutting down") }.count == 1, "one line for a burst")
        #expect(harness.core.counters.refusedShuttingDown == 3)
        #expect(harness.core.activeCalls == 1, "the call in progress is still there")

        let reInvite = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 2, toTag: localTag, body: TestCaller.srtpOffer), from: caller)
        #expect(reInvite.statusCodes == [200], "the call in progress may still re-negotiate (hold, a new key)")
        let bye = harness.receive(caller.request(.bye, branch: caller.nextBranch(), cseq: 3, toTag: localTag), from: caller)
        #expect(bye.statusCodes == [200] && bye.endings == [.remoteHangUp])
        #expect(harness.core.activeCalls == 0)
        // The 503s' transactions end too (Timer H without an ACK): a refused burst leaves nothing behind.
        _ = harness.advance(by: .seconds(64))
        let live = harness.core.liveState
        #expect(live.serverTransactions == 0 && live.clientTransactions == 0 && live.calls == 0 && live.timers == 0, "\(live)")
        _ = call
    }

    @Test("The box hangs up: a BYE in the dialog, to the caller's Contact, with both tags and a higher CSeq")
    func localHangUp() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        let (call, _, localTag) = try harness.establishCall(from: &caller)
        let hangUp = harness.core.hangUp(call.reference, at: harness.now)
        let bye = try #require(hangUp.sentRequests.first)
        #expect(bye.method == .bye)
        #expect(bye.uri.description == "sip:caller@192.0.2.10:5062;transport=tls")
        #expect(try bye.headers.to()?.tag == caller.fromTag)
        #expect(try bye.headers.from()?.tag == localTag)
        #expect(try bye.headers.callID() == caller.callID)
        #expect(bye.headers[.via].first?.contains("SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK") == true)
        #expect(hangUp.endings == [.localHangUp])
        // The caller answers the BYE; the client transaction ends (Timer K is zero on TLS).
        var okForBye = SIPResponse(statusCode: 200)
        for name in [SIPHeaderName.via, .from, .to, .callID, .cseq] { bye.headers[name].forEach { okForBye.headers.append(name, $0) } }
        okForBye.headers.append(.contentLength, "0")
        _ = harness.core.receive(okForBye.serialized, over: caller.flow, at: harness.now)
        _ = harness.advance(by: .seconds(1))
        #expect(harness.core.liveState.clientTransactions == 0)
    }

    @Test("The grace period of a shutdown runs out: the call in progress gets a BYE, the one not yet answered a 480, and no call is left")
    func hangUpAllAtTheEndOfAShutdown() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        _ = try harness.establishCall(from: &caller)
        var ringing = TestCaller()
        ringing.callID = "not-yet-answered"
        ringing.branchCounter = 50
        let offered = harness.receive(ringing.request(.invite, branch: ringing.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: ringing)
        #expect(offered.incomingCall != nil)
        #expect(harness.core.activeCalls == 2)

        let ended = harness.core.hangUpAll(at: harness.now)
        #expect(ended.sentRequests.map(\.method) == [.bye])
        #expect(try ended.sentRequests.first?.headers.callID() == caller.callID)
        #expect(ended.statusCodes == [480])
        #expect(Set(ended.endings) == [.localHangUp, .rejected(480)])
        #expect(harness.core.activeCalls == 0)
        #expect(harness.core.hangUpAll(at: harness.now).isEmpty, "a second time finds nothing to end")
    }

    @Test("re-INVITE puts the call on hold and back: the answer follows the offer's direction and keeps our SRTP key")
    func holdAndResume() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        let (_, ok, localTag) = try harness.establishCall(from: &caller)

        let hold = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 2, toTag: localTag, body: TestCaller.holdOffer), from: caller)
        let held = try #require(hold.sentResponses.first { $0.statusCode == 200 })
        let heldAnswer = try SDPParser.parse(held.body)
        #expect(heldAnswer.media[0].hasAttribute("recvonly"))
        #expect(heldAnswer.origin.sessionVersion == "2", "the session version goes up (RFC 3264 §8)")
        #expect(heldAnswer.media[0].attributeValues("crypto") == (try SDPParser.parse(ok.body)).media[0].attributeValues("crypto"))
        #expect(hold.contains { if case .mediaUpdated(_, let audio) = $0 { audio.localDirection == .recvonly } else { false } })
        _ = harness.receive(caller.request(.ack, branch: caller.nextBranch(), cseq: 2, toTag: localTag), from: caller)

        let resume = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 3, toTag: localTag, body: TestCaller.srtpOffer), from: caller)
        let resumed = try SDPParser.parse(try #require(resume.sentResponses.first { $0.statusCode == 200 }).body)
        #expect(resumed.media[0].hasAttribute("sendrecv"))
        #expect(resumed.origin.sessionVersion == "3")

        let stale = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 3, toTag: localTag, body: TestCaller.srtpOffer), from: caller)
        #expect(stale.statusCodes == [500], "a re-INVITE while the last 2xx awaits its ACK gets 500 (§14.2)")
    }

    @Test("A re-INVITE with a new SRTP key, address and port: mediaUpdated carries them; our answer keeps our key and the call's codec")
    func reInviteWithNewKeyAndAddress() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        // The call starts on PCMU (the caller offered nothing else).
        let pcmuOnly = TestCaller.srtpOffer.replacingOccurrences("RTP/SAVP 96 0 101", "RTP/SAVP 0 101").replacingOccurrences("a=rtpmap:96 opus/48000/2\r\n", "")
        let call = try #require(harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 1, body: pcmuOnly), from: caller).incomingCall)
        #expect(call.audio.codec == .pcmu)
        let ok = try #require(harness.core.accept(call.reference, at: harness.now).sentResponses.first)
        let localTag = try #require(try ok.headers.to()?.tag)
        _ = harness.receive(caller.request(.ack, branch: caller.nextBranch(), cseq: 1, toTag: localTag), from: caller)

        // The phone moved (new address and port) and re-keyed; its re-offer now also lists Opus first.
        let moved = TestCaller.srtpOffer
            .replacingOccurrences("c=IN IP4 192.0.2.10", "c=IN IP4 192.0.2.11")
            .replacingOccurrences("m=audio 10000", "m=audio 10010")
            .replacingOccurrences("inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd")
            .replacingOccurrences("o=- 3145 2719", "o=- 3145 2720")
        let actions = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 2, toTag: localTag, body: moved), from: caller)
        let updates = actions.compactMap { if case .mediaUpdated(let reference, let audio) = $0, reference == call.reference { audio } else { nil } }
        let updated = try #require(updates.first)
        #expect(updates.count == 1)
        #expect(updated.remoteAddress == "192.0.2.11" && updated.remoteRTPPort == 10_010 && updated.remoteRTCPPort == 10_011)
        #expect(updated.srtp?.remoteKeyMaterial == (0..<30).map { UInt8($0) }, "the phone's new key, for the media session to install")
        #expect(updated.srtp?.localKeyMaterial == call.audio.srtp?.localKeyMaterial, "RFC 4568 §7.1.4: our answer may keep our key")
        #expect(updated.codec == .pcmu && updated.payloadType == 0, "the running call keeps its codec while the re-offer has it")
        let answer = try SDPParser.parse(try #require(actions.sentResponses.first { $0.statusCode == 200 }).body)
        #expect(answer.media[0].attributeValues("crypto") == (try SDPParser.parse(ok.body)).media[0].attributeValues("crypto"))
        #expect(answer.media[0].port == call.localRTPPort)
    }

    @Test("A re-offer without the call's codec gets 488 and changes nothing; a re-INVITE or BYE for the call from another peer gets 481")
    func reInviteRefusals() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        let (call, _, localTag) = try harness.establishCall(from: &caller)
        #expect(call.audio.codec == .opus)

        // Before the fix this was answered 200 with PCMU while the call went on recording Opus.
        let pcmuOnly = TestCaller.srtpOffer.replacingOccurrences("RTP/SAVP 96 0 101", "RTP/SAVP 0 101").replacingOccurrences("a=rtpmap:96 opus/48000/2\r\n", "")
        let recoded = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 2, toTag: localTag, body: pcmuOnly), from: caller)
        #expect(recoded.statusCodes == [488])
        #expect(!recoded.contains { if case .mediaUpdated = $0 { true } else { false } })

        // Another configured peer that learnt the dialog's identifiers (they travel in clear on a plaintext peer's signalling).
        var interloper = caller
        interloper.host = "198.51.100.7"
        let moved = TestCaller.srtpOffer.replacingOccurrences("c=IN IP4 192.0.2.10", "c=IN IP4 198.51.100.7")
        let hijack = harness.receive(interloper.request(.invite, branch: interloper.nextBranch(), cseq: 3, toTag: localTag, body: moved), from: interloper)
        #expect(hijack.statusCodes == [481], "before the fix the call's media moved to the other peer")
        #expect(!hijack.contains { if case .mediaUpdated = $0 { true } else { false } })

        // Nor may it end the call.
        let hangUp = harness.receive(interloper.request(.bye, branch: interloper.nextBranch(), cseq: 9, toTag: localTag), from: interloper)
        #expect(hangUp.statusCodes == [481] && hangUp.endings.isEmpty, "before the fix the other peer's BYE ended the call")

        // The call's own peer still can.
        let hold = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 4, toTag: localTag, body: TestCaller.holdOffer), from: caller)
        #expect(hold.statusCodes.contains(200))
    }

    @Test("A re-INVITE without an offer gets ours in the 200; the answer in the ACK (new address, key, hold) reaches the running call")
    func offerlessReInvite() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        let (call, ok, localTag) = try harness.establishCall(from: &caller)
        let refresh = harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 2, toTag: localTag), from: caller)
        let offer = try SDPParser.parse(try #require(refresh.sentResponses.first { $0.statusCode == 200 }).body)
        #expect(offer.media[0].attributeValues("crypto") == (try SDPParser.parse(ok.body)).media[0].attributeValues("crypto"), "our offer keeps our key")
        #expect(!refresh.contains { if case .mediaUpdated = $0 { true } else { false } }, "nothing changes before the answer")

        let answer = TestCaller.holdOffer
            .replacingOccurrences("c=IN IP4 192.0.2.10", "c=IN IP4 192.0.2.12")
            .replacingOccurrences("inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", "inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd")
        // Before the fix the answer in the ACK was ignored: the call kept sending to the old address under the old key.
        let acked = harness.receive(caller.request(.ack, branch: caller.nextBranch(), cseq: 2, toTag: localTag, body: answer), from: caller)
        let updated = try #require(acked.compactMap { if case .mediaUpdated(let reference, let audio) = $0, reference == call.reference { audio } else { nil } }.first)
        #expect(updated.remoteAddress == "192.0.2.12")
        #expect(updated.srtp?.remoteKeyMaterial == (0..<30).map { UInt8($0) })
        #expect(updated.srtp?.localKeyMaterial == call.audio.srtp?.localKeyMaterial, "our key is the one we offered")
        #expect(updated.localDirection == .recvonly, "the phone holds: we only receive")
    }

    @Test("OPTIONS is answered with what the box serves; a BYE for no dialog gets 481")
    func optionsAndStrayBye() {
        var harness = CoreHarness()
        var caller = TestCaller()
        let options = harness.receive(caller.request(.options, branch: caller.nextBranch(), cseq: 1), from: caller)
        let response = options.sentResponses.first
        #expect(response?.statusCode == 200)
        #expect(response?.headers[.allow] == ["INVITE, ACK, BYE, CANCEL, OPTIONS"])
        #expect(harness.receive(caller.request(.bye, branch: caller.nextBranch(), cseq: 2, toTag: "nope"), from: caller).statusCodes == [481])
        #expect(harness.receive(caller.request(.register, branch: caller.nextBranch(), cseq: 3), from: caller).statusCodes == [405])
    }

    @Test("UDP with rport: the response goes back to the source port with received and rport filled in (RFC 3581)")
    func rport() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        caller.transport = .udp
        caller.host = "198.51.100.7"
        let request = caller.request(.options, branch: caller.nextBranch(), cseq: 1)
        let natted = SIPFlow(transport: .udp, remote: SocketEndpoint(host: "198.51.100.7", port: 40_123))
        let actions = harness.core.receive(Array(request.utf8), over: natted, at: .zero)
        guard case .send(let bytes, let flow) = try #require(actions.first) else { Issue.record("nothing sent"); return }
        #expect(flow.remote.port == 40_123)
        let response = try SIPParser().parse(datagram: bytes)
        #expect(response.headers[.via].first?.hasSuffix(";rport=40123;received=198.51.100.7") == true || response.headers[.via].first?.contains("rport=40123") == true)
        #expect(response.headers[.via].first?.contains("received=198.51.100.7") == true)
    }

    @Test("The box ends a call that reaches the maximum duration")
    func maximumDuration() throws {
        var harness = CoreHarness { $0.maximumCallDuration = .seconds(180) }
        var caller = TestCaller()
        _ = try harness.establishCall(from: &caller)
        #expect(harness.advance(by: .seconds(179)).endings.isEmpty)
        let ended = harness.advance(by: .seconds(2))
        #expect(ended.endings == [.localHangUp])
        #expect(ended.sentRequests.map(\.method) == [.bye])
    }

    @Test("A rejected call (unknown mailbox) gets its 404 with a tag, and frees its media port")
    func rejectedCall() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        for round in 0..<8 {
            caller.callID = "call-\(round)"
            let call = try #require(harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: caller).incomingCall)
            #expect(call.localRTPPort % 2 == 0)
            let rejected = harness.core.reject(call.reference, status: 404, at: harness.now)
            #expect(rejected.statusCodes == [404])
            #expect(rejected.endings == [.rejected(404)])
        }
        // Five ports in 20000...20009 served eight calls: the ports came back.
    }
}

extension CallFlowTests {
    @Test("A call the application leaves unanswered gets 480 after the answer deadline")
    func unansweredCall() throws {
        var harness = CoreHarness()
        var caller = TestCaller()
        _ = try #require(harness.receive(caller.request(.invite, branch: caller.nextBranch(), cseq: 1, body: TestCaller.srtpOffer), from: caller).incomingCall)
        #expect(harness.advance(by: .seconds(59)).statusCodes.isEmpty)
        let expired = harness.advance(by: .seconds(2))
        #expect(expired.statusCodes == [480])
        #expect(expired.endings == [.rejected(480)])
    }
}
