import Foundation
internal import LineAudio
internal import Logging
internal import Metrics
internal import NIOCore
internal import Vault
internal import Voicemail

/// The line's logic, on the line's event loop: every frame the card delivers
/// comes here (the line's clock), goes to the call in progress or, while the
/// line is idle, to the caller-ID receivers and VOX; ring edges come here
/// too. The ``LineSupervisor`` decides; this carries its actions out. Not
/// Sendable: it lives on the loop (``LineRuntime`` holds it loop-bound).
final class LineController {
    struct Setup: Sendable {
        var line: HushboxConfiguration.Line
        var prompts: PromptLibrary
        var outboxDestinations: [String]
        /// Finds the line's mailbox (off the loop: it reads the vault).
        var mailbox: @Sendable () throws -> (TenantVault, Mailbox)?
        var logger: Logger
        var metrics: LineMetrics
    }

    /// What the controller asks of the threads beside it.
    struct Threads: Sendable {
        /// Wakes the capture thread to open the card again.
        var reopenCard: @Sendable () -> Void
        /// Sets the hook relay (true: off hook).
        var setOffHook: @Sendable (Bool) -> Void
        /// Tells the capture thread whether a call is reading (idle reading keeps to real time).
        var callInProgress: @Sendable (Bool) -> Void
        /// Hands the runtime the task of a call that started, which it awaits before stopping the loop.
        var callStarted: @Sendable (Task<Void, Never>) -> Void
    }

    private let setup: Setup
    private let loop: any EventLoop
    private let threads: Threads
    let clock = LineClock()
    private var supervisor: LineSupervisor
    private let callerID: CallerIDReceiver
    private var voice: VoiceActivation?
    private var playback: LinePlayback?
    /// The call in progress: its frames' receiver once attached, or the frames kept for it until then.
    private var call: CallState = .none
    /// Input edges given in the line's time (a board whose GPIO is not here: tests).
    private var scriptedEdges: [(at: Duration, input: GPIOPort.Input, active: Bool)] = []
    private var loopCurrentOffSince: Duration?
    /// Loop current counts only once it has been seen flowing in this call (the hook relay closes, then current flows).
    private var loopCurrentArmed = false
    /// The call must end as soon as it attaches (the card failed, or the limit passed, before it started).
    private var stopWhenAttached = false
    /// When the call was answered, on the wall clock: the backstop for a card whose frames come too slowly.
    private var answeredAt: NIODeadline?
    /// The line time of the last xrun warning: at most one a minute.
    private var lastXrunWarning: Duration?
    /// VOX answers again only after this many quiet frames since the last call (2 s).
    private var quietFramesSinceCall = LineController.quietBeforeVOX
    static let quietBeforeVOX = 100
    /// Whether anything was played to the card during the current frame.
    private var playedThisFrame = false
    private var playbackXruns = 0
    /// The daemon is stopping: a call that attaches now ends at once.
    private var stopping = false
    /// Wall time without a card not yet counted in the line's time.
    private var lostFor = Duration.zero

    private enum CallState {
        case none
        case starting(kept: [[Int16]])
        case attached(@Sendable (LineCallAudio.Arrival) -> Void)
        case ending
    }

    /// Frames kept for a call between the answer and its start (3 s). Until
    /// the call attaches, the capture thread keeps to real time, so this is
    /// how long a busy box may take to start a call before its first audio is lost.
    static let keptFrames = 150
    /// How far past its limit on the wall clock a call may run while its card lags.
    static let wallSlack = Duration.seconds(60)
    /// Loop current off this long means the caller hung up.
    static let loopCurrentDrop = Duration.milliseconds(300)

    init(setup: Setup, loop: any EventLoop, threads: Threads) {
        self.setup = setup
        self.loop = loop
        self.threads = threads
        supervisor = LineSupervisor(settings: .init(rings: setup.line.rings, maximumCall: setup.line.maximumCall))
        callerID = CallerIDReceiver(standards: setup.line.country.callerIDStandards)
        if case .vox(let threshold) = setup.line.control { voice = VoiceActivation(thresholdDB: threshold) }
    }

