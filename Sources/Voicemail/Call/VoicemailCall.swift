public import Foundation
public import Logging
public import Media
public import SIPCore
public import Vault

/// What the SIP side does for a voicemail call; the daemon implements it on its endpoint.
public protocol CallSignalling: Sendable {
    /// Sends 200 OK with the SDP answer the SIP core prepared.
    func answer() async
    func hangUp() async
}

/// Everything one call needs, decided before it is answered.
public struct VoicemailCallSetup: Sendable {
    public var audio: NegotiatedAudio
    /// The address the RTP socket binds (the SIP listener's).
    public var mediaHost: String
    public var localRTPPort: Int
    /// Whether an address (an IP literal) is one of the call's SIP peer's
    /// sources; media from anywhere else is dropped.
    public var mediaSources: @Sendable (String) -> Bool
    /// The caller's number when they sent one; personal data, never logged.
    public var caller: PhoneNumber?
    public var mailbox: Mailbox
    public var tenant: TenantVault
    public var prompts: PromptLibrary
    /// The uplink destinations a kept message is queued for.
    public var outboxDestinations: [String]
    /// Bytes per sealed chunk of the recording: what a crash can lose at most.
    /// 4 KiB is about 1.3 s of speech at 24 kb/s.
    public var recordingChunkSize: Int
    /// The box's local store is at its quota: the caller hears mailbox-full, as for a full mailbox, and nothing is recorded.
    public var localStoreFull: Bool
    /// Bytes of the message that may wait for the card (the call's
    /// ``RecordingStorage``) before the message is cut off: 64 KiB is 20 s
    /// or more of a message, far beyond what a working card lags.
    public var recordingQueueLimit: Int
    /// What every call's storage queue holds, summed for the metrics.
    public var storageBacklog: RecordingStorage.Backlog

    public init(
        audio: NegotiatedAudio, mediaHost: String, localRTPPort: Int, mediaSources: @escaping @Sendable (String) -> Bool, caller: PhoneNumber?,
        mailbox: Mailbox, tenant: TenantVault, prompts: PromptLibrary, outboxDestinations: [String] = [], recordingChunkSize: Int = 4096,
        localStoreFull: Bool = false, recordingQueueLimit: Int = 64 * 1024, storageBacklog: RecordingStorage.Backlog = RecordingStorage.Backlog()
    ) {
        self.audio = audio
        self.mediaHost = mediaHost
        self.localRTPPort = localRTPPort
        self.mediaSources = mediaSources
        self.caller = caller
        self.mailbox = mailbox
        self.tenant = tenant
        self.prompts = prompts
        self.outboxDestinations = outboxDestinations
        self.recordingChunkSize = recordingChunkSize
        self.localStoreFull = localStoreFull
        self.recordingQueueLimit = recordingQueueLimit
        self.storageBacklog = storageBacklog
    }
}

/// One voicemail call from answer to hang-up: the media session, the caller
/// flow on real time, prompts played in the call's codec, the message
/// recorded into the vault, and everything stored in one transaction at the
/// end. The flow decides; this carries its actions out.
public enum VoicemailCall {
    /// Runs the call until it ends. `dialog` brings the SIP dialog's news:
    /// re-negotiated media, and its end (the caller's BYE, a CANCEL, the
    /// maximum duration). Returns the call's summary, or nil when it could
    /// not be set up.
    /// - Parameter mediaCounters: told, as the call ends, what its media sockets took and dropped.
    public static func run(
        _ setup: VoicemailCallSetup, signalling: some CallSignalling, dialog: AsyncStream<CallDialogEvent>, logger: Logger,
        mediaCounters: @Sendable (InboundMedia.Counters) -> Void = { _ in }
    ) async -> CallerFlow.CallSummary? {
        await run(setup, signalling: signalling, dialog: dialog, logger: logger, clock: ContinuousClock(), wallTime: { Date() }, mediaCounters: mediaCounters)
    }

    /// As above, on an injected clock (the call's 20 ms rhythm, its prompts,
    /// the caller's silence, the media session's timeouts) and wall time (when
    /// the call started and ended): tests run whole calls on virtual time.
    public static func run<ClockType: Clock>(
        _ setup: VoicemailCallSetup, signalling: some CallSignalling, dialog: AsyncStream<CallDialogEvent>, logger: Logger,
        clock: ClockType, wallTime: @escaping @Sendable () -> Date, progress: CallProgress = CallProgress(),
        mediaCounters: @Sendable (InboundMedia.Counters) -> Void = { _ in }
    ) async -> CallerFlow.CallSummary? where ClockType.Duration == Duration {
        let runner: VoicemailCallRunner<ClockType>
        do {
            runner = try await VoicemailCallRunner(setup: setup, logger: logger, clock: clock, wallTime: wallTime, progress: progress)
        } catch {
            logger.error("voicemail call could not start", metadata: ["mailbox_id": "\(setup.mailbox.id)", "error": "\(error)"])
            await signalling.hangUp()
            return nil
        }
        await signalling.answer()
        let summary = await runner.run(signalling: signalling, dialog: dialog)
        mediaCounters(await runner.mediaCounters)
        return summary
    }
}

