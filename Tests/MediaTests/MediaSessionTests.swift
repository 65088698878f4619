import HushboxTestSupport
import Media
import NIOCore
import NIOPosix
import MediaFormat
import Synchronization
import Testing

/// Two media sessions on loopback, the box and a phone, with crossed SDES keys.
@Suite("Media session over UDP with SRTP")
struct MediaSessionTests {
    static let boxKey = (0..<30).map { UInt8($0) }
    static let phoneKey = (0..<30).map { UInt8(200 - $0) }
    /// Both ends on 127.0.0.1: the peer's sources admit it.
    static let loopback = MediaSources { $0 == "127.0.0.1" }

    static func audio(remotePort: Int, remoteControlPort: Int? = nil, local: [UInt8], remote: [UInt8]) -> RTPAudioParameters {
        RTPAudioParameters(
            codec: .pcmu, payloadType: 0, telephoneEventPayloadType: 101, packetTimeMilliseconds: 20, remoteAddress: "127.0.0.1",
            remoteRTPPort: remotePort, remoteRTCPPort: remoteControlPort ?? remotePort + 1, localDirection: .sendrecv,
            srtp: .init(suite: .aesCM128HMACSHA1_80, remoteKeyMaterial: remote, localKeyMaterial: local)
        )
    }

    final class Collected: Sendable {
        private let events = Mutex<[MediaSession<ManualClock>.Event]>([])
        func add(_ event: MediaSession<ManualClock>.Event) { events.withLock { $0.append(event) } }
        var all: [MediaSession<ManualClock>.Event] { events.withLock { $0 } }

        func wait(for count: Int, within limit: Duration = .seconds(5)) async throws {
            let deadline = ContinuousClock.now.advanced(by: limit)
            while all.count < count {
                guard ContinuousClock.now < deadline else { throw TestTimeout(what: "\(count) media events (have \(all.count))") }
                try await Task.sleep(for: .milliseconds(2))
            }
        }
    }

    /// Packets travel over real UDP between tasks: on a loaded machine what they
    /// cause may take more than a moment. True once `condition` holds, false after 5 s.
    static func eventually(_ condition: () async -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return await condition()
    }

    @Test("SRTP media arrives decrypted and in order; forged and foreign packets are dropped; digits arrive as digits; SRTCP reports flow back; silence ends the call; an RTCP BYE says the peer left")
    func exchange() async throws {
        let clock = ManualClock()
        // The box's SDP idea of the phone's ports does not matter: media and reports
        // go back to where the phone's packets come from (symmetric RTP and RTCP).
        let box = try MediaSession(audio: Self.audio(remotePort: 9, remoteControlPort: 9, local: Self.boxKey, remote: Self.phoneKey), sources: Self.loopback, clock: clock)
        let boxPorts = try await box.bind(host: "127.0.0.1", port: 0)
        let boxPort = boxPorts.rtp
        let phone = try MediaSession(audio: Self.audio(remotePort: boxPort, remoteControlPort: boxPorts.rtcp, local: Self.phoneKey, remote: Self.boxKey), sources: Self.loopback, clock: clock)
        let phonePort = try await phone.bind(host: "127.0.0.1", port: 0).rtp
        let received = Collected()
        let serving = Task { await box.run() }
        let listening = Task { for await event in box.events { received.add(event) } }
        let phoneServing = Task { await phone.run() }

        // A stranger on another port sends a forged packet first: it must not latch.
        let stranger = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let forged = RTPPacket(payloadType: 0, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload: [UInt8](repeating: 0xFF, count: 160)).serialized + [UInt8](repeating: 0, count: 10)
        try await stranger.writeAndFlush(AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: boxPort), data: stranger.allocator.buffer(bytes: forged)))
        #expect(try await Self.eventually { await box.receptionCounters.failedAuthentication == 1 })
        #expect(await box.latchedSource == nil)

        for index in 0..<20 {
            try await phone.send(payload: [UInt8](repeating: UInt8(index), count: 160), duration: 160, marker: index == 0)
        }
        try await received.wait(for: 20)
        let payloads = received.all.compactMap { if case .packet(let packet) = $0 { packet.payload.first } else { nil } }
        #expect(payloads == (0..<20).map { UInt8($0) })
        #expect(await box.latchedSource == MediaEndpoint(host: "127.0.0.1", port: phonePort))

        // Now latched: even an authentic-looking packet from the stranger's port is dropped.
        try await stranger.writeAndFlush(AddressedEnvelope(remoteAddress: try SocketAddress(ipAddress: "127.0.0.1", port: boxPort), data: stranger.allocator.buffer(bytes: forged)))
        #expect(try await Self.eventually { await box.receptionCounters.fromWrongSource == 1 })

        // A key press as RFC 4733 events: start, end, end, end.
        for isEnd in [false, true, true, true] {
            try await phone.sendEvent(TelephoneEvent(event: 5, isEnd: isEnd, volume: 10, duration: 800))
        }
        try await received.wait(for: 21)
        #expect(received.all.last == .digit(.five))
        #expect(try await Self.eventually { await box.receptionCounters.accepted == 24 }, "the three repeated ends are counted too")

        // RTCP: after two report intervals (at most 7.5 s each) the phone has sent its SR,
        // the box has latched it and its receiver report about the phone's stream has arrived.
        // Each round waits for what it needs instead of a fixed real-time pause, which
        // lost the race under a loaded parallel run: the box must have the phone's SR
        // (and so its RTCP address) before its own report is due.
        try await clock.waitForSleepers(4)
        clock.advance(by: .seconds(8))
        #expect(try await Self.eventually { await box.receptionCounters.controlAccepted >= 1 })
        try await clock.waitForSleepers(4)
        clock.advance(by: .seconds(8))
        #expect(try await Self.eventually { await phone.peerReports.last != nil })
        let report = try #require(await phone.peerReports.last)
        #expect(report.cumulativeLost == 0 && report.fractionLost == 0)
        #expect(report.extendedHighestSequence & 0xFFFF == UInt32(await phone.lastSequenceSent))
        #expect(await box.receptionCounters.controlAccepted >= 1)

        // The phone goes silent: 30 s after its last packet the box reports the call inactive.
        try await clock.waitForSleepers(4)
        clock.advance(by: .seconds(15))
        try await received.wait(for: 22)
        #expect(received.all.last == .inactive)

        // The phone hangs up: its session says goodbye in RTCP and the box hears it.
        await phone.stop()
        try await received.wait(for: 23)
        #expect(received.all.last == .peerLeft)

        await box.stop()
        try await stranger.close()
        _ = await (serving.value, listening.value, phoneServing.value)
    }
}

extension MediaSession {
    var lastSequenceSent: UInt16 { outboundLastSequence }

    /// Sends a telephone-event packet with the negotiated event payload type, at one timestamp.
    func sendEvent(_ event: TelephoneEvent) throws {
        try send(payload: event.payload, duration: 0, payloadType: 101)
    }
}