    private var now: Duration { clock.now.offset }

    // MARK: What the threads report

    func cardOpened(_ format: PCMFormat) {
        setup.logger.notice("line sound card open", metadata: ["device": "\(setup.line.captureDevice)", "format": "\(format)"])
        do {
            playback = try LinePlayback(device: setup.line.playbackDevice, configurationFile: setup.line.alsaConfigurationFile, nonBlocking: true)
        } catch {
            setup.logger.error("the line's playback device cannot be opened; callers will hear nothing", metadata: ["error": "\(error)"])
        }
        perform(supervisor.deviceOpened(at: now))
    }

    func cardFailed(_ error: LineAudioError, wasOpen: Bool) {
        playback = nil
        if wasOpen { setup.metrics.deviceFailures.increment() }
        let first = !supervisor.isDeviceLost
        let actions = first ? supervisor.deviceFailed(at: now) : supervisor.reopenFailed(at: now)
        // Logged when the trouble begins, not on every failed reopening.
        if actions.contains(.troubleBegan(.audioDeviceLost)) {
            setup.logger.error("the line's sound card is not usable", metadata: ["error": "\(error)"])
        }
        stopCall()
        perform(actions)
    }

    /// Ends the call in progress, or the one about to start, as if the line had dropped.
    private func stopCall() {
        switch call {
        case .attached(let deliver): deliver(.lineStopped)
        case .starting: stopWhenAttached = true
        case .none, .ending: break
        }
    }

    /// One 20 ms frame from the card; `newXruns`: overruns recovered since the last frame.
    func frame(_ samples: [Int16], newXruns: Int) {
        clock.advance()
        let now = self.now
        if newXruns > 0 {
            setup.metrics.captureXruns.increment(by: Int64(newXruns))
            if lastXrunWarning.map({ now - $0 >= .seconds(60) }) ?? true {
                lastXrunWarning = now
                setup.logger.warning("the line's capture overran and was restarted (counted in hushbox_line_xruns_total; logged at most once a minute)")
            }
        }
        while let edge = scriptedEdges.first, edge.at <= now {
            scriptedEdges.removeFirst()
            switch edge.input {
            case .ring: ringSignal(active: edge.active)
            case .loopCurrent: loopCurrent(flowing: edge.active)
            }
        }
        switch call {
        case .attached(let deliver):
            playedThisFrame = false
            deliver(.frame(samples))
            // Between prompts the card still needs audio, or every gap is an underrun.
            if !playedThisFrame, case .attached = call { play([Int16](repeating: 0, count: LineFrame.samples)) }
        case .starting(var kept):
            kept.append(samples)
            // A call that does not start within 3 s loses its oldest frames, not the line.
            if kept.count > Self.keptFrames { kept.removeFirst() }
            call = .starting(kept: kept)
        case .none:
            for heard in callerID.process(samples) {
                perform(supervisor.callerIDHeard(heard, at: now))
            }
            if quietFramesSinceCall < Self.quietBeforeVOX {
                // After a call, VOX waits for 2 s of quiet: a source that never stops is not one call after another.
                quietFramesSinceCall = VoiceActivation.levelDB(samples) < (voice?.thresholdDB ?? 0) ? quietFramesSinceCall + 1 : 0
            } else if var voice {
                let sounding = voice.take(samples)
                if sounding { voice.reset() }
                self.voice = voice
                if sounding { perform(supervisor.voiceActivated(at: now)) }
            }
        case .ending:
            break
        }
        if let since = loopCurrentOffSince, now - since >= Self.loopCurrentDrop, case .attached(let deliver) = call {
            loopCurrentOffSince = nil
            deliver(.loopCurrentDropped(heardFor: now - since))
        }
        perform(supervisor.tick(at: now))
    }

