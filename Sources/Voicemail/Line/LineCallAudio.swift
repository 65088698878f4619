public import LineAudio
public import Media
public import SIPCore
public import NIOCore

/// A telephone line's audio for one call: the caller's 20 ms frames as the
/// line's capture hands them over (each one a slot of the call: the card
/// paces it), prompts decoded from µ-law and played to the card, digits heard
/// in band by the call's detector, and the caller's hang-up heard from the
/// exchange's tone (``HangUpToneDetector``) or the board's loop current.
public final class LineCallAudio: CallAudio {
    public enum Arrival: Sendable {
        /// 20 ms of the caller at 8 kHz.
        case frame([Int16])
        /// The board's loop current stopped for `heardFor`: the caller hung up.
        case loopCurrentDropped(heardFor: Duration)
        /// The line stopped the call: its card stopped working, or the call outlasted its limit.
        case lineStopped
    }

    /// What a line call's audio did, for the metrics and the log.
    public struct Report: Sendable, Hashable {
        public var frames: Int
        /// The exchange's tone the hang-up was heard by, if it was.
        public var hangUpTone: ToneCountry.Tone.Kind?
        public var loopCurrentDropped: Bool
        public var lineStopped: Bool
    }

    /// Hands the line's frames to the call, on the line's loop.
    public struct Transport: CallAudioTransport {
        let attach: @Sendable (@escaping @Sendable (Arrival) -> Void) -> Void
        let detach: @Sendable () -> Void
        let stopped: AsyncStream<Void>
        let stopping: AsyncStream<Void>.Continuation

        public func run(delivering deliver: @escaping @Sendable (Arrival) -> Void) async {
            attach(deliver)
            for await _ in stopped { break }
            detach()
        }

        public func stop() async {
            stopping.yield()
            stopping.finish()
        }
    }

    public let transport: Transport
    public let executor: any SerialExecutor
    public var pacing: CallPacing { .audioFrames }
    public var codec: AudioCodec { .pcmu }
    public var receivedSampleRate: Int { LineFrame.sampleRate }
    /// Long enough for the slowest hang-up a line hears: the flow's 6 s of silence.
    public var recordingHoldBack: Duration { .seconds(6) }
    private let play: ([Int16]) -> Void
    private let hangUpTones: HangUpToneDetector
    private var latest: [Int16]?
    private var report = Report(frames: 0, hangUpTone: nil, loopCurrentDropped: false, lineStopped: false)

    /// - Parameters:
    ///   - loop: the line's event loop, where frames arrive and the call runs.
    ///   - attach: hands the line's frames to a call from now on (on `loop`).
    ///   - detach: gives the line's frames back to the idle line.
    ///   - play: writes 8 kHz frames to the card (on `loop`, never blocking).
    public init(
        loop: any EventLoop, country: ToneCountry, attach: @escaping @Sendable (@escaping @Sendable (Arrival) -> Void) -> Void,
        detach: @escaping @Sendable () -> Void, play: @escaping ([Int16]) -> Void
    ) {
        let (stopped, stopping) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        transport = Transport(attach: attach, detach: detach, stopped: stopped, stopping: stopping)
        executor = loop.executor
        self.play = play
        hangUpTones = HangUpToneDetector(country: country)
    }

    public func collectArrivals(_ handle: (Arrival) -> Void) {}

    public func take(_ arrival: Arrival, at now: Duration) -> CallAudioNews {
        switch arrival {
        case .frame(let samples):
            report.frames += 1
            latest = samples
            if let heard = hangUpTones.process(samples) {
                report.hangUpTone = heard.kind
                return .callerHungUp(heardFor: heard.heardFor)
            }
            return .audio
        case .loopCurrentDropped(let heardFor):
            report.loopCurrentDropped = true
            return .callerHungUp(heardFor: heardFor)
        case .lineStopped:
            report.lineStopped = true
            return .callerLeft(stillConnected: true)
        }
    }

    public func receivedFrame(at now: Duration) -> ReceivedAudioFrame? {
        defer { latest = nil }
        return latest.map { ReceivedAudioFrame(samples: $0, payload: nil) }
    }

    public func send(_ frame: PromptPlayer.Frame) {
        play(G711.decodeMuLaw(frame.payload))
    }

    public nonisolated(nonsending) func report() async -> Report { report }
}
