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

/// A call's audio with no transport at all: the test hands the runtime the
/// caller's frames and keys, and collects what the caller would hear. The
/// same runtime, flow and vault as a SIP call, which is what lets a
/// telephone line plug in as one more ``CallAudio``.
final class ScriptedCallAudio: CallAudio {
    enum Arrival: Sendable {
        case frame([Int16])
        case digit(DTMFDigit)
        case hungUp
    }

    /// Where the script's arrivals come from; ends on ``stop()``.
    struct Transport: CallAudioTransport {
        let arrivals: AsyncStream<Arrival>
        let feed: AsyncStream<Arrival>.Continuation

        func run(delivering deliver: @escaping @Sendable (Arrival) -> Void) async {
            // On the audio's own thread, as a line's capture would deliver.
            for await arrival in arrivals { try? await ScriptedCallAudio.loop.submit { deliver(arrival) }.get() }
        }

        func stop() async { feed.finish() }
    }

    let transport: Transport
    /// A thread of its own, as a line's capture would have.
    let executor: any SerialExecutor = ScriptedCallAudio.loop.executor
    /// The test's virtual clock paces the call.
    let pacing = CallPacing.clock
    /// Its own thread, not one the other tests' sockets share.
    static let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1).next()
    let codec = AudioCodec.pcmu
    let receivedSampleRate = 8_000
    /// The caller's frames, oldest first, waiting for their slot.
    private var waiting: [[Int16]] = []
    /// What the caller heard; the test keeps its own reference (the call owns the audio).
    final class Heard: Sendable {
        let frames = Mutex<[PromptPlayer.Frame]>([])
    }
    let heard: Heard

    init(arrivals: AsyncStream<Arrival>, feed: AsyncStream<Arrival>.Continuation, heard: Heard) {
        transport = Transport(arrivals: arrivals, feed: feed)
        self.heard = heard
    }

    /// The script pushes its arrivals through the transport.
    func collectArrivals(_ handle: (Arrival) -> Void) {}

    func take(_ arrival: Arrival, at now: Duration) -> CallAudioNews {
        switch arrival {
        case .frame(let samples):
            waiting.append(samples)
            return .audio
        case .digit(let digit):
            return .digit(digit)
        case .hungUp:
            return .callerLeft(stillConnected: false)
        }
    }

    func receivedFrame(at now: Duration) -> ReceivedAudioFrame? {
        guard !waiting.isEmpty else { return nil }
        return ReceivedAudioFrame(samples: waiting.removeFirst(), payload: nil)
    }

    func send(_ frame: PromptPlayer.Frame) {
        heard.frames.withLock { $0.append(frame) }
    }

    /// Frames the caller heard.
    nonisolated(nonsending) func report() async -> Int { heard.frames.withLock { $0.count } }
}

