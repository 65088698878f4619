import HushboxTestSupport
import Media
import MediaFormat
import NIOCore
import NIOPosix
import Testing

/// A call's RTP socket read by the call once per 20 ms slot (what a SIP
/// call in hushboxd does): what waits in the kernel is taken at the slot,
/// bounded per slot, and checked as a channel-read packet is.
@Suite("Media session: the RTP socket read once per slot")
struct SlotReadTests {
    static func session() async throws -> (MediaSession<ManualClock>, rtp: Int) {
        let box = try MediaSession(audio: MediaSourceTests.plainAudio(), sources: MediaSourceTests.peerSources, clock: ManualClock(), readsWhenAsked: true)
        let ports = try await box.bind(host: "127.0.0.1", port: 0)
        return (box, ports.rtp)
    }

    static func sequences(_ events: [MediaEvent]) -> [UInt16] {
        events.compactMap { if case .packet(let packet) = $0 { packet.sequenceNumber } else { nil } }
    }

    @Test("Nothing is taken until the slot; then every packet waiting, in order, once")
    func packetsWaitForTheSlot() async throws {
        let (box, port) = try await Self.session()
        let peer = try await MediaSourceTests.sender(on: MediaSourceTests.peer)
        for sequence in 0..<3 { try await MediaSourceTests.send(MediaSourceTests.rtp(UInt16(sequence), ssrc: 0x600D), from: peer, to: port) }
        // Loopback delivers before the send returns: the packets wait in the kernel, untouched.
        #expect(await box.receptionCounters.accepted == 0)
        #expect(Self.sequences(await box.readWaitingPackets()) == [0, 1], "the slot's packet and one more")
        #expect(Self.sequences(await box.readWaitingPackets()) == [2])
        #expect(await box.latchedSource?.host == MediaSourceTests.peer)
        #expect(await box.readWaitingPackets().isEmpty, "a packet is taken once")
        await box.stop()
        try await peer.close()
    }

    @Test("A flood is taken two datagrams per slot, whatever is sent; the rest wait in the kernel for later slots")
    func floodBoundedPerSlot() async throws {
        let (box, port) = try await Self.session()
        let peer = try await MediaSourceTests.sender(on: MediaSourceTests.peer)
        for sequence in 0..<50 { try await MediaSourceTests.send(MediaSourceTests.rtp(UInt16(sequence), ssrc: 0x600D), from: peer, to: port) }
        for slot in 0..<25 {
            let first = UInt16(slot * 2)
            #expect(Self.sequences(await box.readWaitingPackets()) == [first, first + 1])
        }
        #expect(await box.readWaitingPackets().isEmpty)
        #expect(await box.receptionCounters.queuedBySockets == 50)
        await box.stop()
        try await peer.close()
    }

    @Test("A stranger's datagrams and one longer than any RTP packet are read, counted and dropped; the caller's packet after them is taken")
    func badDatagramsDropped() async throws {
        let (box, port) = try await Self.session()
        let peer = try await MediaSourceTests.sender(on: MediaSourceTests.peer)
        let stranger = try await MediaSourceTests.sender(on: MediaSourceTests.stranger)
        for sequence in 0..<5 { try await MediaSourceTests.send(MediaSourceTests.rtp(UInt16(sequence), ssrc: 0xBAD), from: stranger, to: port) }
        // 3000 bytes: more than the socket's 2048-byte buffer; the kernel cuts it, the session drops it.
        let oversized = RTPPacket(payloadType: 0, sequenceNumber: 900, timestamp: 0, ssrc: 0x600D, payload: [UInt8](repeating: 0xD5, count: 3_000)).serialized
        try await MediaSourceTests.send(oversized, from: peer, to: port)
        try await MediaSourceTests.send(MediaSourceTests.rtp(7, ssrc: 0x600D), from: peer, to: port)
        #expect(Self.sequences(await box.readWaitingPackets()) == [7])
        let counters = await box.receptionCounters
        #expect(counters.outsidePeerSources == 5)
        #expect(counters.accepted == 1)
        #expect(counters.malformed == 1, "the oversized datagram")
        #expect(counters.queuedBySockets == 1, "only the caller's whole packet reached the session")
        #expect(await box.latchedSource?.host == MediaSourceTests.peer, "the stranger did not latch the call")
        await box.stop()
        try await peer.close()
        try await stranger.close()
    }

    @Test("What the socket's buffer cannot hold between slots is dropped by the kernel and counted: taken plus dropped is all that was sent")
    func kernelDropsCounted() async throws {
        let (box, port) = try await Self.session()
        let peer = try await MediaSourceTests.sender(on: MediaSourceTests.peer)
        for sequence in 0..<2_000 { try await MediaSourceTests.send(MediaSourceTests.rtp(UInt16(sequence), ssrc: 0x600D), from: peer, to: port) }
        // Slot after slot until every datagram is accounted for (bounded: the kernel may
        // still be delivering a burst this size from its backlog when the sends return).
        var taken = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while await taken + box.receptionCounters.droppedQueueFull < 2_000, ContinuousClock.now < deadline {
            taken += await box.readWaitingPackets().count
            try await Task.sleep(for: .milliseconds(1))
        }
        let counters = await box.receptionCounters
        #expect(counters.droppedQueueFull > 0, "2,000 packets do not fit the socket's buffer")
        #expect(taken + counters.droppedQueueFull == 2_000)
        await box.stop()
        #expect(await box.receptionCounters.droppedQueueFull == counters.droppedQueueFull, "still told after the socket is closed")
        try await peer.close()
    }

