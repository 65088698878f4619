import Foundation
import HushboxTestSupport
import Logging
import Media
import NIOCore
import NIOPosix
import SIPCore
import Synchronization
import Testing
import Vault
import Voicemail

/// Whole voicemail calls through the call runtime on virtual time: the 20 ms
/// rhythm, the prompts, the caller's silence and the media timeouts all run on
/// a manual clock the test moves a tick at a time, while a scripted phone on
/// loopback speaks and listens. Prompts are short tones (0.2 s each), so a
/// whole call is a few hundred ticks.
@Suite("Voicemail calls on virtual time")
struct VoicemailCallTests {
    static let tick = Duration.milliseconds(20)
    /// When the call started and ended, as the vault records it: the injected wall time.
    static let wallTime = Date(timeIntervalSince1970: 1_800_000_000)
    /// A caller from a country that asks no consent: the call goes straight to the greeting.
    static let britishCaller = try? PhoneNumber("+447700900123")

    let directory: TemporaryDirectory
    let vault: Vault
    let tenant: TenantVault
    let mailbox: Mailbox
    let prompts: PromptLibrary
    /// Every fsync of the calls' messages passes it: as fast as the disk unless a test stalls it.
    let card = StorageCard()

    init() throws {
        (directory, vault, tenant, mailbox) = try MailboxVault.make(card: card)
        prompts = try Self.shortPrompts(in: directory.child("prompts"))
    }

    /// Every prompt in every language as 0.2 s of a tone, written as Ogg Opus by the box's own recorder.
    static func shortPrompts(in path: String) throws -> PromptLibrary {
        final class Bytes: RecordingSink {
            var collected: [UInt8] = []
            func write(_ bytes: [UInt8]) throws { collected += bytes }
        }
        func tone() throws -> Data {
            let sink = Bytes()
            let recorder = try OggOpusRecorder(sink: sink, inputSampleRate: 16_000)
            let samples = (0..<3_200).map { Int16(8_000 * sin(Double($0) * 2 * .pi * 440 / 16_000)) }
            try recorder.write(samples)
            try recorder.finish()
            return Data(sink.collected)
        }
        let audio = try tone()
        for language in PromptLanguage.allCases {
            try FileManager.default.createDirectory(atPath: path + "/" + language.rawValue, withIntermediateDirectories: true)
            for prompt in Prompt.allCases where prompt.isSpoken {
                try audio.write(to: URL(fileURLWithPath: "\(path)/\(language.rawValue)/\(prompt.rawValue).opus"))
            }
        }
        try audio.write(to: URL(fileURLWithPath: path + "/beep.opus"))
        return try PromptLibrary(directory: path)
    }

    /// What the runtime asked of SIP.
    final class Signalling: CallSignalling {
        private let state = Mutex((answered: 0, hungUp: 0))
        func answer() async { state.withLock { $0.answered += 1 } }
        func hangUp() async { state.withLock { $0.hungUp += 1 } }
        var answered: Int { state.withLock { $0.answered } }
        var hungUp: Int { state.withLock { $0.hungUp } }
    }

    /// The next port pair ``freePortPair()`` tries, counted from the start of its band.
    static let pairsHandedOut = Atomic<Int>(0)

