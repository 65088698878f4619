public import Media
public import NIOCore
public import SIPCore

/// The audio side of one call, whatever carries it: RTP/SRTP for a SIP call
/// (``RTPCallAudio``), a sound card for a telephone line. The call's runtime
/// plays prompts into it, takes the caller's audio out of it a frame per
/// 20 ms slot, and hears from it the caller's digits and their leaving; the
/// caller flow never sees the transport. Answering and hanging up are the
/// other half of the boundary (``CallSignalling``).
///
/// Not Sendable: the call's runtime owns it, and runs on its ``executor``
/// (for RTP, the event loop of the call's sockets), so an arrival reaches
/// the call, and a prompt frame the socket, without crossing threads: its
/// methods are called there, synchronously. What must run beside the
/// runtime (sockets, a capture thread) is its ``transport``, which is
/// Sendable and delivers every arrival on the same executor.
public protocol CallAudio: AnyObject, SendableMetatype {
    /// What the transport delivers to the call's task, in order.
    associatedtype Arrival: Sendable
    associatedtype Transport: CallAudioTransport<Arrival>
    /// What the audio tells about itself as the call ends (for the metrics).
    associatedtype Report: Sendable

    var transport: Transport { get }
    /// Where the call's runtime runs: the transport's own thread.
    var executor: any SerialExecutor { get }
    /// What paces the call's 20 ms slots.
    var pacing: CallPacing { get }
    /// The codec prompts are played in, and the caller's audio arrives in.
    var codec: AudioCodec { get }
    /// The sample rate of the frames ``receivedFrame(at:)`` returns.
    var receivedSampleRate: Int { get }
    /// How much of the message the recording holds back before encoding it,
    /// so that what a late-heard hang-up left in it (a line's busy tone,
    /// recognised seconds after it began) can still be dropped. Zero for a
    /// SIP call, whose BYE comes at once.
    var recordingHoldBack: Duration { get }

    /// Takes in what arrived since the last slot, handing each arrival to
    /// `handle` in order, as the slot begins (RTP reads its socket here, so
    /// the call's thread wakes once per slot, not once per packet). What a
    /// transport pushes comes through its ``CallAudioTransport/run(delivering:)`` instead.
    func collectArrivals(_ handle: (Arrival) -> Void)
    /// Takes one arrival on the call's executor: audio is buffered for its slot,
    /// a digit or the caller's leaving comes back for the flow.
    func take(_ arrival: Arrival, at now: Duration) -> CallAudioNews
    /// The caller's audio for the 20 ms slot due at `now` (concealed where
    /// a packet was lost), or nil before any arrived.
    func receivedFrame(at now: Duration) -> ReceivedAudioFrame?
    /// Plays one 20 ms frame of a prompt, in ``codec``, to the caller.
    func send(_ frame: PromptPlayer.Frame)
    /// What the call's audio did, read as the call ends.
    nonisolated(nonsending) func report() async -> Report
}

/// The part of a call's audio that runs beside the call's task: it receives
/// and hands each arrival over until stopped.
public protocol CallAudioTransport<Arrival>: Sendable {
    associatedtype Arrival: Sendable
    /// Runs until ``stop()``, handing every arrival to `deliver` in order, on
    /// the audio's ``CallAudio/executor`` (the call handles it there and then).
    func run(delivering deliver: @escaping @Sendable (Arrival) -> Void) async
    func stop() async
}

/// What paces a call's 20 ms slots: when prompt frames go out and the
/// caller's audio is taken for the message.
public enum CallPacing: Sendable {
    /// Timers of the event loop the call runs on: one wake-up per slot, on
    /// the thread that already serves the call's sockets.
    case eventLoop(any EventLoop)
    /// Sleeps on the call's injected clock (tests on virtual time).
    case clock
    /// The caller's audio itself: a slot per 20 ms frame that arrives (a
    /// sound card's clock paces a line call; no timer runs).
    case audioFrames
}

extension CallAudio {
    public var recordingHoldBack: Duration { .zero }
}

/// What an arrival meant for the call.
public enum CallAudioNews: Sendable, Hashable {
    /// The caller's audio, buffered for its slot.
    case audio
    /// A key the caller pressed (signalled out of band, e.g. RFC 4733).
    case digit(DTMFDigit)
    /// The caller is gone. `stillConnected`: only their audio stopped (no
    /// media, an RTCP BYE, an unusable new key); the call must still be hung up.
    case callerLeft(stillConnected: Bool)
    /// The caller hung up `heardFor` ago (a line hears it late, from the
    /// exchange's tone): the message keeps at most a little of that time.
    case callerHungUp(heardFor: Duration)
    /// Nothing for the flow (a control message, a renegotiation carried out).
    case nothing
}

/// One 20 ms slot of what the caller said.
public struct ReceivedAudioFrame: Sendable {
    /// Decoded audio at ``CallAudio/receivedSampleRate``.
    public var samples: [Int16]
    /// The codec packet it was decoded from, when one arrived for the slot:
    /// an Opus caller's message is stored as they sent it.
    public var payload: [UInt8]?

    public init(samples: [Int16], payload: [UInt8]?) {
        self.samples = samples
        self.payload = payload
    }
}
