import HushboxTestSupport
import Testing
import Voicemail

/// Drives a caller flow the way a call's media task does: every prompt plays
/// for `promptLength` of virtual time, then the flow hears it finished.
struct FlowDriver {
    var flow: CallerFlow
    var now: Duration = .zero
    var actions: [CallerFlow.Action] = []
    var playing: Prompt?
    var promptLength: Duration = .seconds(3)

    init(_ settings: CallerFlowSettings) {
        flow = CallerFlow(settings: settings)
        apply(flow.start(at: now))
    }

    mutating func apply(_ new: [CallerFlow.Action]) {
        actions += new
        for action in new {
            switch action {
            case .play(let prompt, _): playing = prompt
            case .hangUp, .startRecording, .stopRecording, .finished: playing = nil
            }
        }
    }

    /// Lets the current prompt play out.
    mutating func finishPrompt() {
        now += promptLength
        playing = nil
        apply(flow.promptFinished(at: now))
    }

    /// Plays prompts until the flow waits on something else.
    mutating func playThrough() {
        while playing != nil, !flow.isEnded { finishPrompt() }
    }

    mutating func press(_ key: Character) { apply(flow.digit(key, at: now)) }

    mutating func wait(_ duration: Duration) {
        now += duration
        apply(flow.tick(at: now))
    }

    mutating func speak(_ speech: Duration, thenSilence silence: Duration = .zero) {
        now += speech + silence
        apply(flow.recordingProgress(speech: speech, trailingSilence: silence, at: now))
    }

    mutating func hangUp() { apply(flow.callerHungUp(at: now)) }

    var prompts: [Prompt] { actions.compactMap { if case .play(let prompt, _) = $0 { prompt } else { nil } } }
    var summary: CallerFlow.CallSummary? { actions.compactMap { if case .finished(let summary) = $0 { summary } else { nil } }.last }
    var recorded: Bool { actions.contains { if case .startRecording = $0 { true } else { false } } }
}

@Suite("Caller flow: disclaimer, consent, greeting, recording")
struct CallerFlowTests {
    static func settings(caller: String?, mailbox: PromptLanguage = .english, consent: Bool = true) -> CallerFlowSettings {
        .forCall(callerE164: caller, mailboxLanguage: mailbox, mailboxRequiresConsent: consent, recordingEnabled: true,
                 mailboxFull: false, maximumMessage: .seconds(180))
    }

    @Test("A UK caller hears the disclaimer, the greeting and the beep, speaks, presses # and hears 'message saved'")
    func ordinaryMessage() {
        var call = FlowDriver(Self.settings(caller: "+447700900123"))
        call.playThrough()
        #expect(call.prompts == [.disclaimer, .greeting, .beep])
        #expect(call.actions.last == .startRecording(under: .notRequired))
        call.speak(.seconds(12))
        call.press("#")
        #expect(call.actions.suffix(2) == [.stopRecording(keep: true), .play(.messageSaved, interruptible: false)])
        call.playThrough()
        #expect(call.actions.suffix(2) == [.hangUp, .finished(.init(outcome: .recorded, consent: .notRequired, language: .english))])
    }

    @Test("A +49 caller is asked in German and pressing 1 records with consent given")
    func germanConsentGiven() {
        var call = FlowDriver(Self.settings(caller: "+4930123456"))
        call.playThrough()
        #expect(call.prompts == [.disclaimer, .consentRequest])
        #expect(!call.recorded)
        call.press("1")
        call.playThrough()
        #expect(call.prompts == [.disclaimer, .consentRequest, .greeting, .beep])
        #expect(call.actions.last == .startRecording(under: .given))
        call.speak(.seconds(4))
        call.hangUp()
        #expect(call.actions.suffix(2) == [.stopRecording(keep: true), .finished(.init(outcome: .recorded, consent: .given, language: .german))])
    }

    @Test("Pressing 1 during the consent question counts at once; the question need not finish")
    func consentDuringQuestion() {
        var call = FlowDriver(Self.settings(caller: "+48221234567"))
        call.finishPrompt()
        #expect(call.playing == .consentRequest)
        call.press("1")
        #expect(call.playing == .greeting)
    }

    @Test("A +49 caller pressing 2 is told nothing is recorded, and nothing is")
    func germanConsentDeclined() {
        var call = FlowDriver(Self.settings(caller: "+4930123456"))
        call.playThrough()
        call.press("2")
        call.playThrough()
        #expect(call.prompts == [.disclaimer, .consentRequest, .consentDeclined])
        #expect(!call.recorded)
        #expect(call.summary == .init(outcome: .declinedConsent, consent: .declined, language: .german))
        #expect(call.actions.contains(.hangUp))
    }

