public import Foundation
public import Logging
import Media
import SIPCore
public import Vault

/// Answering and hanging up a call, whatever carries it: the SIP dialog
/// (the daemon implements it on its endpoint), a line's hook relay. The
/// other half of the call's boundary is ``CallAudio``.
public protocol CallSignalling: Sendable {
    /// Takes the call (SIP: 200 OK with the SDP answer the SIP core prepared).
    func answer() async
    func hangUp() async
}

/// Everything one call needs, decided before it is answered; nothing about
/// what carries it (that is the ``CallAudio``).
public struct VoicemailCallSetup: Sendable {
    /// The caller's number when they sent one; personal data, never logged.
    /// Nil: withheld (stored so, and asked for consent where the mailbox wants it).
    public var caller: PhoneNumber?
    /// Why the call was forwarded to the box, when it was: stored with the
    /// call, and it picks the mailbox's busy or unavailable greeting.
    public var divertedBecause: Call.DiversionReason?
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
        caller: PhoneNumber?, mailbox: Mailbox, tenant: TenantVault, prompts: PromptLibrary, outboxDestinations: [String] = [], recordingChunkSize: Int = 4096,
        localStoreFull: Bool = false, recordingQueueLimit: Int = 64 * 1024, storageBacklog: RecordingStorage.Backlog = RecordingStorage.Backlog(),
        divertedBecause: Call.DiversionReason? = nil
    ) {
        self.caller = caller
        self.divertedBecause = divertedBecause
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

/// One voicemail call from answer to hang-up: the caller flow on the call's
/// clock, prompts played in the call's codec, the message recorded into the
/// vault, and everything stored in one transaction at the end. The flow
/// decides; the runtime carries its actions out through the call's
/// ``CallAudio`` and ``CallSignalling``.
public enum VoicemailCall {
    /// Runs a SIP call until it ends: its audio over RTP/SRTP (``RTPCallAudio``).
    /// `dialog` brings the SIP dialog's news: re-negotiated media, and its end
    /// (the caller's BYE, a CANCEL, the maximum duration). Returns the call's
    /// summary, or nil when it could not be set up.
    /// - Parameter mediaReport: told, as the call ends, what its media did.
    public static func run(
        _ setup: VoicemailCallSetup, rtp: RTPCallSetup, signalling: some CallSignalling, dialog: AsyncStream<CallDialogEvent>, logger: Logger,
        mediaReport: @Sendable (RTPCallReport) -> Void = { _ in }
    ) async -> CallerFlow.CallSummary? {
        await run(
            setup, rtp: rtp, signalling: signalling, dialog: dialog, logger: logger, clock: ContinuousClock(), wallTime: { Date() },
            mediaReport: mediaReport
        )
    }

    /// As above, on an injected clock (the call's 20 ms rhythm, its prompts,
    /// the caller's silence, the media session's timeouts) and wall time (when
    /// the call started and ended): tests run whole calls on virtual time.
    public static func run<ClockType: Clock>(
        _ setup: VoicemailCallSetup, rtp: RTPCallSetup, signalling: some CallSignalling, dialog: AsyncStream<CallDialogEvent>, logger: Logger,
        clock: ClockType, wallTime: @escaping @Sendable () -> Date, progress: CallProgress = CallProgress(),
        mediaReport: @Sendable (RTPCallReport) -> Void = { _ in }
    ) async -> CallerFlow.CallSummary? where ClockType.Duration == Duration {
        let audio: RTPCallAudio<ClockType>
        do {
            // On the real clock, the sockets' loop paces the call; a virtual clock paces its own.
            audio = try await RTPCallAudio(rtp, dialog: dialog, clock: clock, loopPaced: ClockType.self == ContinuousClock.self, logger: logger)
        } catch {
            logger.error("the call's media could not be set up", metadata: ["mailbox_id": "\(setup.mailbox.id)", "error": "\(error)"])
            await signalling.hangUp()
            return nil
        }
        guard let (summary, report) = await run(setup, audio: audio, signalling: signalling, logger: logger, clock: clock, wallTime: wallTime, progress: progress)
        else { return nil }
        mediaReport(report)
        return summary
    }

    /// Runs a call on any transport until it ends: answers it, plays and
    /// records through `audio` on the audio's own executor, and stores it.
    /// Returns the call's summary and what the audio reported, or nil when
    /// it could not be set up (then it is hung up unanswered).
    public static func run<ClockType: Clock, Audio: CallAudio>(
        _ setup: VoicemailCallSetup, audio: sending Audio, signalling: some CallSignalling, logger: Logger,
        clock: ClockType, wallTime: @escaping @Sendable () -> Date, progress: CallProgress = CallProgress()
    ) async -> (summary: CallerFlow.CallSummary?, report: Audio.Report)? where ClockType.Duration == Duration {
        let runner: VoicemailCallRunner<ClockType, Audio>
        let transport = audio.transport
        do {
            runner = try await VoicemailCallRunner(setup: setup, audio: audio, logger: logger, clock: clock, wallTime: wallTime, progress: progress)
        } catch {
            logger.error("voicemail call could not start", metadata: ["mailbox_id": "\(setup.mailbox.id)", "error": "\(error)"])
            await transport.stop()
            await signalling.hangUp()
            return nil
        }
        await signalling.answer()
        let summary = await runner.run(signalling: signalling)
        return (summary, await runner.audioReport())
    }
}

extension VoicemailCall {
    /// The mailbox's own greeting for a call forwarded for `reason` (its busy
    /// or unavailable one when it has it), else its standard one, else nil
    /// for the default. A greeting that no longer reads is logged and the
    /// next one tried: the caller still gets through.
    static func ownGreeting(
        of mailbox: Mailbox, for reason: Call.DiversionReason?, in tenant: TenantVault, codec: AudioCodec, logger: Logger
    ) -> [[UInt8]]? {
        let wanted = GreetingPurpose(for: reason)
        for purpose in wanted == .standard ? [wanted] : [wanted, .standard] {
            do {
                guard let audio = try tenant.greetingAudio(forMailbox: mailbox.id, purpose: purpose) else { continue }
                return PromptLibrary.frames(of: try OggOpusReader.read(audio), codec: codec)
            } catch {
                logger.error("the mailbox's own \(purpose.rawValue) greeting cannot be read", metadata: ["mailbox_id": "\(mailbox.id)", "error": "\(error)"])
            }
        }
        return nil
    }
}