    /// Wall time passed (every 100 ms, from the runtime): while the card is
    /// gone no frame comes to move the line's time on, so this does, and the
    /// supervisor's reopening back-off runs.
    func wallTick(elapsed: Duration) {
        if let answeredAt, NIODeadline.now() - answeredAt > .nanoseconds(Int64((setup.line.maximumCall + Self.wallSlack) / .nanoseconds(1))) {
            // A card that feeds frames too slowly must not stretch the call limit without end.
            self.answeredAt = nil
            setup.logger.warning("the line call outlasted its limit on the wall clock (the card feeds audio too slowly); ending it")
            stopCall()
        }
        guard supervisor.isDeviceLost else {
            lostFor = .zero
            return
        }
        lostFor += elapsed
        let frames = lostFor / LineFrame.duration
        guard frames >= 1 else { return }
        let whole = Int64(frames)
        lostFor -= LineFrame.duration * whole
        clock.advance(frames: whole)
        perform(supervisor.tick(at: now))
    }

    func ringSignal(active: Bool) {
        perform(supervisor.ringSignal(active: active, at: now))
    }

    func loopCurrent(flowing: Bool) {
        if flowing {
            loopCurrentOffSince = nil
            if case .attached = call { loopCurrentArmed = true }
            if case .starting = call { loopCurrentArmed = true }
        } else if loopCurrentArmed {
            loopCurrentOffSince = loopCurrentOffSince ?? now
        }
    }

    /// Input edges at given times of the line's clock (a board whose GPIO is not here: tests).
    func script(_ edges: [(at: Duration, input: GPIOPort.Input, active: Bool)]) {
        scriptedEdges = (scriptedEdges + edges).sorted { $0.at < $1.at }
    }

    // MARK: The supervisor's actions

    private func perform(_ actions: [LineSupervisor.Action]) {
        for action in actions {
            switch action {
            case .answer(let caller):
                answer(caller)
            case .endCall:
                setup.logger.warning("the line call outlasted its limit; ending it", metadata: ["limit": "\(setup.line.maximumCall)"])
                stopCall()
            case .reopenDevice:
                threads.reopenCard()
            case .troubleBegan(let trouble):
                setup.metrics.trouble(trouble, present: true)
                setup.logger.error("line trouble: \(trouble.rawValue)", metadata: ["trouble": "\(trouble.rawValue)", "remedy": "\(trouble.remedy)"])
            case .troubleCleared(let trouble):
                setup.metrics.trouble(trouble, present: false)
                setup.logger.notice("line trouble cleared: \(trouble.rawValue)", metadata: ["trouble": "\(trouble.rawValue)"])
            case .ringRejected:
                setup.metrics.ringsRejected.increment()
            case .rang:
                setup.metrics.rings.increment()
            }
        }
    }

    private func answer(_ caller: CallerID?) {
        setup.metrics.answered.increment()
        call = .starting(kept: [])
        stopWhenAttached = stopping
        loopCurrentOffSince = nil
        loopCurrentArmed = false
        answeredAt = .now()
        let number = LineCallerNumber.phoneNumber(caller, country: setup.line.country)
        setup.logger.info("answering the line", metadata: ["caller": "\(number == nil ? "withheld" : "sent")"])
        let bound = NIOLoopBound(self, eventLoop: loop)
        let setup = self.setup
        let loop = self.loop
        let clock = self.clock
        let attach: @Sendable (@escaping @Sendable (LineCallAudio.Arrival) -> Void) -> Void = { deliver in
            loop.execute { bound.value.attach(deliver) }
        }
        let detach: @Sendable () -> Void = { loop.execute { bound.value.detach() } }
        let signalling = LineSignalling(setOffHook: threads.setOffHook)
        setup.metrics.calls.recordActive(1)
        let task = Task { [number] in
            let summary = await LineController.runCall(
                setup: setup, caller: number, loop: loop, clock: clock, attach: attach, detach: detach, signalling: signalling, playback: bound
            )
            setup.metrics.calls.recordEnded(summary)
            setup.metrics.calls.recordActive(0)
            loop.execute { bound.value.callEnded() }
        }
        threads.callStarted(task)
    }

