import Synchronization

/// A line's time: 20 ms for every frame the card delivered. The card's
/// crystal is the line's clock, so the ring count, the caller flow and the
/// message all run on the audio they hear, and a clockless test device (ALSA's
/// file plugin, faster than real time) gives the same results as a card.
public final class LineClock: Clock, Sendable {
    public struct Instant: InstantProtocol, Sendable {
        public var offset: Duration

        public init(offset: Duration) { self.offset = offset }
        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let frames = Atomic<Int64>(0)

    public init() {}

    public var now: Instant { Instant(offset: LineFrame.duration * frames.load(ordering: .acquiring)) }
    public var minimumResolution: Duration { LineFrame.duration }

    /// One more frame came from the card (or `count` frames' time passed without one: a card that is gone).
    public func advance(frames count: Int64 = 1) {
        frames.add(count, ordering: .releasing)
    }

    /// Waits, polling every frame's time on the real clock, until the line's time reaches `deadline`.
    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        while now < deadline {
            try await Task.sleep(for: LineFrame.duration)
        }
    }
}
