/// One caller's way through a mailbox, as a value: answer → disclaimer →
/// consent (where asked) → greeting → beep → record until hang-up, '#', the
/// maximum length or the maximum silence → "message saved" → hang up.
///
/// Events go in with the time since the call was answered; actions come out
/// for the call's media task to carry out (play a prompt, start or stop the
/// recording, hang up) and, once, the summary to store. No sockets, no clock:
/// tests drive it on virtual time.
///
/// The disclaimer is structural: the only way to `.startRecording(under:)` passes
/// through `.disclaimer`, and nothing configures it away.
public struct CallerFlow: Sendable {
    public enum Action: Sendable, Hashable {
        /// Play this prompt now, replacing whatever is playing. `interruptible`
        /// prompts may be cut short by a key the flow acts on.
        case play(Prompt, interruptible: Bool)
        /// Start capturing the message, recorded under this consent (never `.declined`).
        case startRecording(under: ConsentDecision)
        /// Stop capturing; keep the message or discard it.
        case stopRecording(keep: Bool)
        case hangUp
        /// The call is over for the flow: store this. Emitted exactly once.
        case finished(CallSummary)
    }

    public struct CallSummary: Sendable, Hashable {
        public enum Outcome: String, Sendable, Hashable {
            case recorded
            /// Nothing kept: too short, recording disabled, or the caller left before the beep.
            case noMessage = "no_message"
            case declinedConsent = "declined_consent"
            case mailboxFull = "mailbox_full"
        }

        public var outcome: Outcome
        /// nil when no recording was ever on the table (mailbox full, recording disabled).
        public var consent: ConsentDecision?
        public var language: PromptLanguage

        public init(outcome: Outcome, consent: ConsentDecision?, language: PromptLanguage) {
            self.outcome = outcome
            self.consent = consent
            self.language = language
        }
    }

    enum State: Sendable, Hashable {
        case ready
        case disclaimer
        case consentQuestion(attempt: Int)
        case awaitingConsent(attempt: Int, deadline: Duration)
        case greeting
        case greetingOnly
        case beep
        case recording(deadline: Duration)
        case closing
        case ended
    }

    public let settings: CallerFlowSettings
    private(set) var state: State = .ready
    private var consent: ConsentDecision?
    private var speech: Duration = .zero
    private var outcome: CallSummary.Outcome = .noMessage

    public init(settings: CallerFlowSettings) {
        self.settings = settings
    }

    public var isEnded: Bool { state == .ended }

    /// When ``tick(at:)`` has something to do next (a consent timeout, the
    /// maximum message length); nil while waiting on prompts or the caller.
    public var nextDeadline: Duration? {
        switch state {
        case .awaitingConsent(_, let deadline), .recording(let deadline): deadline
        default: nil
        }
    }

    /// The call was answered.
    public mutating func start(at now: Duration) -> [Action] {
        guard state == .ready else { return [] }
        if settings.mailboxFull {
            outcome = .mailboxFull
            return close(with: .mailboxFull)
        }
        if !settings.recordingEnabled {
            state = .greetingOnly
            return [.play(.greeting, interruptible: false)]
        }
        state = .disclaimer
        return [.play(.disclaimer, interruptible: false)]
    }

    /// The prompt last asked for has played to its end.
    public mutating func promptFinished(at now: Duration) -> [Action] {
        switch state {
        case .disclaimer:
            if settings.asksForConsent {
                state = .consentQuestion(attempt: 1)
                return [.play(.consentRequest, interruptible: true)]
            }
            consent = .notRequired
            return playGreeting()
        case .consentQuestion(let attempt):
            state = .awaitingConsent(attempt: attempt, deadline: now + settings.consentTimeout)
            return []
        case .greeting:
            state = .beep
            return [.play(.beep, interruptible: false)]
        case .beep:
            // By construction the disclaimer ended with consent given or not required.
            let basis = consent ?? (settings.asksForConsent ? .declined : .notRequired)
            guard basis != .declined else { return decline() }
            state = .recording(deadline: now + settings.maximumMessage)
            return [.startRecording(under: basis)]
        case .greetingOnly:
            return end(hangingUp: true)
        case .closing:
            return end(hangingUp: true)
        case .ready, .awaitingConsent, .recording, .ended:
            return []
        }
    }