    private static func runCall(
        setup: Setup, caller: PhoneNumber?, loop: any EventLoop, clock: LineClock,
        attach: @escaping @Sendable (@escaping @Sendable (LineCallAudio.Arrival) -> Void) -> Void, detach: @escaping @Sendable () -> Void,
        signalling: LineSignalling, playback: NIOLoopBound<LineController>
    ) async -> CallerFlow.CallSummary? {
        let found: (TenantVault, Mailbox)?
        do {
            found = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try setup.mailbox() }) }
            }
        } catch {
            setup.logger.error("the line's mailbox could not be read; the call is not answered", metadata: ["error": "\(error)"])
            return nil
        }
        guard let (tenant, mailbox) = found else {
            setup.logger.error("the line's mailbox is gone; the call is not answered (check line.mailbox)")
            return nil
        }
        let callSetup = VoicemailCallSetup(caller: caller, mailbox: mailbox, tenant: tenant, prompts: setup.prompts, outboxDestinations: setup.outboxDestinations)
        let country = setup.line.country
        // Its frames arrive, and its prompts play, on the loop (the call's executor).
        let audio = LineCallAudio(loop: loop, country: country, attach: attach, detach: detach) { samples in playback.value.play(samples) }
        let result = await VoicemailCall.run(callSetup, audio: audio, signalling: signalling, logger: setup.logger, clock: clock, wallTime: { Date() })
        if let report = result?.report {
            setup.logger.info("line call ended", metadata: [
                "frames": "\(report.frames)", "hang_up_tone": "\(report.hangUpTone?.rawValue ?? "none")",
                "loop_current_dropped": "\(report.loopCurrentDropped)", "line_stopped": "\(report.lineStopped)",
            ])
        }
        return result?.summary
    }

    private func attach(_ deliver: @escaping @Sendable (LineCallAudio.Arrival) -> Void) {
        guard case .starting(let kept) = call else { return }
        call = .attached(deliver)
        // From now on the card's frames are read as fast as they come (a clockless test device: faster than real time).
        threads.callInProgress(true)
        for frame in kept { deliver(.frame(frame)) }
        if stopping || stopWhenAttached { deliver(.lineStopped) }
    }

    private func detach() {
        if case .attached = call { call = .ending }
        // The call reads no more: the line keeps to real time again while it is stored.
        threads.callInProgress(false)
    }

    /// The daemon is stopping: a call in progress ends now, its message kept as it stands.
    func endCallForShutdown() {
        stopping = true
        stopCall()
    }

    private func callEnded() {
        call = .none
        answeredAt = nil
        stopWhenAttached = false
        quietFramesSinceCall = 0
        voice?.reset()
        loopCurrentOffSince = nil
        loopCurrentArmed = false
        threads.setOffHook(false)
        threads.callInProgress(false)
        perform(supervisor.callEnded(at: now))
    }

    private func play(_ samples: [Int16]) {
        playedThisFrame = true
        guard let playback else { return }
        do {
            try playback.play(samples)
        } catch {
            setup.logger.error("the line's playback failed", metadata: ["error": "\(error)"])
            self.playback = nil
        }
        if playback.xruns > playbackXruns {
            setup.metrics.playbackXruns.increment(by: Int64(playback.xruns - playbackXruns))
            playbackXruns = playback.xruns
        }
    }
}

/// A line call's answer and hang-up: the hook relay (nothing on a VOX line,
/// whose source has no hook).
struct LineSignalling: CallSignalling {
    let setOffHook: @Sendable (Bool) -> Void

    func answer() async { setOffHook(true) }
    func hangUp() async { setOffHook(false) }
}