@Suite("A call on a scripted transport")
struct ScriptedCallAudioTests {
    /// Waits, bounded in real time, until `condition` holds.
    static func until(_ what: String, within seconds: Int64 = 5, _ condition: () -> Bool) async throws {
        let limit = ContinuousClock.now.advanced(by: .seconds(seconds))
        while !condition() {
            guard ContinuousClock.now < limit else { throw TestTimeout(what: what) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test("No sockets: a German caller presses 1, speaks two seconds, falls silent; the message is stored and every prompt was played whole, in order")
    func wholeCall() async throws {
        // The vault and its directory live as long as the test.
        let (vaultDirectory, vault, tenant, mailbox) = try MailboxVault.make()
        defer { _ = (vaultDirectory, vault) }
        let directory = try TemporaryDirectory()
        let prompts = try VoicemailCallTests.shortPrompts(in: directory.child("prompts"))
        let (arrivals, feed) = AsyncStream.makeStream(of: ScriptedCallAudio.Arrival.self)
        let heardFrames = ScriptedCallAudio.Heard()
        let clock = ManualClock()
        let progress = CallProgress()
        let signalling = VoicemailCallTests.Signalling()
        let setup = VoicemailCallSetup(caller: try PhoneNumber("+4930123456"), mailbox: mailbox, tenant: tenant, prompts: prompts)
        let summary = VoicemailCallTests.Outcome.Box()
        let framesReported = Mutex(0)
        var logger = Logger(label: "scripted-call")
        logger.logLevel = .error
        let running = Task {
            let audio = ScriptedCallAudio(arrivals: arrivals, feed: feed, heard: heardFrames)
            let result = await VoicemailCall.run(setup, audio: audio, signalling: signalling, logger: logger, clock: clock, wallTime: { Date() }, progress: progress)
            framesReported.withLock { $0 = result?.report ?? -1 }
            summary.set(result?.summary)
        }
        // The vault's first rows and the answer come first; a full parallel run on two cores can be slow to get there.
        try await Self.until("the call's clock", within: 30) { clock.sleeperCount >= 1 || summary.isSet }
        try #require(!summary.isSet, "the call started")
        var tick = 0
        var taken = 0
        while signalling.hungUp == 0, tick < 900 {
            if tick == 30 {
                feed.yield(.digit(.one))
                taken += 1
            }
            let speaking = (80..<180).contains(tick)
            feed.yield(.frame((0..<160).map { speaking ? Int16(6_000 * sin(Double(tick * 160 + $0) * 2 * .pi * 300 / 8_000)) : 0 }))
            taken += 1
            let expected = taken
            try await Self.until("arrival \(expected) taken") { progress.packetsHandled >= expected || signalling.hungUp > 0 }
            clock.advance(by: .milliseconds(20))
            tick += 1
            let handled = tick
            try await Self.until("tick \(handled)") { progress.ticksHandled >= handled || signalling.hungUp > 0 }
        }
        await running.value

        #expect(signalling.answered == 1 && signalling.hungUp == 1)
        #expect(summary.value?.outcome == .recorded)
        #expect(summary.value?.consent == .given)
        // Disclaimer, consent question (cut short by the 1), greeting, beep, message saved.
        let heard = heardFrames.frames.withLock { $0 }
        #expect(framesReported.withLock { $0 } == heard.count, "the audio's report as the call ended")
        #expect(heard.filter(\.marker).count == 5, "each prompt starts with a marked frame")
        #expect(heard.count >= 40 && heard.count <= 50, "\(heard.count) frames")
        let message = try #require(try tenant.voicemails(mailboxID: mailbox.id).first)
        #expect(message.duration >= .seconds(2) && message.duration <= .seconds(9), "the message is \(message.duration)")
        #expect(try tenant.consents(call: message.callID).first?.kind == .priorExpress)
        // 6 s of silence after the speech ends the message: about tick 180 + 300, then the closing prompt.
        #expect((470...520).contains(tick), "ended after \(tick) ticks")
    }

    /// An Ogg Opus tone of `frames` 20 ms frames, as `hushbox mailbox update --greeting` stores one.
    static func greeting(frames: Int) throws -> [UInt8] {
        final class Bytes: RecordingSink {
            var collected: [UInt8] = []
            func write(_ bytes: [UInt8]) throws { collected += bytes }
        }
        let sink = Bytes()
        let recorder = try OggOpusRecorder(sink: sink, inputSampleRate: 16_000)
        try recorder.write((0..<(frames * 320)).map { Int16(8_000 * sin(Double($0) * 2 * .pi * 523 / 16_000)) })
        try recorder.finish()
        return sink.collected
    }

    @Test("A forwarded call hears the mailbox's greeting for its reason (busy; unavailable for no answer and unreachable), the standard one otherwise, and the reason is stored with the call", arguments: [
        (Call.DiversionReason.busy, true, 60), (.busy, false, 120), (.noAnswer, true, 90), (.unavailable, true, 90),
        (.unconditional, true, 120), (.other, true, 120), (nil, true, 120),
    ])
    func greetingForTheReason(reason: Call.DiversionReason?, mailboxHasIt: Bool, greetingFrames: Int) async throws {
        let (vaultDirectory, vault, tenant, mailbox) = try MailboxVault.make()
        defer { _ = (vaultDirectory, vault) }
        try tenant.setGreeting(try Self.greeting(frames: 120), forMailbox: mailbox.id, actor: "test")
        if mailboxHasIt {
            try tenant.setGreeting(try Self.greeting(frames: 60), forMailbox: mailbox.id, purpose: .busy, actor: "test")
            try tenant.setGreeting(try Self.greeting(frames: 90), forMailbox: mailbox.id, purpose: .unavailable, actor: "test")
        }
        let withGreeting = try #require(try tenant.mailbox(mailbox.id))
        let directory = try TemporaryDirectory()
        let prompts = try VoicemailCallTests.shortPrompts(in: directory.child("prompts"))
        let (arrivals, feed) = AsyncStream.makeStream(of: ScriptedCallAudio.Arrival.self)
        let heardFrames = ScriptedCallAudio.Heard()
        let clock = ManualClock()
        let progress = CallProgress()
        let signalling = VoicemailCallTests.Signalling()
        let setup = VoicemailCallSetup(
            caller: try PhoneNumber("+447700900123"), mailbox: withGreeting, tenant: tenant, prompts: prompts, divertedBecause: reason
        )
        let summary = VoicemailCallTests.Outcome.Box()
        var logger = Logger(label: "scripted-call")
        logger.logLevel = .error
        let running = Task {
            let audio = ScriptedCallAudio(arrivals: arrivals, feed: feed, heard: heardFrames)
            let result = await VoicemailCall.run(setup, audio: audio, signalling: signalling, logger: logger, clock: clock, wallTime: { Date() }, progress: progress)
            summary.set(result?.summary)
        }
        try await Self.until("the call's clock", within: 30) { clock.sleeperCount >= 1 || summary.isSet }
        try #require(!summary.isSet, "the call started")
        // Silence until the beep (the third prompt: disclaimer, greeting, beep), then the caller hangs up.
        var tick = 0
        while heardFrames.frames.withLock({ $0.filter(\.marker).count }) < 3, tick < 400 {
            feed.yield(.frame([Int16](repeating: 0, count: 160)))
            let expected = tick + 1
            try await Self.until("arrival \(expected) taken") { progress.packetsHandled >= expected }
            clock.advance(by: .milliseconds(20))
            tick += 1
            let handled = tick
            try await Self.until("tick \(handled)") { progress.ticksHandled >= handled }
        }
        feed.yield(.hungUp)
        await running.value

        let heard = heardFrames.frames.withLock { $0 }
        let markers = heard.indices.filter { heard[$0].marker }
        try #require(markers.count >= 3, "disclaimer, greeting and beep were played")
        #expect(markers[2] - markers[1] == greetingFrames, "the greeting lasted \(markers[2] - markers[1]) frames")
        let call = try #require(try tenant.calls().first)
        #expect(call.divertedBecause == reason)
    }
}
