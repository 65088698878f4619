import HushboxTestSupport
import Media
import NIOCore
import NIOPosix
import MediaFormat
import Testing

/// A re-INVITE's new media applied to a running session on loopback: the
/// phone moves to another address with a new SRTP key; the box re-keys; the
/// phone holds and resumes.
@Suite("Media session: re-negotiated media applied mid-call")
struct MediaUpdateTests {
    static let newPhoneKey = (0..<30).map { UInt8(77 &+ $0 &* 3) }
    static let newBoxKey = (0..<30).map { UInt8(250 - $0 * 2) }
    static let phoneAddresses = MediaSources { $0 == "127.0.0.1" || $0 == "127.0.0.2" }

    static func audio(remote address: String, port: Int, local: [UInt8], remote: [UInt8], direction: MediaDirection = .sendrecv) -> RTPAudioParameters {
        var audio = MediaSessionTests.audio(remotePort: port, local: local, remote: remote)
        audio.remoteAddress = address
        audio.localDirection = direction
        return audio
    }

    static func payloads(_ events: [MediaSession<ManualClock>.Event]) -> [UInt8] {
        events.compactMap { if case .packet(let packet) = $0 { packet.payload.first } else { nil } }
    }

    /// The phone's side of the call, bound on loopback and running, sending to the box's RTP port.
    static func phone(sendingTo boxPort: Int) async throws -> (MediaSession<ManualClock>, port: Int, serving: Task<Void, Never>) {
        let phone = try MediaSession(
            audio: Self.audio(remote: "127.0.0.1", port: boxPort, local: MediaSessionTests.phoneKey, remote: MediaSessionTests.boxKey),
            sources: Self.phoneAddresses, clock: ManualClock()
        )
        let port = try await phone.bind(host: "127.0.0.1", port: 0).rtp
        return (phone, port, Task { await phone.run() })
    }

    @Test("A new remote address and key: the old key is refused, the new one from the new address decodes and latches; then our own key changes")
    func newAddressAndKeys() async throws {
        let clock = ManualClock()
        let box = try MediaSession(
            audio: Self.audio(remote: "127.0.0.1", port: 9, local: MediaSessionTests.boxKey, remote: MediaSessionTests.phoneKey),
            sources: Self.phoneAddresses, clock: clock
        )
        let boxPort = try await box.bind(host: "127.0.0.1", port: 0).rtp
        let received = MediaSessionTests.Collected()
        let serving = Task { await box.run() }
        let listening = Task { for await event in box.events { received.add(event) } }

        let (oldPhone, oldPhonePort, oldServing) = try await Self.phone(sendingTo: boxPort)
        for index in 0..<3 {
            try await oldPhone.send(payload: [UInt8](repeating: UInt8(index), count: 160), duration: 160)
        }
        try await received.wait(for: 3)
        #expect(await box.latchedSource == MediaEndpoint(host: "127.0.0.1", port: oldPhonePort))

        // The re-INVITE: the phone now speaks from 127.0.0.2 under a new key.
        let newPhone = try MediaSession(
            audio: Self.audio(remote: "127.0.0.1", port: boxPort, local: Self.newPhoneKey, remote: MediaSessionTests.boxKey),
            sources: Self.phoneAddresses, clock: ManualClock()
        )
        let newPhonePort = try await newPhone.bind(host: "127.0.0.2", port: 0).rtp
        let phoneReceived = MediaSessionTests.Collected()
        let newServing = Task { await newPhone.run() }
        let phoneListening = Task { for await event in newPhone.events { phoneReceived.add(event) } }
        try await box.update(Self.audio(remote: "127.0.0.2", port: newPhonePort, local: MediaSessionTests.boxKey, remote: Self.newPhoneKey))
        #expect(await box.latchedSource == nil, "the new address must be able to latch")

        // A straggler under the old key, even from an allowed address, no longer authenticates.
        try await oldPhone.send(payload: [UInt8](repeating: 0xEE, count: 160), duration: 160)
        #expect(try await MediaSessionTests.eventually { await box.receptionCounters.failedAuthentication == 1 })
        #expect(await box.latchedSource == nil)

        for index in 3..<6 {
            try await newPhone.send(payload: [UInt8](repeating: UInt8(index), count: 160), duration: 160)
        }
        try await received.wait(for: 6)
        #expect(Self.payloads(received.all) == [0, 1, 2, 3, 4, 5])
        #expect(await box.latchedSource == MediaEndpoint(host: "127.0.0.2", port: newPhonePort))

        // Our answer kept our key: what the box sends reaches the phone at its new address.
        try await box.send(payload: [UInt8](repeating: 0x42, count: 160), duration: 160)
        try await phoneReceived.wait(for: 1)

        // A later re-negotiation changes our key: both ends switch, and the phone decodes the box again.
        try await box.update(Self.audio(remote: "127.0.0.2", port: newPhonePort, local: Self.newBoxKey, remote: Self.newPhoneKey))
        try await newPhone.update(Self.audio(remote: "127.0.0.1", port: boxPort, local: Self.newPhoneKey, remote: Self.newBoxKey))
        try await box.send(payload: [UInt8](repeating: 0x43, count: 160), duration: 160)
        try await phoneReceived.wait(for: 2)
        #expect(Self.payloads(phoneReceived.all) == [0x42, 0x43])
        #expect(await newPhone.receptionCounters.failedAuthentication == 0)
        #expect(await box.latchedSource == MediaEndpoint(host: "127.0.0.2", port: newPhonePort), "a key change alone keeps the latch")

        await box.stop()
        await oldPhone.stop()
        await newPhone.stop()
        _ = await (serving.value, listening.value, oldServing.value, newServing.value, phoneListening.value)
    }

