/// Plays a pre-encoded prompt into a call: one frame per packet time, paced by
/// the caller's clock readings (virtual in tests), the RTP timestamp advancing
/// by the frame's samples, the marker bit on the first packet of the prompt
/// (a talkspurt start, RFC 3551 §4.1), and stopped at once by a key press when
/// the prompt allows it. A value: the media task asks it what is due.
public struct PromptPlayer: Sendable {
    public struct Frame: Sendable, Hashable {
        public let payload: [UInt8]
        public let marker: Bool
        /// Samples this frame lasts, for the RTP timestamp.
        public let samples: UInt32
    }

    public enum State: Sendable, Hashable {
        case playing
        case finished
        case interrupted(DTMFDigit)
    }

    private let frames: [[UInt8]]
    private let frameDuration: Duration
    private let samplesPerFrame: UInt32
    private let interruptible: Bool
    private var started: Duration?
    private var nextIndex = 0
    public private(set) var state: State = .playing

    /// - Parameters:
    ///   - frames: the prompt encoded in the call's codec, one payload per packet time.
    ///   - interruptible: whether a key press stops it (a disclaimer is not).
    public init(frames: [[UInt8]], frameDuration: Duration = .milliseconds(20), clockRate: Int, interruptible: Bool) {
        self.frames = frames
        self.frameDuration = frameDuration
        samplesPerFrame = UInt32(Double(clockRate) * (frameDuration / .seconds(1)))
        self.interruptible = interruptible
        if frames.isEmpty { state = .finished }
    }

    /// The frames due by `now` (several if the task woke late, so the
    /// stream keeps its timing); none once finished or interrupted.
    public mutating func frames(dueAt now: Duration) -> [Frame] {
        guard state == .playing else { return [] }
        let start = started ?? now
        started = start
        var due: [Frame] = []
        while nextIndex < frames.count, start + frameDuration * nextIndex <= now {
            due.append(Frame(payload: frames[nextIndex], marker: nextIndex == 0, samples: samplesPerFrame))
            nextIndex += 1
        }
        if nextIndex == frames.count { state = .finished }
        return due
    }

    /// When the next frame is due, to sleep until then.
    public var nextDeadline: Duration? {
        guard state == .playing, let started else { return state == .playing ? .zero : nil }
        return started + frameDuration * nextIndex
    }

    /// A key was pressed: stops an interruptible prompt; returns whether it did.
    public mutating func keyPressed(_ digit: DTMFDigit) -> Bool {
        guard interruptible, state == .playing else { return false }
        state = .interrupted(digit)
        return true
    }
}
