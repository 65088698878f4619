import CSpanDSP
import Foundation
@testable import HushboxService
import HushboxTestSupport
import LineAudio
import Logging
import Media
import MediaFormat
import MetricsTestKit
import Testing
import Vault
import Voicemail

/// The daemon's line runtime on the real libasound2 (ALSA's file plugin, no
/// sound card) with the real prompts, spandsp's signals and a real vault: a
/// caller on a telephone line gets what a SIP caller gets.
@Suite("Line runtime", .serialized)
struct LineRuntimeTests {
    static let sentence = "Hello, this is Anna. Please call me back about the delivery tomorrow morning. Thank you."

    /// A German line, caller ID by V.23 before the ring; `caller`'s audio begins as the box answers.
    struct Box {
        let directory: TemporaryDirectory
        let vault: Vault
        let tenant: TenantVault
        let mailbox: Mailbox
        let prompts: PromptLibrary

        init(language: String, consentRequired: Bool = true) throws {
            directory = try TemporaryDirectory()
            vault = try Vault.open(directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, logger: Logger(label: "test"))
            tenant = try vault.createTenant(name: "Line")
            mailbox = Mailbox(sipUser: "line", language: language, consentRequired: consentRequired)
            try tenant.insert(mailbox)
            prompts = try PromptLibrary(directory: TestBox.renderedPrompts)
        }

        func seconds(_ prompt: Prompt, _ language: PromptLanguage) -> Double {
            Double(prompts.frames(prompt, language: language, codec: .pcmu).count) * 0.02
        }