extension VoicemailCall {
    /// A greeting that no longer reads is logged and replaced by the default: the caller still gets through.
    static func ownGreeting(of mailbox: Mailbox, in tenant: TenantVault, codec: AudioCodec, logger: Logger) -> [[UInt8]]? {
        guard mailbox.greetingID != nil else { return nil }
        do {
            guard let audio = try tenant.greetingAudio(forMailbox: mailbox.id) else { return nil }
            return PromptLibrary.frames(of: try OggOpusReader.read(audio), codec: codec)
        } catch {
            logger.error("the mailbox's own greeting cannot be read; playing the default", metadata: ["mailbox_id": "\(mailbox.id)", "error": "\(error)"])
            return nil
        }
    }
}

/// The state of one call in progress. Not Sendable: the call's task owns it.
final class VoicemailCallRunner<ClockType: Clock> where ClockType.Duration == Duration {
    private enum Input: Sendable {
        case media(MediaSession<ClockType>.Event)
        case tick
        case mediaUpdated(NegotiatedAudio)
        case sipEnded
    }

    private let setup: VoicemailCallSetup
    private let logger: Logger
    private let clock: ClockType
    private let wallTime: @Sendable () -> Date
    private let progress: CallProgress
    private let origin: ClockType.Instant
    private let session: MediaSession<ClockType>
    private let receiver: AudioReceiver
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

    init(setup: VoicemailCallSetup, logger: Logger, clock: ClockType, wallTime: @escaping @Sendable () -> Date, progress: CallProgress) async throws {
        self.setup = setup
        self.logger = logger
        self.clock = clock
        self.wallTime = wallTime
        self.progress = progress
        origin = clock.now
        session = try MediaSession(audio: setup.audio, sources: MediaSources(admitting: setup.mediaSources), clock: clock)
        _ = try await session.bind(host: setup.mediaHost, port: setup.localRTPPort)
        receiver = try AudioReceiver(audio: setup.audio)
        let storage = RecordingStorage(byteLimit: setup.recordingQueueLimit, backlog: setup.storageBacklog)
        self.storage = storage
        // RFC 4733 events come through the session; a G.711 caller may send tones in band instead.
        inbandDigits = setup.audio.codec == .opus ? nil : InbandDTMFDetector()
        let mailbox = setup.mailbox
        let call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: wallTime(), counterparty: setup.caller, subjectID: nil)
        // The database and the greeting's file, on the storage queue like every disk access of the call.
        let (stored, ownGreeting, started) = try await storage.perform { () throws(VaultError) in
            let stored = try setup.tenant.voicemailCount(mailboxID: mailbox.id)
            let greeting = VoicemailCall.ownGreeting(of: mailbox, in: setup.tenant, codec: setup.audio.codec, logger: logger)
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

    /// What the call's media sockets took and dropped.
    var mediaCounters: InboundMedia.Counters {
        get async { await session.receptionCounters }
    }

    func run(signalling: some CallSignalling, dialog: AsyncStream<CallDialogEvent>) async -> CallerFlow.CallSummary? {
        let (inputs, sink) = AsyncStream.makeStream(of: Input.self)
        let session = self.session
        let clock = self.clock
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await session.run() }
            group.addTask {
                for await event in session.events { sink.yield(.media(event)) }
            }
            group.addTask {
                for await event in dialog {
                    switch event {
                    case .mediaUpdated(let audio):
                        sink.yield(.mediaUpdated(audio))
                    case .ended:
                        sink.yield(.sipEnded)
                        return
                    }
                }
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
            await session.stop()
            group.cancelAll()
        }
        sink.finish()
        if !flow.isEnded {
            await perform(flow.callerHungUp(at: now), signalling: signalling)
        }
        return summary
    }