    /// The caller pressed a key.
    public mutating func digit(_ key: Character, at now: Duration) -> [Action] {
        switch state {
        case .consentQuestion, .awaitingConsent:
            switch key {
            case "1":
                consent = .given
                return playGreeting()
            case "2":
                return decline()
            default:
                return []
            }
        case .greeting where key == "#" || key == "*":
            // Callers who know the greeting skip to the beep.
            state = .beep
            return [.play(.beep, interruptible: false)]
        case .recording where key == "#":
            return stopRecording(hungUp: false)
        default:
            return []
        }
    }

    /// How the recording is going: total speech so far and silence since the last word.
    public mutating func recordingProgress(speech: Duration, trailingSilence: Duration, at now: Duration) -> [Action] {
        guard case .recording = state else { return [] }
        self.speech = speech
        if trailingSilence >= settings.maximumSilence { return stopRecording(hungUp: false) }
        return []
    }

    /// Time passed: consent timeouts and the maximum message length.
    public mutating func tick(at now: Duration) -> [Action] {
        switch state {
        case .awaitingConsent(let attempt, let deadline) where now >= deadline:
            if attempt == 1 {
                state = .consentQuestion(attempt: 2)
                return [.play(.consentRequest, interruptible: true)]
            }
            return decline()
        case .recording(let deadline) where now >= deadline:
            return stopRecording(hungUp: false)
        default:
            return []
        }
    }

    /// The box cannot keep recording: its storage fell too far behind
    /// (`canKeep`: what was written is a message, kept when it holds enough
    /// speech) or failed (nothing usable was written). The caller hears, as
    /// at the maximum length, whether their message was saved.
    public mutating func recordingCutOff(canKeep: Bool, at now: Duration) -> [Action] {
        guard case .recording = state else { return [] }
        guard canKeep else {
            outcome = .noMessage
            return [.stopRecording(keep: false)] + close(with: .noMessage)
        }
        return stopRecording(hungUp: false)
    }

    /// The caller hung up (SIP BYE, or the media stopped).
    public mutating func callerHungUp(at now: Duration) -> [Action] {
        switch state {
        case .ended:
            return []
        case .recording:
            return stopRecording(hungUp: true)
        case .consentQuestion, .awaitingConsent:
            // Leaving without an answer is not consent.
            consent = .declined
            outcome = .declinedConsent
            return end(hangingUp: false)
        default:
            return end(hangingUp: false)
        }
    }

    private mutating func playGreeting() -> [Action] {
        state = .greeting
        return [.play(.greeting, interruptible: true)]
    }

    private mutating func decline() -> [Action] {
        consent = .declined
        outcome = .declinedConsent
        return close(with: .consentDeclined)
    }

    private mutating func stopRecording(hungUp: Bool) -> [Action] {
        let keep = speech >= settings.minimumSpeech
        outcome = keep ? .recorded : .noMessage
        let stop = Action.stopRecording(keep: keep)
        if hungUp { return [stop] + end(hangingUp: false) }
        return [stop] + close(with: keep ? .messageSaved : .noMessage)
    }

    private mutating func close(with prompt: Prompt) -> [Action] {
        state = .closing
        return [.play(prompt, interruptible: false)]
    }

    private mutating func end(hangingUp: Bool) -> [Action] {
        let wasRecordingPossible = settings.recordingEnabled && !settings.mailboxFull
        state = .ended
        // A caller who left during the consent question, or before it, gave none.
        let decision = consent ?? (settings.asksForConsent ? .declined : .notRequired)
        let summary = CallSummary(outcome: outcome, consent: wasRecordingPossible ? decision : nil, language: settings.language)
        return (hangingUp ? [.hangUp] : []) + [.finished(summary)]
    }
}
