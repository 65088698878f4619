import Foundation
import Logging
import Media
import SIPCore
public import Vault

/// The state of one call in progress. Not Sendable: the call's task owns it.
final class VoicemailCallRunner<ClockType: Clock, Audio: CallAudio> where ClockType.Duration == Duration {
    private enum Input: Sendable {
        case arrival(Audio.Arrival)
        case tick
    }

    private let setup: VoicemailCallSetup
    private let logger: Logger
    private let clock: ClockType
    private let wallTime: @Sendable () -> Date
    private let progress: CallProgress
    private let origin: ClockType.Instant
    private let audio: Audio
    /// The call's disk and database work, off the tick.
    private let storage: RecordingStorage
    private var inbandDigits: InbandDTMFDetector?
    private var flow: CallerFlow
    private var call: Call
    /// The mailbox's own greeting in the call's codec, when it has one.
    private let ownGreeting: [[UInt8]]?
    private var player: PromptPlayer?
    private var recording: MessageRecording<QueuedRecordingSink>?
    /// How the message ended on the tick: whether to keep it, and how long it is.
    private var recordingEnd: (keep: Bool, duration: Duration)?
    private var summary: CallerFlow.CallSummary?
    private var mediaEnded = false

    init(
        setup: VoicemailCallSetup, audio: Audio, logger: Logger, clock: ClockType, wallTime: @escaping @Sendable () -> Date, progress: CallProgress
    ) async throws {
        self.setup = setup
        self.logger = logger
        self.clock = clock
        self.wallTime = wallTime
        self.progress = progress
        origin = clock.now
        self.audio = audio
        let storage = RecordingStorage(byteLimit: setup.recordingQueueLimit, backlog: setup.storageBacklog)
        self.storage = storage
        // RFC 4733 events come through the session; a G.711 caller may send tones in band instead.
        inbandDigits = audio.codec == .opus ? nil : InbandDTMFDetector()
        let mailbox = setup.mailbox
        let call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: wallTime(), counterparty: setup.caller, subjectID: nil)
        // The database and the greeting's file, on the storage queue like every disk access of the call.
        let codec = audio.codec
        let (stored, ownGreeting, started) = try await storage.perform { () throws(VaultError) in
            let stored = try setup.tenant.voicemailCount(mailboxID: mailbox.id)
            let greeting = VoicemailCall.ownGreeting(of: mailbox, in: setup.tenant, codec: codec, logger: logger)
            var started = call
            started.subjectID = try setup.caller.map { number throws(VaultError) in try setup.tenant.subject(for: number) }
            // In progress from the start: a stop mid-call leaves a row to close, not nothing.
            try setup.tenant.insert(started)
            return (stored, greeting, started)
        }
        self.ownGreeting = ownGreeting
        self.call = started
        flow = CallerFlow(settings: .forCall(
            callerE164: setup.caller?.e164, mailboxLanguage: PromptLanguage(code: mailbox.language) ?? .english,
            mailboxRequiresConsent: mailbox.consentRequired, recordingEnabled: mailbox.recordingEnabled,
            mailboxFull: stored >= mailbox.maxMessages || setup.localStoreFull, maximumMessage: .seconds(mailbox.maxMessageSeconds)
        ))
    }

    private var now: Duration { origin.duration(to: clock.now) }

    /// What the call's audio did, as it ends.
    nonisolated(nonsending) func audioReport() async -> Audio.Report { await audio.report() }

    /// Inputs waiting for the call's task: 256 is 2.5 s of packets and ticks.
    static var inputQueueLimit: Int { 256 }

    nonisolated(nonsending) func run(signalling: some CallSignalling) async -> CallerFlow.CallSummary? {
        // Bounded, newest kept: a call busy storing its message (a slow card) while
        // the caller's packets keep coming loses stale input, never memory. A lost
        // tick is caught up by the next (prompts and the flow read the clock).
        let (inputs, sink) = AsyncStream.makeStream(of: Input.self, bufferingPolicy: .bufferingNewest(Self.inputQueueLimit))
        let transport = audio.transport
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await transport.run { sink.yield(.arrival($0)) }
            }
            group.addTask {
                // Absolute deadlines, so the 20 ms rhythm does not drift with scheduling.
                var deadline = clock.now
                while !Task.isCancelled {
                    deadline = deadline.advanced(by: .milliseconds(20))
                    do { try await clock.sleep(until: deadline, tolerance: .milliseconds(2)) } catch { return }
                    sink.yield(.tick)
                }
            }
            await perform(flow.start(at: now), signalling: signalling)
            for await input in inputs {
                await handle(input, signalling: signalling)
                if flow.isEnded { break }
            }
            await transport.stop()
            group.cancelAll()
        }
        sink.finish()
        if !flow.isEnded {
            await perform(flow.callerHungUp(at: now), signalling: signalling)
        }
        return summary
    }

    private nonisolated(nonsending) func handle(_ input: Input, signalling: some CallSignalling) async {
        switch input {
        case .tick:
            await tick(signalling: signalling)
            progress.tickHandled()
        case .arrival(let arrival):
            switch await audio.take(arrival, at: now) {
            case .audio:
                progress.packetHandled()
            case .digit(let digit):
                await perform(flow.digit(Character(digit.rawValue), at: now), signalling: signalling)
                progress.packetHandled()
            case .callerLeft(let stillConnected):
                mediaEnded = mediaEnded || stillConnected
                await perform(flow.callerHungUp(at: now), signalling: signalling)
            case .nothing:
                break
            }
        }
    }

    private nonisolated(nonsending) func tick(signalling: some CallSignalling) async {
        let now = self.now
        if var playing = player {
            for frame in playing.frames(dueAt: now) {
                await audio.send(frame)
            }
            player = playing
            if playing.state != .playing {
                player = nil
                await perform(flow.promptFinished(at: now), signalling: signalling)
            }
        }
        if let frame = audio.receivedFrame(at: now) {
            for digit in inbandDigits?.process(frame.samples) ?? [] {
                await perform(flow.digit(Character(digit.rawValue), at: now), signalling: signalling)
            }
            if let recording {
                if storage.hasFailed || storage.isBehind {
                    await cutOffRecording(signalling: signalling)
                    return
                }
                do {
                    try recording.take(frame.samples, received: frame.payload)
                } catch {
                    logger.error("the recording could not be encoded; ending it", metadata: ["call_id": "\(call.id)", "error": "\(error)"])
                    await perform(flow.digit("#", at: now), signalling: signalling)
                    return
                }
                await perform(
                    flow.recordingProgress(speech: recording.silence.speech, trailingSilence: recording.silence.trailingSilence, at: now),
                    signalling: signalling
                )
            }
        }
        await perform(flow.tick(at: now), signalling: signalling)
    }

    private nonisolated(nonsending) func perform(_ actions: [CallerFlow.Action], signalling: some CallSignalling) async {
        for action in actions {
            switch action {
            case .play(let prompt, let interruptible):
                let own = prompt == .greeting ? ownGreeting : nil
                let frames = own ?? setup.prompts.frames(prompt, language: flow.settings.language, codec: audio.codec)
                player = PromptPlayer(frames: frames, clockRate: audio.codec.clockRate, interruptible: interruptible)
            case .startRecording(let consent):
                startRecording(under: consent)
            case .stopRecording(let keep):
                stopRecording(keep: keep)
            case .hangUp:
                player = nil
                await signalling.hangUp()
            case .finished(let summary):
                if mediaEnded { await signalling.hangUp() }
                // Nothing the caller sends matters now; storing may wait on the card.
                await audio.transport.stop()
                await store(summary)
            }
        }
    }

    /// The message is begun, and its pages written, on the storage queue: the tick only encodes.
    private func startRecording(under decision: ConsentDecision) {
        let (tenant, callID, mailboxID, chunkSize, consent) = (setup.tenant, call.id, setup.mailbox.id, setup.recordingChunkSize, consent(decision))
        // Begun first: the recorder writes the stream's header pages as it is made.
        storage.beginMessage { () throws(VaultError) in
            try tenant.beginRecording(call: callID, mailboxID: mailboxID, chunkSize: chunkSize, consent: consent)
        }
        do {
            recording = try MessageRecording(sink: QueuedRecordingSink(storage: storage), codec: audio.codec, sampleRate: audio.receivedSampleRate)
        } catch {
            // The begun message has no pages; the call's end discards it.
            logger.error("the recording could not start", metadata: ["call_id": "\(call.id)", "error": "\(error)"])
        }
    }

    /// The card fell behind (or failed): the message ends with what was written.
    private nonisolated(nonsending) func cutOffRecording(signalling: some CallSignalling) async {
        let failed = storage.hasFailed
        logger.warning(
            failed ? "the message could not be written; it is discarded and the caller told" : "storage fell behind the recording; the message is cut off here",
            metadata: ["call_id": "\(call.id)", "queued_bytes": "\(storage.pendingBytes)"]
        )
        await perform(flow.recordingCutOff(canKeep: !failed, at: now), signalling: signalling)
    }

    private func stopRecording(keep: Bool) {
        guard let recording else { return }
        self.recording = nil
        do {
            recordingEnd = (keep, try recording.finish())
        } catch {
            logger.error("the recording could not be finished", metadata: ["call_id": "\(call.id)", "error": "\(error)"])
            recordingEnd = (false, .zero)
        }
    }

    private func consent(_ decision: ConsentDecision) -> Consent {
        Consent(kind: Consent.Kind(decision), language: flow.settings.language.rawValue, promptVersion: setup.prompts.version(flow.settings.language))
    }

    /// Commits the call, its consent and its message in one transaction,
    /// after every page queued before it is on disk.
    private nonisolated(nonsending) func store(_ summary: CallerFlow.CallSummary) async {
        self.summary = summary
        call.endedAt = wallTime()
        call.outcome = Call.Outcome(summary.outcome)
        let (call, consent, end, tenant, destinations, logger) = (call, summary.consent.map(consent), recordingEnd, setup.tenant, setup.outboxDestinations, logger)
        let storageFailed = storage.hasFailed
        do {
            let outcome = try await storage.finishMessage { message throws(VaultError) in
                var call = call
                var recording: FinishedRecording?
                if message == nil, end != nil || storageFailed, call.outcome == .recorded {
                    // The message never began on the card (its object could not be made).
                    logger.error("the message could not be started on the card; the call is stored as failed", metadata: ["call_id": "\(call.id)"])
                    call.outcome = .failed
                }
                if let (voicemail, writer, failure) = message {
                    if let failure {
                        logger.error("a write of the message failed; it is discarded", metadata: ["call_id": "\(call.id)", "error": "\(failure)"])
                        if call.outcome == .recorded { call.outcome = .failed }
                    }
                    let keep = failure == nil && end?.keep == true
                    recording = keep ? .keep(voicemail, writer, duration: end?.duration ?? .zero) : .discard(voicemail, writer)
                }
                try tenant.completeCall(call, consent: consent, recording: recording, outboxDestinations: destinations, actor: "system:voicemail")
                return call.outcome
            }
            logger.info("voicemail call ended", metadata: ["call_id": "\(call.id)", "mailbox_id": "\(setup.mailbox.id)", "outcome": "\(outcome.rawValue)"])
        } catch {
            logger.error("the call could not be stored", metadata: ["call_id": "\(call.id)", "error": "\(error)"])
        }
    }
}

extension Call.Outcome {
    /// How a caller flow's outcome is stored (and counted in the metrics).
    public init(_ outcome: CallerFlow.CallSummary.Outcome) {
        switch outcome {
        case .recorded: self = .recorded
        case .noMessage: self = .noMessage
        case .declinedConsent: self = .declinedConsent
        case .mailboxFull: self = .mailboxFull
        }
    }
}

extension Consent.Kind {
    init(_ decision: ConsentDecision) {
        switch decision {
        case .given: self = .priorExpress
        case .declined: self = .declined
        case .notRequired: self = .notRequired
        }
    }
}