    private func handle(_ input: Input, signalling: some CallSignalling) async {
        switch input {
        case .tick:
            await tick(signalling: signalling)
            progress.tickHandled()
        case .media(.packet(let packet)):
            receiver.insert(packet, arrival: now)
            progress.packetHandled()
        case .media(.digit(let digit)):
            await perform(flow.digit(Character(digit.rawValue), at: now), signalling: signalling)
            progress.packetHandled()
        case .media(.inactive), .media(.peerLeft):
            // The caller's media stopped: they are gone, whatever SIP says yet.
            mediaEnded = true
            await perform(flow.callerHungUp(at: now), signalling: signalling)
        case .mediaUpdated(let audio):
            await updateMedia(audio, signalling: signalling)
        case .sipEnded:
            await perform(flow.callerHungUp(at: now), signalling: signalling)
        }
    }

    /// Applies a re-INVITE's media to the session. The codec stays the one the
    /// call started with (the SIP core prefers it in a re-answer; prompts and
    /// the recording are in it); a key libsrtp refuses leaves the call unable
    /// to hear the caller, so it ends.
    private func updateMedia(_ offered: NegotiatedAudio, signalling: some CallSignalling) async {
        var audio = offered
        if audio.codec != setup.audio.codec {
            logger.warning(
                "a re-INVITE changed the codec; the call keeps its own",
                metadata: ["call_id": "\(call.id)", "codec": "\(setup.audio.codec.encodingName)", "offered": "\(audio.codec.encodingName)"]
            )
            audio.codec = setup.audio.codec
            audio.payloadType = setup.audio.payloadType
        }
        do {
            try await session.update(audio)
            logger.info("media updated by re-INVITE", metadata: ["call_id": "\(call.id)", "direction": "\(audio.localDirection.rawValue)"])
        } catch {
            logger.error("the re-INVITE's SRTP key could not be used; ending the call", metadata: ["call_id": "\(call.id)", "error": "\(error)"])
            mediaEnded = true
            await perform(flow.callerHungUp(at: now), signalling: signalling)
        }
    }

    private func tick(signalling: some CallSignalling) async {
        let now = self.now
        if var playing = player {
            for frame in playing.frames(dueAt: now) {
                do {
                    try await session.send(payload: frame.payload, duration: frame.samples, marker: frame.marker)
                } catch {
                    logger.warning("a prompt packet could not be sent", metadata: ["error": "\(error)"])
                }
            }
            player = playing
            if playing.state != .playing {
                player = nil
                await perform(flow.promptFinished(at: now), signalling: signalling)
            }
        }
        if let frame = receiver.pull(at: now) {
            for digit in inbandDigits?.process(frame) ?? [] {
                await perform(flow.digit(Character(digit.rawValue), at: now), signalling: signalling)
            }
            if let recording {
                if storage.hasFailed || storage.isBehind {
                    await cutOffRecording(signalling: signalling)
                    return
                }
                do {
                    try recording.take(frame, received: receiver.lastReceivedPayload)
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

    private func perform(_ actions: [CallerFlow.Action], signalling: some CallSignalling) async {
        for action in actions {
            switch action {
            case .play(let prompt, let interruptible):
                let own = prompt == .greeting ? ownGreeting : nil
                let frames = own ?? setup.prompts.frames(prompt, language: flow.settings.language, codec: setup.audio.codec)
                player = PromptPlayer(frames: frames, clockRate: setup.audio.codec.clockRate, interruptible: interruptible)
            case .startRecording(let consent):
                startRecording(under: consent)
            case .stopRecording(let keep):
                stopRecording(keep: keep)
            case .hangUp:
                player = nil
                await signalling.hangUp()
            case .finished(let summary):
                if mediaEnded { await signalling.hangUp() }
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
            recording = try MessageRecording(sink: QueuedRecordingSink(storage: storage), codec: setup.audio.codec, sampleRate: receiver.outputSampleRate)
        } catch {
            // The begun message has no pages; the call's end discards it.
            logger.error("the recording could not start", metadata: ["call_id": "\(call.id)", "error": "\(error)"])
        }
    }

    /// The card fell behind (or failed): the message ends with what was written.
    private func cutOffRecording(signalling: some CallSignalling) async {
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
    private func store(_ summary: CallerFlow.CallSummary) async {
        self.summary = summary
        call.endedAt = wallTime()
        call.outcome = Call.Outcome(summary.outcome)
        let (call, consent, end, tenant, destinations, logger) = (call, summary.consent.map(consent), recordingEnd, setup.tenant, setup.outboxDestinations, logger)
        do {
            let outcome = try await storage.finishMessage { message throws(VaultError) in
                var call = call
                var recording: FinishedRecording?
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
    init(_ outcome: CallerFlow.CallSummary.Outcome) {
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