    /// Two free UDP ports in a row for the box's RTP and RTCP, each pair
    /// handed out once, from 21000–29999: a band nothing else on this
    /// machine binds (the kernel's ephemeral ports start at 32768, hushboxd's
    /// default media range is 20000–20999 and the test baresips' 30000–30999).
    /// A pair probed from port 0's range could be taken by any other test's
    /// socket between the probe and the box's bind; the call then failed to
    /// start under the full parallel run.
    static func freePortPair() async throws -> Int {
        for _ in 0..<100 {
            let index = pairsHandedOut.add(1, ordering: .relaxed).oldValue
            let even = 21_000 + (index * 2) % 9_000
            // Left bound by a process that crashed, perhaps: skip it.
            guard let first = try? await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: even).get()
            else { continue }
            let second = try? await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: even + 1).get()
            try await first.close()
            try? await second?.close()
            if second != nil { return even }
        }
        throw TestTimeout(what: "two free UDP ports in a row")
    }

    static func pcmu(remotePort: Int) -> NegotiatedAudio {
        NegotiatedAudio(
            codec: .pcmu, payloadType: 0, telephoneEventPayloadType: 101, packetTimeMilliseconds: 20, remoteAddress: "127.0.0.1",
            remoteRTPPort: remotePort, remoteRTCPPort: remotePort + 1, localDirection: .sendrecv, srtp: nil
        )
    }

    /// A 20 ms frame of the caller: a tone while speaking, silence otherwise.
    static func callerFrame(speaking: Bool, index: Int) -> [UInt8] {
        let samples = (0..<160).map { sample -> Int16 in
            speaking ? Int16(6_000 * sin(Double(index * 160 + sample) * 2 * .pi * 300 / 8_000)) : 0
        }
        return G711.encodeMuLaw(samples)
    }

    /// What happened in one scripted call.
    struct Outcome {
        var summary: CallerFlow.CallSummary?
        var ticks: Int
        var packetsHeard: Int
        /// Whether the runtime had stored the call by the time the lockstep ended (its hang-up or its end).
        var storedWhenLockstepEnded: Bool
        /// The object fsyncs the card had let through by then.
        var syncsWhenLockstepEnded: Int

        /// The runtime's result, once it returned.
        final class Box: Sendable {
            private let state = Mutex<(set: Bool, value: CallerFlow.CallSummary?)>((false, nil))
            func set(_ value: CallerFlow.CallSummary?) { state.withLock { $0 = (true, value) } }
            var isSet: Bool { state.withLock { $0.set } }
            var value: CallerFlow.CallSummary? { state.withLock { $0.value } }
        }
    }

    /// Runs one call: the phone speaks during `speech` (in ticks from the start),
    /// presses `digits` at the given ticks, and hangs up (the SIP dialog ends) at `hangUpAt`.
    /// The lockstep ends when the box hangs up or the call is over; then
    /// `afterLockstep` runs (a test opens a stalled card there) and the call is awaited.
    func call(
        caller: PhoneNumber? = britishCaller, speech: Range<Int> = 0..<0, digits: [Int: DTMFDigit] = [:], hangUpAt: Int? = nil, maxTicks: Int = 900,
        recordingQueueLimit: Int = 64 * 1024, backlog: RecordingStorage.Backlog = RecordingStorage.Backlog(), afterLockstep: () -> Void = {}
    ) async throws -> (Outcome, Signalling) {
        let clock = ManualClock()
        let phone = try MediaSession(audio: RTPAudioParameters(Self.pcmu(remotePort: 9)), sources: MediaSources { _ in true }, clock: ManualClock())
        let boxPort = try await Self.freePortPair()
        let phonePorts = try await phone.bind(host: "127.0.0.1", port: 0)
        try await phone.update(RTPAudioParameters(Self.pcmu(remotePort: boxPort)))
        let heard = Mutex(0)
        let phoneServing = Task { await phone.run() }
        let phoneListening = Task {
            for await event in phone.events { if case .packet = event { heard.withLock { $0 += 1 } } }
        }

        let rtp = RTPCallSetup(audio: Self.pcmu(remotePort: phonePorts.rtp), mediaHost: "127.0.0.1", localRTPPort: boxPort, mediaSources: { _ in true })
        let setup = VoicemailCallSetup(
            caller: caller, mailbox: mailbox, tenant: tenant, prompts: prompts, recordingQueueLimit: recordingQueueLimit, storageBacklog: backlog
        )
        let signalling = Signalling()
        let (dialog, news) = AsyncStream.makeStream(of: CallDialogEvent.self)
        var logger = Logger(label: "call-test")
        logger.logLevel = .error
        let summary = Outcome.Box()
        let progress = CallProgress()
        let running = Task {
            let result = await VoicemailCall.run(
                setup, rtp: rtp, signalling: signalling, dialog: dialog, logger: logger, clock: clock, wallTime: { Self.wallTime }, progress: progress
            )
            summary.set(result)
        }
        // The box hanging up ends the lockstep too: storing the call may wait on the card.
        var ended: Bool { summary.isSet || signalling.hungUp > 0 }
        /// Waits (bounded, real time) until `condition` holds or the call is over; false when it is over.
        func until(_ what: String, within seconds: Int64 = 5, _ condition: () -> Bool) async throws -> Bool {
            let limit = ContinuousClock.now.advanced(by: .seconds(seconds))
            while !condition() {
                if ended { return false }
                guard ContinuousClock.now < limit else { throw TestTimeout(what: what) }
                try await Task.sleep(for: .milliseconds(1))
            }
            return true
        }

        // In lockstep: the call has taken in every packet sent before the clock moves,
        // and has handled each tick before the next; so the same script gives the same call.
        // The vault's first rows come first; a full parallel run on two cores once took over 5 s to get there.
        guard try await until("the call's timers", within: 30, { clock.sleeperCount >= 3 }) else { throw TestTimeout(what: "the call to start") }
        var tick = 0
        var sent = 0
        while !ended, tick < maxTicks {
            if tick == hangUpAt {
                news.yield(.ended)
                news.finish()
            }
            if let digit = digits[tick] {
                for isEnd in [false, true, true, true] {
                    try await phone.send(payload: TelephoneEvent(event: digit.eventCode, isEnd: isEnd, volume: 10, duration: 800).payload, duration: 0, payloadType: 101)
                }
                sent += 1
            }
            try await phone.send(payload: Self.callerFrame(speaking: speech.contains(tick), index: tick), duration: 160, marker: tick == 0)
            sent += 1
            let expected = sent
            guard try await until("packet \(expected) taken in", { progress.packetsHandled >= expected }) else { break }
            clock.advance(by: Self.tick)
            tick += 1
            let handled = tick
            guard try await until("tick \(handled) handled", { progress.ticksHandled >= handled }) else { break }
        }
        news.finish()
        let storedWhenLockstepEnded = summary.isSet
        let syncsWhenLockstepEnded = card.syncs
        afterLockstep()
        // The runtime stores the call and returns (bounded, real time).
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while !summary.isSet {
            guard ContinuousClock.now < deadline else { throw TestTimeout(what: "the call to end after \(tick) ticks") }
            clock.advance(by: Self.tick)
            try await Task.sleep(for: .milliseconds(2))
        }
        await running.value
        await phone.stop()
        _ = await (phoneServing.value, phoneListening.value)
        let outcome = Outcome(
            summary: summary.value, ticks: tick, packetsHeard: heard.withLock { $0 }, storedWhenLockstepEnded: storedWhenLockstepEnded,
            syncsWhenLockstepEnded: syncsWhenLockstepEnded
        )
        return (outcome, signalling)
    }

    @Test("Disclaimer, greeting, beep, two seconds of speech, six of silence: the message is stored, the caller heard every prompt frame, the call carries the injected wall time")
    func recordedMessage() async throws {
        let (outcome, signalling) = try await call(speech: 40..<140)
        #expect(outcome.summary?.outcome == .recorded)
        #expect(signalling.answered == 1 && signalling.hungUp == 1)
        // disclaimer, greeting, beep and message-saved: 4 × 10 frames of 20 ms.
        #expect(outcome.packetsHeard >= 40, "the caller heard \(outcome.packetsHeard) prompt frames")
        let messages = try tenant.voicemails(mailboxID: mailbox.id)
        #expect(messages.count == 1)
        let length = try #require(messages.first?.duration)
        #expect(length >= .seconds(2) && length <= .seconds(9), "the message is \(length)")
        let stored = try #require(try tenant.calls().first)
        #expect(stored.startedAt == Self.wallTime && stored.endedAt == Self.wallTime)
        #expect(stored.outcome == .recorded)
        // 6 s of silence after the speech ends the message: about tick 140 + 300, then the closing prompt.
        #expect((430...520).contains(outcome.ticks), "ended after \(outcome.ticks) ticks")
    }

    @Test("A German caller is asked for consent: 1 records; 2 records nothing and says so", arguments: [DTMFDigit.one, .two])
    func consent(digit: DTMFDigit) async throws {
        let german = try PhoneNumber("+4930123456")
        let (outcome, _) = try await call(caller: german, speech: 80..<180, digits: [25: digit])
        if digit == .one {
            #expect(outcome.summary?.outcome == .recorded)
            #expect(try tenant.voicemails(mailboxID: mailbox.id).count == 1)
        } else {
            #expect(outcome.summary?.outcome == .declinedConsent)
            #expect(try tenant.voicemails(mailboxID: mailbox.id).isEmpty)
        }
    }

    @Test("The caller hangs up at every step: before the beep nothing is kept; during the recording what was said is kept", arguments: [5, 15, 25, 100])
    func hangUpAtEveryStep(at tick: Int) async throws {
        let (outcome, signalling) = try await call(speech: 40..<140, hangUpAt: tick)
        #expect(signalling.answered == 1)
        #expect(outcome.ticks <= tick + 5, "the call ends at once")
        let kept = try tenant.voicemails(mailboxID: mailbox.id)
        if tick < 40 {
            #expect(outcome.summary?.outcome == .noMessage)
            #expect(kept.isEmpty)
        } else {
            #expect(outcome.summary?.outcome == .recorded, "a second of speech is a message")
            #expect(kept.count == 1)
        }
        #expect(try tenant.calls().count == 1, "the call is stored whatever happened")
    }

    @Test("A stalled card: the caller hears every prompt on time and the box records and hangs up with nothing on disk; once the card answers, the whole message is stored")
    func stalledStorage() async throws {
        card.stall()
        let backlog = RecordingStorage.Backlog()
        let (outcome, signalling) = try await call(speech: 40..<140, backlog: backlog, afterLockstep: { card.resume() })
        #expect(!outcome.storedWhenLockstepEnded, "storing the call waited for the card, not the caller")
        #expect(signalling.hungUp == 1)
        #expect(outcome.packetsHeard >= 40, "the caller heard \(outcome.packetsHeard) prompt frames: all four prompts, whole")
        #expect((430...520).contains(outcome.ticks), "the same call as on a fast card: \(outcome.ticks) ticks")
        #expect(outcome.summary?.outcome == .recorded)
        let message = try #require(try tenant.voicemails(mailboxID: mailbox.id).first)
        #expect(message.duration >= .seconds(2) && message.duration <= .seconds(9), "the message is \(message.duration)")
        let stored = try tenant.openObject(try #require(message.objectID)).readAll()
        #expect(stored.completeness == .complete)
        #expect(try OggOpusReader.read(stored.bytes).duration == message.duration)
        #expect(backlog.queuedBytes == 0 && backlog.queuedJobs == 0, "the queue drained")
    }

    @Test("A card so slow the queue overflows: the message ends there as cut off, the caller is told it was saved, and what was written is a whole message")
    func storageOverflow() async throws {
        card.stall()
        let backlog = RecordingStorage.Backlog()
        let (outcome, signalling) = try await call(
            speech: 40..<700, maxTicks: 1_200, recordingQueueLimit: 3_000, backlog: backlog, afterLockstep: { card.resume() }
        )
        #expect(signalling.hungUp == 1)
        #expect(outcome.ticks < 600, "cut off long before the caller stopped speaking (\(outcome.ticks) ticks)")
        #expect(outcome.packetsHeard >= 40, "the caller heard the closing prompt too (\(outcome.packetsHeard) frames)")
        #expect(outcome.summary?.outcome == .recorded)
        let message = try #require(try tenant.voicemails(mailboxID: mailbox.id).first)
        #expect(message.duration >= .seconds(1) && message.duration < .seconds(10), "the message is \(message.duration)")
        let stored = try tenant.openObject(try #require(message.objectID)).readAll()
        #expect(stored.completeness == .complete, "an object the vault reads whole")
        #expect(try OggOpusReader.read(stored.bytes).duration == message.duration)
        #expect(backlog.queuedBytes == 0, "the queue drained")
    }

    @Test("The call's RTCP port is held by another program: the call is hung up before it is answered, nothing is stored, and the RTP port it had bound is free again")
    func mediaPortTaken() async throws {
        let boxPort = try await Self.freePortPair()
        let squatter = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: boxPort + 1).get()
        let rtp = RTPCallSetup(audio: Self.pcmu(remotePort: 9), mediaHost: "127.0.0.1", localRTPPort: boxPort, mediaSources: { _ in true })
        let setup = VoicemailCallSetup(caller: Self.britishCaller, mailbox: mailbox, tenant: tenant, prompts: prompts)
        let signalling = Signalling()
        let (dialog, news) = AsyncStream.makeStream(of: CallDialogEvent.self)
        var logger = Logger(label: "call-test")
        logger.logLevel = .critical
        // The real clock: the call reads its RTP socket itself (CallSocket), bound before the RTCP port fails.
        let summary = await VoicemailCall.run(setup, rtp: rtp, signalling: signalling, dialog: dialog, logger: logger)
        news.finish()
        #expect(summary == nil, "no call to summarise")
        #expect(signalling.answered == 0 && signalling.hungUp == 1, "refused, not answered")
        #expect(try tenant.calls().isEmpty && tenant.voicemails(mailboxID: mailbox.id).isEmpty)
        // A port pair left half-bound would be lost to every later call given it.
        let rebound = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: boxPort).get()
        try await rebound.close()
        try await squatter.close()
    }

    @Test("An SD card taking 1.5 s per fsync, in real time: the prompt played while the message drains to it keeps its 20 ms rhythm, and the whole message is stored")
    func slowCardInRealTime() async throws {
        // Slow enough that the card is still writing when the box hangs up, even when a loaded
        // machine stretches the prompt (at 500 ms per fsync a busy run could drain it first).
        card.slow(by: .milliseconds(1_500))
        let backlog = RecordingStorage.Backlog()
        let session = try MediaSession(audio: RTPAudioParameters(Self.pcmu(remotePort: 9)), sources: MediaSources { _ in true }, clock: ContinuousClock())
        let boxPort = try await Self.freePortPair()
        let phonePorts = try await session.bind(host: "127.0.0.1", port: 0)
        try await session.update(RTPAudioParameters(Self.pcmu(remotePort: boxPort)))
        let phone = LoopPacedPhone(session)
        let phoneListening = Task { await phone.listen() }
        let rtp = RTPCallSetup(audio: Self.pcmu(remotePort: phonePorts.rtp), mediaHost: "127.0.0.1", localRTPPort: boxPort, mediaSources: { _ in true })
        let setup = VoicemailCallSetup(
            caller: Self.britishCaller, mailbox: mailbox, tenant: tenant, prompts: prompts, recordingChunkSize: 1_024, storageBacklog: backlog
        )
        let signalling = Signalling()
        let (dialog, news) = AsyncStream.makeStream(of: CallDialogEvent.self)
        var logger = Logger(label: "call-test")
        logger.logLevel = .error
        let summary = Outcome.Box()
        let report = Mutex<RTPCallReport?>(nil)
        let running = Task {
            let outcome = await VoicemailCall.run(
                setup, rtp: rtp, signalling: signalling, dialog: dialog, logger: logger, mediaReport: { told in report.withLock { $0 = told } }
            )
            summary.set(outcome)
        }
        // The phone speaks from 0.8 s to 3.8 s, presses # at 4 s, then listens to "message saved" until the box hangs up.
        struct Script {
            var pressedAt: ContinuousClock.Instant?
            var jobsWaitingAtPress = 0
            /// The phone's frame when the beep had been heard (the 30th frame arrived): the message's audio starts there.
            var frameAtBeep: Int?
            var hungUp: ContinuousClock.Instant?
            var bytesWaitingAtHangUp = 0
        }
        let script = Mutex(Script())
        let frames = try await phone.speak(until: { frame in
            guard signalling.hungUp > 0 || frame == 750 else { return false }
            script.withLock { script in (script.hungUp, script.bytesWaitingAtHangUp) = (.now, backlog.queuedBytes) }
            return true
        }) { frame in
            var packets: [LoopPacedPhone.Packet] = []
            script.withLock { script in
                if script.frameAtBeep == nil, phone.heard.count >= 30 { script.frameAtBeep = frame }
                if frame == 200 {
                    script.pressedAt = .now
                    script.jobsWaitingAtPress = backlog.queuedJobs
                    for isEnd in [false, true, true, true] {
                        let event = TelephoneEvent(event: DTMFDigit.pound.eventCode, isEnd: isEnd, volume: 10, duration: 800)
                        packets.append(.init(payload: event.payload, duration: 0, payloadType: 101))
                    }
                }
            }
            packets.append(.init(payload: Self.callerFrame(speaking: (40..<190).contains(frame), index: frame), duration: 160, marker: frame == 0))
            return packets
        }
        news.finish()
        await running.value
        await session.stop()
        await phoneListening.value
        let (pressedAt, jobsWaitingAtPress, frameAtBeep) = script.withLock { ($0.pressedAt, $0.jobsWaitingAtPress, $0.frameAtBeep) }
        let (hungUp, bytesWaitingAtHangUp) = script.withLock { ($0.hungUp ?? .now, $0.bytesWaitingAtHangUp) }
        let arrivals = phone.heard

        #expect(signalling.hungUp == 1, "the box said goodbye after \(frames) frames")
        let pressed = try #require(pressedAt)
        let closing = arrivals.filter { $0 > pressed && $0 <= hungUp }
        #expect(closing.count >= 9, "the caller heard \(closing.count) frames of 'message saved'")
        let gaps = zip(closing.dropFirst(), closing).map { $0 - $1 }
        // A 1.5 s fsync on the call's tick would leave a gap of 1.5 s or more; scheduling
        // on a busy two-core machine leaves tens of milliseconds at worst.
        #expect(gaps.allSatisfy { $0 < .milliseconds(200) }, "the longest gap in 'message saved' was \(gaps.max() ?? .zero)")
        // The queue is serial and its message bytes were queued before the #: still waiting at the hang-up, the card was busy all through the prompt.
        #expect(jobsWaitingAtPress > 0 && bytesWaitingAtHangUp > 0, "the card was writing the message while the caller listened, and after")
        #expect(summary.value?.outcome == .recorded)
        let message = try #require(try tenant.voicemails(mailboxID: mailbox.id).first)
        let stored = try tenant.openObject(try #require(message.objectID)).readAll()
        #expect(stored.completeness == .complete)
        // Disclaimer, greeting and beep are 10 frames each: the recording began as the 30th arrived.
        let heardBeforeRecording = arrivals.prefix(30)
        try #require(heardBeforeRecording.count == 30)
        // What the phone sent between the beep and the #, counted in frames rather than wall time: on a
        // busy machine the phone's loop may send a little late too, and the message can only hold what was sent.
        let spoken = Duration.milliseconds(20 * (200 - (frameAtBeep ?? 200)))
        #expect(
            message.duration >= spoken - .milliseconds(300),
            "every frame from the beep to the # (\(spoken)) is in the message: \(message.duration); the media: \(String(describing: report.withLock { $0 }))"
        )
    }
}
