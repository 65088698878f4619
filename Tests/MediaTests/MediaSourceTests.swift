import HushboxTestSupport
import Media
import NIOCore
import NIOPosix
import MediaFormat
import Testing

/// Media from outside the call's SIP peer's sources, on loopback: senders
/// bound to 127.0.0.2 (the peer) and 127.0.0.3 (a stranger spraying RTP at
/// the port range). Linux routes all of 127.0.0.0/8 to lo.
@Suite("Media session: only the peer's sources may send media")
struct MediaSourceTests {
    static let peer = "127.0.0.2"
    static let stranger = "127.0.0.3"
    /// The peer's configured sources: 127.0.0.2/32.
    static let peerSources = MediaSources { $0 == MediaSourceTests.peer }

    static func plainAudio() -> RTPAudioParameters {
        RTPAudioParameters(
            codec: .pcmu, payloadType: 0, telephoneEventPayloadType: 101, packetTimeMilliseconds: 20, remoteAddress: peer,
            remoteRTPPort: 9, remoteRTCPPort: 10, localDirection: .sendrecv, srtp: nil
        )
    }

    /// A UDP socket bound to `host`, to send as that address.
    static func sender(on host: String) async throws -> any Channel {
        try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: host, port: 0).get()
    }

    static func send(_ bytes: [UInt8], from channel: any Channel, to port: Int) async throws {
        let envelope = AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: port), data: channel.allocator.buffer(bytes: bytes))
        try await channel.writeAndFlush(envelope)
    }

    static func rtp(_ sequence: UInt16, ssrc: UInt32) -> [UInt8] {
        RTPPacket(payloadType: 0, sequenceNumber: sequence, timestamp: UInt32(sequence) * 160, ssrc: ssrc, payload: [UInt8](repeating: 0xD5, count: 160)).serialized
    }

    @Test("Plain RTP: a stranger's well-formed packets are dropped, counted and do not latch; the peer's are accepted and latch")
    func plaintextFromStrangerIgnored() async throws {
        let clock = ManualClock()
        let box = try MediaSession(audio: Self.plainAudio(), sources: Self.peerSources, clock: clock)
        let ports = try await box.bind(host: "127.0.0.1", port: 0)
        let received = MediaSessionTests.Collected()
        let serving = Task { await box.run() }
        let listening = Task { for await event in box.events { received.add(event) } }
        let stranger = try await Self.sender(on: Self.stranger)
        let peer = try await Self.sender(on: Self.peer)

        // The spray comes first, as it would against a port range: before the fix the
        // first of these latched the call and the peer's own packets were then refused.
        for sequence in 0..<5 {
            try await Self.send(Self.rtp(UInt16(sequence), ssrc: 0xBAD), from: stranger, to: ports.rtp)
        }
        let rtcp = RTCPPacket.receiverReport(.init(ssrc: 0xBAD, reports: []))
        try await Self.send(rtcp.serialized, from: stranger, to: ports.rtcp)
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.outsidePeerSources == 6 })
        #expect(await box.latchedSource == nil, "a stranger's packet must not latch the call")
        #expect(await box.receptionCounters.accepted == 0)
        #expect(await box.receptionCounters.controlAccepted == 0)

        for sequence in 0..<5 {
            try await Self.send(Self.rtp(UInt16(100 + sequence), ssrc: 0x600D), from: peer, to: ports.rtp)
        }
        try await received.wait(for: 5)
        let peerPort = try #require(peer.localAddress?.port)
        #expect(await box.latchedSource == MediaEndpoint(host: Self.peer, port: peerPort))
        #expect(received.all.allSatisfy { if case .packet(let packet) = $0 { packet.ssrc == 0x600D } else { false } })

        // Still from outside the sources after the latch: counted as such, not as a latch mismatch.
        try await Self.send(Self.rtp(6, ssrc: 0xBAD), from: stranger, to: ports.rtp)
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.outsidePeerSources == 7 })
        #expect(await box.receptionCounters.fromWrongSource == 0)
        #expect(await box.receptionCounters.accepted == 5)

        await box.stop()
        try await stranger.close()
        try await peer.close()
        _ = await (serving.value, listening.value)
    }

    @Test("SRTP: a packet under the right key from outside the peer's sources is dropped before authentication")
    func srtpFromStrangerIgnored() async throws {
        let clock = ManualClock()
        var audio = Self.plainAudio()
        audio.srtp = .init(suite: .aesCM128HMACSHA1_80, remoteKeyMaterial: MediaSessionTests.phoneKey, localKeyMaterial: MediaSessionTests.boxKey)
        let box = try MediaSession(audio: audio, sources: Self.peerSources, clock: clock)
        let ports = try await box.bind(host: "127.0.0.1", port: 0)
        let serving = Task { await box.run() }
        let draining = Task { for await _ in box.events {} }
        // Whoever holds the peer's key (a leaked SDP, a second device) still sends from the wrong place.
        let phoneSide = try SRTPContext(suite: .aesCM128HMACSHA1_80, keyMaterial: MediaSessionTests.phoneKey, direction: .outbound)
        let stranger = try await Self.sender(on: Self.stranger)
        try await Self.send(try phoneSide.protect(rtp: Self.rtp(1, ssrc: 7)), from: stranger, to: ports.rtp)
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.outsidePeerSources == 1 })
        #expect(await box.receptionCounters.accepted == 0)
        #expect(await box.receptionCounters.failedAuthentication == 0, "dropped before any crypto")
        #expect(await box.latchedSource == nil)

        let peer = try await Self.sender(on: Self.peer)
        try await Self.send(try phoneSide.protect(rtp: Self.rtp(2, ssrc: 7)), from: peer, to: ports.rtp)
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.accepted == 1 })

        await box.stop()
        try await stranger.close()
        try await peer.close()
        _ = await (serving.value, draining.value)
    }

    /// A trunk's range: the announced media host (127.0.0.2) and another address of the range (127.0.0.4).
    static let trunkRange = MediaSources { ["127.0.0.2", "127.0.0.4"].contains($0) }
    static let otherInRange = "127.0.0.4"

    @Test("Plain RTP: a packet forged from another address of the peer's range does not latch when the SDP named one of the sources")
    func plaintextLatchesOnlyToTheAnnouncedHost() async throws {
        let box = try MediaSession(audio: Self.plainAudio(), sources: Self.trunkRange, clock: ManualClock())
        let ports = try await box.bind(host: "127.0.0.1", port: 0)
        let serving = Task { await box.run() }
        let draining = Task { for await _ in box.events {} }
        let forger = try await Self.sender(on: Self.otherInRange)
        let peer = try await Self.sender(on: Self.peer)
        // Before the fix the forger's first packet latched the call: the peer's own were then refused.
        try await Self.send(Self.rtp(1, ssrc: 0xBAD), from: forger, to: ports.rtp)
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.fromWrongSource == 1 })
        #expect(await box.latchedSource == nil)
        try await Self.send(Self.rtp(2, ssrc: 0x600D), from: peer, to: ports.rtp)
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.accepted == 1 })
        #expect(await box.latchedSource?.host == Self.peer)

        await box.stop()
        try await forger.close()
        try await peer.close()
        _ = await (serving.value, draining.value)
    }

    @Test("Addresses compare in one spelling: IPv4-mapped as IPv4, IPv6 lower case and compressed")
    func canonicalAddresses() {
        #expect(MediaEndpoint.canonical("::ffff:192.0.2.1") == "192.0.2.1")
        #expect(MediaEndpoint.canonical("2001:0DB8:0000::0001") == "2001:db8::1")
        #expect(MediaEndpoint.canonical("192.0.2.1") == "192.0.2.1")
        #expect(MediaEndpoint.canonical("pbx.example") == "pbx.example")
    }

    @Test("Plain RTP behind NAT: when the SDP's address is none of the sources, the first packet from the sources latches")
    func plaintextBehindNATLatchesToTheFirstPacket() async throws {
        var audio = Self.plainAudio()
        audio.remoteAddress = "192.168.1.20"  // the phone's private address, as its SDP says
        let box = try MediaSession(audio: audio, sources: Self.trunkRange, clock: ManualClock())
        let ports = try await box.bind(host: "127.0.0.1", port: 0)
        let serving = Task { await box.run() }
        let draining = Task { for await _ in box.events {} }
        let natted = try await Self.sender(on: Self.otherInRange)
        try await Self.send(Self.rtp(1, ssrc: 0x600D), from: natted, to: ports.rtp)
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.accepted == 1 })
        #expect(await box.latchedSource?.host == Self.otherInRange)

        await box.stop()
        try await natted.close()
        _ = await (serving.value, draining.value)
    }

    @Test("The sockets drop a stranger's spray before the session sees it, and the events waiting for a reader that has not started keep only the newest 128 packets")
    func socketsDropAndQueueIsBounded() async throws {
        let box = try MediaSession(audio: Self.plainAudio(), sources: Self.peerSources, clock: ManualClock())
        let ports = try await box.bind(host: "127.0.0.1", port: 0)
        // Nothing reads the session's events yet: their queue fills.
        let stranger = try await Self.sender(on: Self.stranger)
        let peer = try await Self.sender(on: Self.peer)
        for batch in 0..<6 {
            for index in 0..<50 { try await Self.send(Self.rtp(UInt16(batch * 50 + index), ssrc: 0xBAD), from: stranger, to: ports.rtp) }
            let expected = (batch + 1) * 50
            let arrived = try await MediaSessionTests.eventually { await box.receptionCounters.outsidePeerSources == expected }
            let counters = await box.receptionCounters
            #expect(arrived, "every stranger datagram counted as dropped; the sockets counted \(counters)")
        }
        for batch in 0..<6 {
            for index in 0..<50 { try await Self.send(Self.rtp(UInt16(1_000 + batch * 50 + index), ssrc: 0x600D), from: peer, to: ports.rtp) }
            // Paced on what the sockets have taken, so the kernel's small buffer never overflows.
            let expected = (batch + 1) * 50
            #expect(try await MediaSessionTests.eventually { await box.receptionCounters.queuedBySockets == expected })
        }
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.droppedQueueFull == 300 - 128 })

        let received = MediaSessionTests.Collected()
        let serving = Task { await box.run() }
        let listening = Task { for await event in box.events { received.add(event) } }
        try await received.wait(for: 128)
        let sequences = received.all.compactMap { if case .packet(let packet) = $0 { packet.sequenceNumber } else { nil } }
        let newest = UInt16(1_000 + 300 - 128)
        #expect(sequences.first == newest, "the newest packets are kept")
        #expect(sequences.count == 128)
        #expect(await box.receptionCounters.accepted == 300, "every packet was authenticated and latched as it arrived")

        await box.stop()
        try await stranger.close()
        try await peer.close()
        _ = await (serving.value, listening.value)
    }

    @Test("A peer's stream that starts anew under another SSRC keeps flowing, and our reports follow it after three packets, not after a stray one")
    func newSSRC() async throws {
        let box = try MediaSession(audio: Self.plainAudio(), sources: Self.peerSources, clock: ManualClock())
        let ports = try await box.bind(host: "127.0.0.1", port: 0)
        let serving = Task { await box.run() }
        let draining = Task { for await _ in box.events {} }
        let peer = try await Self.sender(on: Self.peer)
        for sequence in 0..<3 { try await Self.send(Self.rtp(UInt16(sequence), ssrc: 0x600D), from: peer, to: ports.rtp) }
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.accepted == 3 })
        // One stray packet under another SSRC (comfort noise, an event) changes nothing.
        try await Self.send(Self.rtp(30_000, ssrc: 0xC0FFEE), from: peer, to: ports.rtp)
        try await Self.send(Self.rtp(3, ssrc: 0x600D), from: peer, to: ports.rtp)
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.accepted == 5 })
        #expect(await box.reportedSSRC == 0x600D)
        for sequence in 0..<3 { try await Self.send(Self.rtp(UInt16(40_000 + sequence), ssrc: 0xBEEF), from: peer, to: ports.rtp) }
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.accepted == 8 })
        // Before the fix the statistics stayed on the first SSRC, and the reports with them.
        #expect(await box.reportedSSRC == 0xBEEF)
        await box.stop()
        try await peer.close()
        _ = await (serving.value, draining.value)
    }

    @Test("Once latched, the sockets drop a flood from another port of the peer's own host before it is queued: the caller's packets keep their place")
    func latchedFloodDroppedAtTheSocket() async throws {
        let box = try MediaSession(audio: Self.plainAudio(), sources: Self.peerSources, clock: ManualClock())
        let ports = try await box.bind(host: "127.0.0.1", port: 0)
        let serving = Task { await box.run() }
        let draining = Task { for await _ in box.events {} }
        let peer = try await Self.sender(on: Self.peer)
        try await Self.send(Self.rtp(1, ssrc: 0x600D), from: peer, to: ports.rtp)
        #expect(try await MediaSessionTests.eventually { await box.latchedSource != nil })
        let queuedBefore = await box.receptionCounters.queuedBySockets

        // Same host as the peer (in its sources, or spoofed), another port: before the
        // fix each of these took a place in the queue until the session refused it.
        let flooder = try await Self.sender(on: Self.peer)
        for batch in 0..<4 {
            for index in 0..<50 { try await Self.send(Self.rtp(UInt16(batch * 50 + index), ssrc: 0xBAD), from: flooder, to: ports.rtp) }
            let expected = (batch + 1) * 50  // paced, so the kernel's small buffer never overflows
            #expect(try await MediaSessionTests.eventually { await box.receptionCounters.fromWrongSource == expected })
        }
        #expect(await box.receptionCounters.queuedBySockets == queuedBefore)
        try await Self.send(Self.rtp(2, ssrc: 0x600D), from: peer, to: ports.rtp)
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.accepted == 2 })

        await box.stop()
        try await flooder.close()
        try await peer.close()
        _ = await (serving.value, draining.value)
    }
}