        /// Runs the line on `audio` with `rings` in line time, until `calls` calls are stored (or `within` passes).
        /// `meanwhile`: what the test does while the line runs, before waiting for the calls.
        func run(
            _ audio: [Int16], country: ToneCountry, rings: [(Duration, Bool)], calls: Int = 1, within: Duration = .seconds(60), plugged: Bool = true,
            maximumCall: Duration = .seconds(600), ringsToAnswer: Int = 1, loopCurrent: [(Duration, Bool)] = [],
            meanwhile: (FileLine, LineRuntime, TestMetrics) async throws -> Void = { _, _, _ in }
        ) async throws -> (LineMetrics, TestMetrics) {
            let line = try FileLine(caller: audio, in: directory, plugged: plugged)
            let configuration = HushboxConfiguration.Line(
                mailbox: "line", captureDevice: line.captureDevice, playbackDevice: line.playbackDevice, alsaConfigurationFile: line.configurationFile,
                control: .gpio(GPIOLines(chip: "none", ring: 0, ringActiveLow: false, hook: 1, hookActiveLow: false, loopCurrent: 2)), rings: ringsToAnswer,
                country: country,
                maximumCall: maximumCall
            )
            let metrics = TestMetrics()
            let lineMetrics = LineMetrics(factory: metrics)
            let (tenant, mailbox) = (tenant, mailbox)
            let setup = LineController.Setup(
                line: configuration, prompts: prompts, outboxDestinations: [], mailbox: { (tenant, mailbox) }, logger: Logger(label: "line-test"),
                metrics: lineMetrics
            )
            let runtime = LineRuntime.start(setup, gpio: nil)
            runtime.scriptRings(rings)
            runtime.script(loopCurrent.map { ($0.0, .loopCurrent, $0.1) })
            try await meanwhile(line, runtime, metrics)
            let deadline = ContinuousClock.now + within
            let outcomes = ["recorded", "no_message", "declined_consent", "mailbox_full", "failed"]
            while ContinuousClock.now < deadline {
                let ended = try outcomes.reduce(0) { $0 + (try metrics.expectCounter(CallMetrics.endedLabel, [("source", "line"), ("outcome", $1)]).totalValue) }
                if ended >= calls { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            await runtime.stop()
            return (lineMetrics, metrics)
        }

        func messageSamples() throws -> [Int16] {
            let message = try #require(try tenant.voicemails(mailboxID: mailbox.id).first)
            let stored = try tenant.openObject(try #require(message.objectID)).readAll()
            return try OggOpusReader.read(stored.bytes).decode(sampleRate: 8000)
        }
    }

    static let ring: [(Duration, Bool)] = [(.seconds(1), true), (.milliseconds(1500), false)]
    /// The answer comes when the ring's 0.4 s joining gap has passed.
    static let answeredAt = 1.9

    @Test("a German caller with V.23 caller ID presses 1, speaks and hangs up into busy tone: number sealed, message matches, no busy tone kept, erased by number")
    func germanCaller() async throws {
        let box = try Box(language: "de")
        let speech = try await LineSignals.speech(Self.sentence, in: box.directory)
        // As a German exchange sends it: the first ring, the caller ID, the second ring; the box answers after two.
        var audio = LineSignals.silence(seconds: 2.2) + LineSignals.callerID("030111222", standard: Int32(ADSI_STANDARD_CLIP))
        let answered = 5.4
        audio += LineSignals.silence(seconds: answered - Double(audio.count) / 8000)
        let question = box.seconds(.disclaimer, .german) + box.seconds(.consentRequest, .german)
        audio += LineSignals.silence(seconds: question + 0.5) + LineSignals.dtmf("1")
        audio += LineSignals.silence(seconds: box.seconds(.greeting, .german) + box.seconds(.beep, .german) + 1.0)
        audio += speech + LineSignals.silence(seconds: 1.0) + LineSignals.tone([425], cycle: [480, 480], seconds: 8)
        let rings: [(Duration, Bool)] = [(.seconds(1), true), (.seconds(2), false), (.seconds(4), true), (.seconds(5), false)]
        let (_, metrics) = try await box.run(audio, country: .de, rings: rings, ringsToAnswer: 2)

        #expect(try metrics.expectCounter(CallMetrics.endedLabel, [("source", "line"), ("outcome", "recorded")]).totalValue == 1)
        let calls = try box.tenant.calls(counterparty: try PhoneNumber("+4930111222"))
        #expect(calls.count == 1, "the caller's number, read in Germany, finds the call")
        let message = try box.messageSamples()
        let correlation = Self.correlation(speech, message)
        #expect(correlation >= 0.8, "envelope correlation \(correlation)")
        // After the speech the caller paused 1 s, then hung up: of the busy tone that followed, at most 0.5 s is kept.
        let afterSpeech = Array(message.suffix(8000 * 3 / 2))
        let toneFrames = Self.framesDominated(by: [425], in: afterSpeech)
        #expect((10...27).contains(toneFrames.count), "about 0.5 s of busy tone kept, not the seconds it took to recognise it; found \(toneFrames.count) frames")
        let seconds = Double(message.count) / 8000
        // About 1.2 s before the speech (the key is heard before it ends), 1 s after it, 0.5 s of the tone.
        #expect(seconds < Double(speech.count) / 8000 + 2.9, "the message ends soon after the speech: \(seconds) s")

        // The caller asks to be erased, by the number the exchange sent: the line call goes like a SIP caller's.
        let erasure = try box.tenant.requestErasure(of: .caller(try PhoneNumber("+49 30 111222")), actor: "test")
        #expect(erasure.calls == 1 && erasure.voicemails == 1)
        let report = try box.tenant.completeErasure(erasure.request.id, actor: "test")
        #expect(report.voicemails == 1 && report.objects == 1)
        #expect(try box.tenant.voicemails(mailboxID: box.mailbox.id).isEmpty)
        #expect(try box.tenant.calls(counterparty: try PhoneNumber("+4930111222")).isEmpty)
    }

    @Test("an American caller with Bell 202 caller ID and noise 20 dB below the voice leaves a message and hangs up into busy tone: message matches")
    func americanCallerInNoise() async throws {
        let box = try Box(language: "en")
        let speech = try await LineSignals.speech(Self.sentence, in: box.directory)
        var audio = LineSignals.silence(seconds: 0.2) + LineSignals.callerID("2125550147", standard: Int32(ADSI_STANDARD_CLASS))
        audio += LineSignals.silence(seconds: Self.answeredAt - Double(audio.count) / 8000)
        // A US caller to an English mailbox is not asked for consent: disclaimer, greeting, beep.
        let before = box.seconds(.disclaimer, .english) + box.seconds(.greeting, .english) + box.seconds(.beep, .english)
        audio += LineSignals.silence(seconds: before + 1.0) + speech + LineSignals.silence(seconds: 1.0)
        audio += LineSignals.tone([480, 620], cycle: [500, 500], seconds: 6)
        let noisy = LineSignals.withNoise(audio, snrDB: 20 + Self.speechToLineDB(speech, audio), seed: 7)
        let (_, metrics) = try await box.run(noisy, country: .us, rings: Self.ring)

        #expect(try metrics.expectCounter(CallMetrics.endedLabel, [("source", "line"), ("outcome", "recorded")]).totalValue == 1)
        #expect(try box.tenant.calls(counterparty: try PhoneNumber("+12125550147")).count == 1)
        let message = try box.messageSamples()
        let correlation = Self.correlation(speech, message)
        #expect(correlation >= 0.8, "envelope correlation \(correlation)")
        let toneFrames = Self.framesDominated(by: [480, 620], in: Array(message.suffix(8000 * 3 / 2)))
        #expect((10...27).contains(toneFrames.count), "about 0.5 s of busy tone kept; found \(toneFrames.count) frames")
    }

    @Test("a caller who hangs up during the greeting leaves no message, and the next ring is answered")
    func hangUpDuringGreeting() async throws {
        let box = try Box(language: "en", consentRequired: false)
        var audio = LineSignals.silence(seconds: Self.answeredAt + box.seconds(.disclaimer, .english) + 0.3)
        audio += LineSignals.tone([425], cycle: [480, 480], seconds: 3)
        // The exchange rings again once the first call is over (4 s of line time to store it); that caller stays silent.
        let secondRing = Double(audio.count) / 8000 + 4
        audio += LineSignals.silence(seconds: 4 + 0.5 + 0.4 + box.seconds(.disclaimer, .english) + box.seconds(.greeting, .english) + 10)
        let rings = Self.ring + [(Duration.seconds(secondRing), true), (Duration.seconds(secondRing + 0.5), false)]
        let (_, metrics) = try await box.run(audio, country: .de, rings: rings, calls: 2)
        #expect(try metrics.expectCounter(LineMetrics.answeredLabel).totalValue == 2, "the next ring was answered")
        #expect(try metrics.expectCounter(CallMetrics.endedLabel, [("source", "line"), ("outcome", "no_message")]).totalValue == 2)
        #expect(try box.tenant.voicemails(mailboxID: box.mailbox.id).isEmpty)
    }

    @Test("a call that outlasts its limit (a line that never sends a hang-up tone) is ended, its message kept, and the trouble cleared")
    func offHookTooLong() async throws {
        let box = try Box(language: "en", consentRequired: false)
        let before = box.seconds(.disclaimer, .english) + box.seconds(.greeting, .english) + box.seconds(.beep, .english)
        // White noise loud enough to count as speech: never silent, never a tone.
        var generator = SeededGenerator(seed: 11)
        let noise = (0..<(8000 * 40)).map { _ in Int16.random(in: -4000...4000, using: &generator) }
        let audio = LineSignals.silence(seconds: Self.answeredAt + before + 0.5) + noise
        let limit = Duration.seconds(Int64(Self.answeredAt + before) + 8)
        let (_, metrics) = try await box.run(audio, country: .de, rings: Self.ring, maximumCall: limit)
        #expect(try metrics.expectCounter(CallMetrics.endedLabel, [("source", "line"), ("outcome", "recorded")]).totalValue == 1)
        let troubled = try metrics.expectGauge(LineMetrics.troubleLabel, [("kind", "off-hook-too-long")])
        #expect(troubled.values == [0, 1, 0], "begun once, cleared once: \(troubled.values)")
        let message = try #require(try box.tenant.voicemails(mailboxID: box.mailbox.id).first)
        #expect(message.duration < .seconds(10), "cut at the limit: \(message.duration)")
    }

    @Test("loop current gone for 0.3 s ends a call as the caller hanging up, on the second call as on the first")
    func loopCurrentDrop() async throws {
        let box = try Box(language: "en", consentRequired: false)
        let speech = try await LineSignals.speech("Please call me back.", in: box.directory)
        let before = box.seconds(.disclaimer, .english) + box.seconds(.greeting, .english) + box.seconds(.beep, .english)
        // Each call: answered 0.4 s after its ring, current flows 0.1 s later, speech after the beep, then the caller hangs up (no tone on this line).
        func call(startingAt start: Double) -> (audio: [Int16], rings: [(Duration, Bool)], current: [(Duration, Bool)], end: Double) {
            let answer = start + 0.9
            let spoken = answer + before + 1.0
            let hangUp = spoken + Double(speech.count) / 8000 + 1.0
            let audio = LineSignals.silence(seconds: spoken - start) + speech + LineSignals.silence(seconds: hangUp - spoken - Double(speech.count) / 8000 + 3)
            return (audio, [(.seconds(start), true), (.seconds(start + 0.5), false)], [(.seconds(answer + 0.1), true), (.seconds(hangUp), false)], hangUp + 3)
        }
        let first = call(startingAt: 1.0)
        let second = call(startingAt: first.end + 4)
        let audio = first.audio + LineSignals.silence(seconds: 4) + second.audio + LineSignals.silence(seconds: 5)
        let (_, metrics) = try await box.run(
            LineSignals.silence(seconds: 1.0) + audio, country: .de, rings: first.rings + second.rings, calls: 2, loopCurrent: first.current + second.current
        )
        #expect(try metrics.expectCounter(CallMetrics.endedLabel, [("source", "line"), ("outcome", "recorded")]).totalValue == 2)
        let messages = try box.tenant.voicemails(mailboxID: box.mailbox.id)
        #expect(messages.count == 2)
        for message in messages {
            // 1 s before the words, the words, 1 s of quiet, 0.3 s until the current's loss counts: nothing after.
            #expect(message.duration < .seconds(Int64(Double(speech.count) / 8000 + 3.5)), "\(message.duration)")
            #expect(message.duration > .seconds(Int64(Double(speech.count) / 8000)), "\(message.duration)")
        }
    }

    @Test("a daemon stopping mid-call keeps the message as it stands and hangs up")
    func shutdownMidCall() async throws {
        let box = try Box(language: "en", consentRequired: false)
        var generator = SeededGenerator(seed: 13)
        // Ten minutes of a caller who never stops (far more than the test lets run): a second of noise, repeated.
        let second = (0..<8000).map { _ in Int16.random(in: -4000...4000, using: &generator) }
        let audio = LineSignals.silence(seconds: Self.answeredAt + 0.1) + Array([[Int16]](repeating: second, count: 600).joined())
        let (_, metrics) = try await box.run(audio, country: .de, rings: Self.ring, calls: 0) { _, _, metrics in
            try await Self.until("the call is answered") { (try? metrics.expectCounter(LineMetrics.answeredLabel).totalValue) == 1 }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(try metrics.expectCounter(CallMetrics.endedLabel, [("source", "line"), ("outcome", "recorded")]).totalValue == 1)
        let message = try #require(try box.tenant.voicemails(mailboxID: box.mailbox.id).first)
        #expect(message.duration > .seconds(1))
    }

    @Test("a card missing at start is reported once, nothing is answered while it is missing, and it is used once plugged in")
    func cardPluggedLate() async throws {
        let box = try Box(language: "en", consentRequired: false)
        let audio = LineSignals.silence(seconds: 30)
        let (_, metrics) = try await box.run(audio, country: .de, rings: Self.ring, plugged: false) { line, runtime, metrics in
            let lost = [("kind", "audio-device-lost")]
            try await Self.until("the missing card is reported") { (try? metrics.expectGauge(LineMetrics.troubleLabel, lost).lastValue) == 1 }
            // Past the scripted ring's time: nothing to answer without a card.
            try await Task.sleep(for: .seconds(2))
            #expect(try metrics.expectCounter(LineMetrics.answeredLabel).totalValue == 0)
            try line.plug(true)
            try await Self.until("the card is used once plugged in and has fed frames for 10 s", within: .seconds(25)) {
                (try? metrics.expectGauge(LineMetrics.troubleLabel, lost).lastValue) == 0
            }
            let now = runtime.clock.now.offset
            runtime.scriptRings([(now + .seconds(1), true), (now + .milliseconds(1500), false)])
        }
        #expect(try metrics.expectCounter(LineMetrics.answeredLabel).totalValue == 1)
        #expect(try metrics.expectCounter(CallMetrics.endedLabel, [("source", "line"), ("outcome", "no_message")]).totalValue == 1)
    }

    static func until(_ what: String, within limit: Duration = .seconds(5), _ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            guard ContinuousClock.now < deadline else { throw TimedOut(what: what) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    struct TimedOut: Error, CustomStringConvertible {
        let what: String
        var description: String { "timed out waiting until \(what)" }
    }

    // MARK: Measures

    /// How much louder the speech is than the whole line's RMS, so the noise is set against the voice.
    static func speechToLineDB(_ speech: [Int16], _ line: [Int16]) -> Double {
        func rms(_ samples: [Int16]) -> Double { (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))).squareRoot() }
        return 20 * log10(rms(line) / rms(speech))
    }

    static func correlation(_ speech: [Int16], _ message: [Int16]) -> Double {
        SpeechEnvelope.correlation(sent: speech, sentRate: 8000, stored: message, storedRate: 8000)
    }

    /// The 20 ms frames with most of their energy at `hertz`.
    static func framesDominated(by hertz: [Double], in samples: [Int16]) -> [Int] {
        let share = ToneShare(frequencies: hertz)
        return stride(from: 0, to: samples.count - 160, by: 160).filter { start in
            let frame = Array(samples[start..<start + 160])
            return SilenceDetector.level(frame) > -50 && share.share(of: frame) > 0.6
        }.map { $0 / 160 }
    }
}