    @Test("No answer to the consent question: asked once more after 8 s, then declined after another 8 s")
    func consentTimeout() {
        var call = FlowDriver(Self.settings(caller: "+43123456789"))
        call.playThrough()
        call.wait(.milliseconds(7_999))
        #expect(call.prompts == [.disclaimer, .consentRequest], "not yet: 8 s to answer")
        call.wait(.milliseconds(1))
        #expect(call.prompts == [.disclaimer, .consentRequest, .consentRequest], "asked again")
        call.finishPrompt()
        call.wait(.seconds(8))
        call.playThrough()
        #expect(call.prompts.last == .consentDeclined)
        #expect(!call.recorded)
        #expect(call.summary?.consent == .declined)
    }

    @Test("A caller who hangs up during the consent question gave no consent")
    func hangUpDuringConsent() {
        var call = FlowDriver(Self.settings(caller: "+41441234567"))
        call.playThrough()
        call.hangUp()
        #expect(call.summary == .init(outcome: .declinedConsent, consent: .declined, language: .german))
        #expect(!call.actions.contains(.hangUp), "the caller already did")
    }

    @Test("A mailbox that does not require consent records a +49 caller after the disclaimer alone")
    func consentNotRequiredByMailbox() {
        var call = FlowDriver(Self.settings(caller: "+4930123456", consent: false))
        call.playThrough()
        #expect(call.prompts == [.disclaimer, .greeting, .beep])
        #expect(call.recorded)
    }

    @Test("Under 1 s of speech is discarded; the call is still summarised")
    func tooShort() {
        var call = FlowDriver(Self.settings(caller: "+33123456789"))
        call.playThrough()
        call.speak(.milliseconds(900))
        call.press("#")
        #expect(call.actions.contains(.stopRecording(keep: false)))
        call.playThrough()
        #expect(call.prompts.last == .noMessage)
        #expect(call.summary == .init(outcome: .noMessage, consent: .notRequired, language: .french))
    }

    @Test("The maximum length ends the message on time; so does the maximum silence")
    func limits() {
        var long = FlowDriver(Self.settings(caller: "+447700900123"))
        long.playThrough()
        long.speak(.seconds(60))
        long.wait(.seconds(119))
        #expect(!long.actions.contains(.stopRecording(keep: true)))
        long.wait(.seconds(1))
        #expect(long.actions.contains(.stopRecording(keep: true)))

        var quiet = FlowDriver(Self.settings(caller: "+447700900123"))
        quiet.playThrough()
        quiet.speak(.seconds(5), thenSilence: .seconds(5))
        #expect(!quiet.actions.contains(.stopRecording(keep: true)))
        quiet.speak(.seconds(5), thenSilence: .seconds(6))
        #expect(quiet.actions.contains(.stopRecording(keep: true)))
    }

    @Test("Storage cut-off: a card that fell behind keeps what was written and says so; a failed card keeps nothing and says so")
    func storageCutOff() {
        var behind = FlowDriver(Self.settings(caller: "+447700900123"))
        behind.playThrough()
        behind.speak(.seconds(4))
        behind.apply(behind.flow.recordingCutOff(canKeep: true, at: behind.now))
        #expect(behind.actions.suffix(2) == [.stopRecording(keep: true), .play(.messageSaved, interruptible: false)])
        behind.playThrough()
        #expect(behind.summary == .init(outcome: .recorded, consent: .notRequired, language: .english))
        #expect(behind.flow.recordingCutOff(canKeep: true, at: behind.now).isEmpty, "only a recording can be cut off")

        var failed = FlowDriver(Self.settings(caller: "+447700900123"))
        failed.playThrough()
        failed.speak(.seconds(4))
        failed.apply(failed.flow.recordingCutOff(canKeep: false, at: failed.now))
        #expect(failed.actions.suffix(2) == [.stopRecording(keep: false), .play(.noMessage, interruptible: false)])
        failed.playThrough()
        #expect(failed.summary == .init(outcome: .noMessage, consent: .notRequired, language: .english))
    }

