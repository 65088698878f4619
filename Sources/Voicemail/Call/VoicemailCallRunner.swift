import Foundation
import Logging
import Media
import NIOCore
import SIPCore
public import Vault

/// The state of one call in progress, on its audio's executor (for RTP, the
/// event loop of the call's sockets). Arrivals and the 20 ms ticks are
/// handled synchronously where they happen (a socket's read, a timer of the
/// loop), so a packet, a prompt frame and a slot of the recording cost no
/// task, queue or thread hop. What must wait (hanging up, storing the call)
/// is carried out by ``run(signalling:)``, the call's one task.
actor VoicemailCallRunner<ClockType: Clock, Audio: CallAudio> where ClockType.Duration == Duration {
    private let setup: VoicemailCallSetup
    private let logger: Logger
    private let clock: ClockType
    private let wallTime: @Sendable () -> Date
    private let progress: CallProgress
    private let origin: ClockType.Instant
    private let audio: Audio
    private nonisolated let executor: any SerialExecutor
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
    /// How much of the held-back end of the message to drop: what came after
    /// a hang-up the audio heard late.
    private var afterHangUp: Duration = .zero
    /// What a message keeps after the caller hung up, or after their last word.
    static var keptAfterHangUp: Duration { .milliseconds(500) }
    static var keptAfterLastWord: Duration { .seconds(1) }
    /// The flow said to hang up; the call's task does it as the call finishes.
    private var hangUpRequested = false
    /// The flow finished: nothing that arrives or ticks matters any more.
    private var finished: CallerFlow.CallSummary?
    /// Wakes the call's task when the flow finished.
    private var finishing: AsyncStream<Void>.Continuation?
    /// The next 20 ms slot's timer, when the call's loop paces it.
    private var nextTick: NIOScheduledCallback?
    private var ticking: Task<Void, Never>?

    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }

    init(
        setup: VoicemailCallSetup, audio: sending Audio, logger: Logger, clock: ClockType, wallTime: @escaping @Sendable () -> Date, progress: CallProgress
    ) async throws {
        self.setup = setup
        self.logger = logger
        self.clock = clock
        self.wallTime = wallTime
        self.progress = progress
        origin = clock.now
        executor = audio.executor
        // RFC 4733 events come through the session; a G.711 caller may send tones in band instead.
        inbandDigits = audio.codec == .opus ? nil : InbandDTMFDetector()
        let codec = audio.codec
        self.audio = audio
        let storage = RecordingStorage(byteLimit: setup.recordingQueueLimit, backlog: setup.storageBacklog)
        self.storage = storage
        let mailbox = setup.mailbox
        let call = Call(
            mailboxID: mailbox.id, direction: .inbound, startedAt: wallTime(), counterparty: setup.caller, subjectID: nil,
            divertedBecause: setup.divertedBecause
        )
        // The database and the greeting's file, on the storage queue like every disk access of the call.
        let (stored, ownGreeting, started) = try await storage.perform { () throws(VaultError) in
            let stored = try setup.tenant.voicemailCount(mailboxID: mailbox.id)
            let greeting = VoicemailCall.ownGreeting(of: mailbox, for: setup.divertedBecause, in: setup.tenant, codec: codec, logger: logger)
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
    func audioReport() async -> Audio.Report { await audio.report() }

    /// Plays, records and stores the call; returns as it is stored (or, when
    /// the call's task is cancelled, after storing what the caller left).
    func run(signalling: some CallSignalling) async -> CallerFlow.CallSummary? {
        let (finishes, finishing) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.finishing = finishing
        perform(flow.start(at: now))
        let transport = audio.transport
        await withTaskGroup(of: Void.self) { group in
            // The transport delivers on this actor's executor: handled there and then.
            group.addTask { await transport.run { arrival in self.assumeIsolated { $0.arrive(arrival) } } }
            startPacing()
            for await _ in finishes where finished != nil { break }
            stopPacing()
            await transport.stop()
            group.cancelAll()
        }
        finishing.finish()
        if finished == nil {
            // The call's task was cancelled (the box is stopping): the caller is treated as gone.
            perform(flow.callerHungUp(at: now))
        }
        if let finished {
            if hangUpRequested || mediaEnded { await signalling.hangUp() }
            await store(finished)
        }
        return summary
    }

    // MARK: Pacing

    private func startPacing() {
        switch audio.pacing {
        case .eventLoop(let loop):
            scheduleTick(on: loop, after: nil)
        case .audioFrames:
            // Each frame that arrives is a slot (``arrive(_:at:)``).
            break
        case .clock:
            // Absolute deadlines, so the 20 ms rhythm does not drift with scheduling.
            let clock = clock
            ticking = Task {
                var deadline = clock.now
                while !Task.isCancelled {
                    deadline = deadline.advanced(by: .milliseconds(20))
                    do { try await clock.sleep(until: deadline, tolerance: .milliseconds(2)) } catch { return }
                    tick()
                }
            }
        }
    }

    private static var slot: TimeAmount { .milliseconds(20) }

    /// One timer of the loop per slot, on a grid of 20 ms shared by every
    /// call (the loop's clock in whole slots), so the calls on one loop tick
    /// in the same wake-up.
    private func scheduleTick(on loop: any EventLoop, after previous: NIODeadline?) {
        let slot = Self.slot.nanoseconds
        let now = NIODeadline.now()
        var deadline = previous.map { $0 + Self.slot } ?? now
        if previous == nil || now - deadline > Self.slot * Self.slotsCaughtUp {
            // Starting, or so far behind that the missed slots are given up: back on the grid.
            deadline = .uptimeNanoseconds((now.uptimeNanoseconds / UInt64(slot) + 1) * UInt64(slot))
        }
        nextTick = try? loop.scheduleCallback(at: deadline, handler: SlotTimer(runner: self, loop: loop, deadline: deadline))
    }

    /// Slots a late loop catches up at once (5 s): each takes its frame of the
    /// message, so a loop starved of CPU for a while loses none of it.
    private static var slotsCaughtUp: Int64 { 250 }

    /// What the loop calls at each slot's deadline: the runner's tick, there
    /// and then, and one more for every slot the loop missed.
    private struct SlotTimer: NIOScheduledCallbackHandler, Sendable {
        let runner: VoicemailCallRunner
        let loop: any EventLoop
        let deadline: NIODeadline

        func handleScheduledCallback(eventLoop: some EventLoop) {
            runner.assumeIsolated { runner in
                let late = max(NIODeadline.now() - deadline, .zero).nanoseconds
                let slot = VoicemailCallRunner.slot.nanoseconds
                let missed = min(late / slot, VoicemailCallRunner.slotsCaughtUp)
                // Each missed slot is handled as of its own time: the jitter buffer sees the
                // caller's packets at a steady 20 ms, not a burst that would overflow it.
                let current = runner.now
                for index in 0...missed where runner.finished == nil {
                    runner.tick(at: current - .nanoseconds(max(late - index * slot, 0)))
                }
                if runner.finished == nil, runner.nextTick != nil {
                    runner.scheduleTick(on: loop, after: deadline + VoicemailCallRunner.slot * missed)
                }
            }
        }
    }

    private func stopPacing() {
        nextTick?.cancel()
        nextTick = nil
        ticking?.cancel()
        ticking = nil
    }

    // MARK: Arrivals and ticks, on the call's executor

    private func arrive(_ arrival: Audio.Arrival) {
        arrive(arrival, at: now)
    }

    private func arrive(_ arrival: Audio.Arrival, at now: Duration) {
        guard finished == nil else { return }
        let news = audio.take(arrival, at: now)
        switch news {
        case .audio:
            progress.packetHandled()
        case .digit(let digit):
            perform(flow.digit(Character(digit.rawValue), at: now))
            progress.packetHandled()
        case .callerLeft(let stillConnected):
            mediaEnded = mediaEnded || stillConnected
            perform(flow.callerHungUp(at: now))
        case .callerHungUp(let heardFor):
            afterHangUp = max(heardFor - Self.keptAfterHangUp, .zero)
            mediaEnded = true
            perform(flow.callerHungUp(at: now))
        case .nothing:
            break
        }
        // A frame of the caller's audio is the slot's clock on a line.
        if case .audioFrames = audio.pacing, news == .audio, finished == nil { tick(at: now) }
    }

    /// One 20 ms slot, as of `slotTime` (a late loop's missed slots) or now.
    private func tick(at slotTime: Duration? = nil) {
        defer { progress.tickHandled() }
        guard finished == nil else { return }
        let now = slotTime ?? self.now
        audio.collectArrivals { arrive($0, at: now) }
        guard finished == nil else { return }
        if var playing = player {
            for frame in playing.frames(dueAt: now) {
                audio.send(frame)
            }
            player = playing
            if playing.state != .playing {
                player = nil
                perform(flow.promptFinished(at: now))
            }
        }
        if let frame = audio.receivedFrame(at: now) {
            for digit in inbandDigits?.process(frame.samples) ?? [] {
                perform(flow.digit(Character(digit.rawValue), at: now))
            }
            if let recording {
                if storage.hasFailed || storage.isBehind {
                    cutOffRecording()
                    return
                }
                do {
                    try recording.take(frame.samples, received: frame.payload)
                } catch {
                    logger.error("the recording could not be encoded; ending it", metadata: ["call_id": "\(call.id)", "error": "\(error)"])
                    perform(flow.digit("#", at: now))
                    return
                }
                perform(flow.recordingProgress(speech: recording.silence.speech, trailingSilence: recording.silence.trailingSilence, at: now))
            }
        }
        perform(flow.tick(at: now))
    }

    private func perform(_ actions: [CallerFlow.Action]) {
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
                hangUpRequested = true
            case .finished(let summary):
                // Nothing the caller sends matters now; the call's task stops the
                // transport and stores the call (which may wait on the card).
                finished = summary
                finishing?.yield()
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
            recording = try MessageRecording(
                sink: QueuedRecordingSink(storage: storage), codec: audio.codec, sampleRate: audio.receivedSampleRate, holdBack: audio.recordingHoldBack
            )
        } catch {
            // The begun message has no pages; the call's end discards it.
            logger.error("the recording could not start", metadata: ["call_id": "\(call.id)", "error": "\(error)"])
        }
    }

    /// The card fell behind (or failed): the message ends with what was written.
    private func cutOffRecording() {
        let failed = storage.hasFailed
        logger.warning(
            failed ? "the message could not be written; it is discarded and the caller told" : "storage fell behind the recording; the message is cut off here",
            metadata: ["call_id": "\(call.id)", "queued_bytes": "\(storage.pendingBytes)"]
        )
        perform(flow.recordingCutOff(canKeep: !failed, at: now))
    }

    private func stopRecording(keep: Bool) {
        guard let recording else { return }
        self.recording = nil
        // What the held-back end holds after the caller left, or of silence after their last word, is dropped.
        let silence = max(recording.silence.trailingSilence - Self.keptAfterLastWord, .zero)
        do {
            recordingEnd = (keep, try recording.finish(droppingLast: max(afterHangUp, silence)))
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