    @Test("A stranger's flood before the call latched does not use up the caller's budget: the caller's packet behind 100 of theirs is taken in the same slot")
    func strangersFloodDoesNotStarveTheCaller() async throws {
        let (box, port) = try await Self.session()
        let peer = try await MediaSourceTests.sender(on: MediaSourceTests.peer)
        let stranger = try await MediaSourceTests.sender(on: MediaSourceTests.stranger)
        // 100: what the socket's buffer holds, far beyond the caller's budget of two a slot.
        for sequence in 0..<100 { try await MediaSourceTests.send(MediaSourceTests.rtp(UInt16(sequence), ssrc: 0xBAD), from: stranger, to: port) }
        try await MediaSourceTests.send(MediaSourceTests.rtp(1, ssrc: 0x600D), from: peer, to: port)
        #expect(Self.sequences(await box.readWaitingPackets()) == [1])
        let counters = await box.receptionCounters
        #expect(counters.outsidePeerSources == 100)
        #expect(counters.droppedQueueFull == 0)
        #expect(counters.queuedBySockets == 1)
        await box.stop()
        try await peer.close()
        try await stranger.close()
    }

    @Test("Once latched, the kernel drops everyone else's datagrams before they take room in the call's socket, the peer's own other ports too")
    func latchedSocketAdmitsOnlyTheCaller() async throws {
        let (box, port) = try await Self.session()
        let peer = try await MediaSourceTests.sender(on: MediaSourceTests.peer)
        try await MediaSourceTests.send(MediaSourceTests.rtp(1, ssrc: 0x600D), from: peer, to: port)
        #expect(Self.sequences(await box.readWaitingPackets()) == [1])
        let otherPort = try await MediaSourceTests.sender(on: MediaSourceTests.peer)
        let stranger = try await MediaSourceTests.sender(on: MediaSourceTests.stranger)
        for sequence in 0..<100 {
            try await MediaSourceTests.send(MediaSourceTests.rtp(UInt16(sequence), ssrc: 0xBAD), from: stranger, to: port)
            try await MediaSourceTests.send(MediaSourceTests.rtp(UInt16(sequence), ssrc: 0xBAD), from: otherPort, to: port)
        }
        try await MediaSourceTests.send(MediaSourceTests.rtp(2, ssrc: 0x600D), from: peer, to: port)
        #expect(Self.sequences(await box.readWaitingPackets()) == [2])
        let counters = await box.receptionCounters
        #expect(counters.outsidePeerSources == 0 && counters.fromWrongSource == 0, "none of the 200 reached the socket")
        #expect(counters.droppedQueueFull == 0)
        await box.stop()
        for channel in [peer, otherPort, stranger] { try await channel.close() }
    }

    @Test("On a dual-stack socket (bound to ::) an IPv4 caller is seen as ::ffff:a.b.c.d, as NIO's sockets say it, latched, connected and answered")
    func dualStack() async throws {
        let mapped = "::ffff:" + MediaSourceTests.peer
        let box = try MediaSession(audio: MediaSourceTests.plainAudio(), sources: MediaSources { $0 == mapped }, clock: ManualClock(), readsWhenAsked: true)
        let port = try await box.bind(host: "::", port: 0).rtp
        let peer = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Inbox()) }
            }
            .bind(host: MediaSourceTests.peer, port: 0).get()
        try await MediaSourceTests.send(MediaSourceTests.rtp(1, ssrc: 0x600D), from: peer, to: port)
        #expect(Self.sequences(await box.readWaitingPackets()) == [1])
        #expect(await box.latchedSource == MediaEndpoint(host: mapped, port: peer.localAddress?.port ?? -1))
        // Connected to the caller: our packet goes back to it over IPv4.
        try await box.send(payload: [UInt8](repeating: 0xFF, count: 160), duration: 160)
        let inbox = try await peer.pipeline.handler(type: Inbox.self).get()
        #expect(try await MediaSessionTests.eventually { inbox.sources.withLock { $0 } == [port] })
        await box.stop()
        try await peer.close()
    }

    @Test("Our packets go out of the same socket, to where the caller's come from")
    func sendsFromTheSlotSocket() async throws {
        let (box, port) = try await Self.session()
        let peer = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Inbox()) }
            }
            .bind(host: MediaSourceTests.peer, port: 0).get()
        try await MediaSourceTests.send(MediaSourceTests.rtp(1, ssrc: 0x600D), from: peer, to: port)
        _ = await box.readWaitingPackets()
        try await box.send(payload: [UInt8](repeating: 0xFF, count: 160), duration: 160)
        let inbox = try await peer.pipeline.handler(type: Inbox.self).get()
        #expect(try await MediaSessionTests.eventually { inbox.sources.withLock { $0 }.count == 1 })
        #expect(inbox.sources.withLock { $0 } == [port], "from the call's RTP port")
        await box.stop()
        try await peer.close()
    }
}

import Synchronization

/// The source ports of the datagrams a test peer received.
private final class Inbox: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    let sources = Mutex<[Int]>([])

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let port = unwrapInboundIn(data).remoteAddress.port ?? -1
        sources.withLock { $0.append(port) }
    }
}