    @Test("Hold (the phone sends only) stops our sending and silence does not end the call; resume sends again and silence ends it")
    func holdAndResume() async throws {
        let clock = ManualClock()
        let box = try MediaSession(
            audio: Self.audio(remote: "127.0.0.1", port: 9, local: MediaSessionTests.boxKey, remote: MediaSessionTests.phoneKey),
            sources: Self.phoneAddresses, reportInterval: .seconds(3600), clock: clock
        )
        let boxPort = try await box.bind(host: "127.0.0.1", port: 0).rtp
        let received = MediaSessionTests.Collected()
        let serving = Task { await box.run() }
        let listening = Task { for await event in box.events { received.add(event) } }
        let (phone, phonePort, phoneServing) = try await Self.phone(sendingTo: boxPort)
        try await phone.send(payload: [UInt8](repeating: 1, count: 160), duration: 160)
        try await received.wait(for: 1)

        // The phone's re-offer says sendonly: we answer recvonly and must not send.
        let held = Self.audio(remote: "127.0.0.1", port: phonePort, local: MediaSessionTests.boxKey, remote: MediaSessionTests.phoneKey, direction: .recvonly)
        try await box.update(held)
        #expect(await box.isHeld)
        let sequenceBefore = await box.outboundLastSequence
        try await box.send(payload: [UInt8](repeating: 0x11, count: 160), duration: 160)
        #expect(await box.outboundLastSequence == sequenceBefore, "no packet is made while held")

        // A minute and a half of silence on hold: the watchdog goes back to sleep each
        // time (two sleepers: it and the reporter) instead of reporting the call gone.
        for _ in 0..<3 {
            try await clock.waitForSleepers(2)
            clock.advance(by: .seconds(31))
        }
        try await clock.waitForSleepers(2)
        #expect(!received.all.contains(.inactive), "silence while held is not a caller gone")

        // Resume: sendrecv again. We send, and silence ends the call once more.
        try await box.update(Self.audio(remote: "127.0.0.1", port: phonePort, local: MediaSessionTests.boxKey, remote: MediaSessionTests.phoneKey))
        #expect(await !box.isHeld)
        try await box.send(payload: [UInt8](repeating: 0x12, count: 160), duration: 160)
        #expect(try await MediaSessionTests.eventually { await phone.receptionCounters.accepted == 1 })
        clock.advance(by: .seconds(31))
        try await received.wait(for: 2)
        #expect(received.all.last == .inactive)
        #expect(await phone.receptionCounters.accepted == 1, "the packet offered while held was never sent")

        await box.stop()
        await phone.stop()
        _ = await (serving.value, listening.value, phoneServing.value)
    }
}