    @Test("A full mailbox says so and records nothing; a mailbox with recording off plays its greeting only")
    func nothingRecorded() {
        var full = FlowDriver(.init(language: .dutch, asksForConsent: true, mailboxFull: true))
        full.playThrough()
        #expect(full.prompts == [.mailboxFull])
        #expect(!full.recorded)
        #expect(full.summary == .init(outcome: .mailboxFull, consent: nil, language: .dutch))

        var off = FlowDriver(.init(language: .italian, asksForConsent: true, recordingEnabled: false))
        off.playThrough()
        #expect(off.prompts == [.greeting])
        #expect(!off.recorded)
        #expect(off.summary == .init(outcome: .noMessage, consent: nil, language: .italian))
    }

    @Test("# during the greeting skips to the beep; other keys do nothing")
    func skipGreeting() {
        var call = FlowDriver(Self.settings(caller: "+447700900123"))
        call.finishPrompt()
        call.press("5")
        #expect(call.playing == .greeting)
        call.press("#")
        #expect(call.playing == .beep)
    }

    @Test("Whatever callers do, nobody is recorded before the disclaimer ended, nor a consent caller before pressing 1")
    func disclaimerAndConsentAlwaysPrecedeRecording() {
        var generator = SeededGenerator(seed: 42)
        let callers: [String?] = [nil, "+4930123456", "+447700900123", "+48221234567", "+41441234567"]
        let keys: [Character] = ["1", "2", "#", "*", "5"]
        for _ in 0..<2_000 {
            let caller = callers[Int(generator.next() % UInt64(callers.count))]
            let settings = Self.settings(caller: caller)
            var call = FlowDriver(settings)
            var disclaimerFinished = false
            var pressedOne = false
            for _ in 0..<12 where !call.flow.isEnded {
                let before = call.actions.count
                switch generator.next() % 5 {
                case 0:
                    if call.playing == .disclaimer { disclaimerFinished = true }
                    call.finishPrompt()
                case 1:
                    let key = keys[Int(generator.next() % UInt64(keys.count))]
                    if key == "1", call.playing == .consentRequest || call.flow.nextDeadline != nil { pressedOne = true }
                    call.press(key)
                case 2: call.wait(.seconds(Int64(generator.next() % 10)))
                case 3: call.speak(.seconds(Int64(generator.next() % 4)), thenSilence: .seconds(Int64(generator.next() % 8)))
                default: call.hangUp()
                }
                if call.actions[before...].contains(where: { if case .startRecording = $0 { true } else { false } }) {
                    #expect(disclaimerFinished)
                    if settings.asksForConsent { #expect(pressedOne) }
                }
            }
            #expect(call.actions.filter { if case .finished = $0 { true } else { false } }.count <= 1)
        }
    }
}

@Suite("Caller language and consent by country code")
struct CallerCountryTests {
    @Test("Language from the caller's country, the mailbox's where it is spoken there, else the mailbox's")
    func language() {
        func language(_ caller: String?, _ mailbox: PromptLanguage) -> PromptLanguage {
            CallerFlowSettings.forCall(callerE164: caller, mailboxLanguage: mailbox, mailboxRequiresConsent: true, recordingEnabled: true,
                                       mailboxFull: false, maximumMessage: .seconds(60)).language
        }
        #expect(language("+4930123456", .english) == .german)
        #expect(language("+41221234567", .french) == .french, "Swiss caller, French mailbox")
        #expect(language("+41221234567", .english) == .german)
        #expect(language("+3226123456", .french) == .french)
        #expect(language("+31201234567", .english) == .dutch)
        #expect(language("+34911234567", .english) == .spanish)
        #expect(language("+390612345678", .english) == .italian)
        #expect(language("+48221234567", .english) == .polish)
        #expect(language("+4536123456", .dutch) == .dutch, "Danish: Hushbox does not speak it")
        #expect(language("+4231234567", .english) == .german, "+423 Liechtenstein, not +42")
        #expect(language(nil, .italian) == .italian)
    }

    @Test("Consent is asked of DE, AT, CH and PL callers and of withheld ones (their country cannot be known), only where the mailbox requires it")
    func consentCountries() {
        func asks(_ caller: String?, mailbox: Bool = true) -> Bool {
            CallerFlowSettings.forCall(callerE164: caller, mailboxLanguage: .english, mailboxRequiresConsent: mailbox, recordingEnabled: true,
                                       mailboxFull: false, maximumMessage: .seconds(60)).asksForConsent
        }
        #expect(asks("+4930123456") && asks("+43123456789") && asks("+41441234567") && asks("+48221234567"))
        #expect(!asks("+33123456789") && !asks("+447700900123") && !asks("+4231234567"))
        #expect(asks(nil), "a withheld caller may be calling from Germany")
        #expect(!asks("+4930123456", mailbox: false) && !asks(nil, mailbox: false))
    }
}
