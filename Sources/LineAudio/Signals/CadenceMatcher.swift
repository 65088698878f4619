/// Recognises a tone's cadence from a frame-by-frame "tone or not", as a
/// value on frame time: two whole cycles of on and off times, each within
/// tolerance, or a continuous tone held for 2 s. It tells when the tone
/// began, so a message can be cut there.
public struct CadenceMatcher: Sendable {
    /// One run of frames with the tone, or without it.
    struct Segment: Sendable, Hashable {
        var on: Bool
        var frames: Int
        var start: Int
    }

    public let cadence: [Int]
    public let frameMilliseconds: Int
    private var segments: [Segment] = []
    private var current: Segment?
    private var frame = 0
    /// How long a continuous tone must last to count.
    public static let continuousMilliseconds = 2000

    public init(cadence: [Int], frameMilliseconds: Int = 20) {
        self.cadence = cadence
        self.frameMilliseconds = frameMilliseconds
    }

    /// Takes one frame; returns the frame index where the recognised tone
    /// began, once, as the cadence completes; then it starts over.
    public mutating func take(toneOn: Bool) -> Int? {
        defer { frame += 1 }
        if var running = current, running.on == toneOn {
            running.frames += 1
            current = running
        } else {
            if let finished = current { push(finished) }
            current = Segment(on: toneOn, frames: 1, start: frame)
        }
        if cadence.isEmpty {
            guard let running = current, running.on, running.frames * frameMilliseconds >= Self.continuousMilliseconds else { return nil }
            reset()
            return running.start
        }
        guard let start = matchedStart() else { return nil }
        reset()
        return start
    }

    private mutating func reset() {
        segments.removeAll()
        current = nil
    }

    private mutating func push(_ segment: Segment) {
        segments.append(segment)
        if segments.count > 4 * cadence.count { segments.removeFirst() }
    }

    /// The last 2 × cycle finished segments, started by an "on", match the cadence.
    private func matchedStart() -> Int? {
        let needed = 2 * cadence.count
        guard segments.count >= needed else { return nil }
        let recent = segments.suffix(needed)
        guard let first = recent.first, first.on else { return nil }
        for (offset, segment) in recent.enumerated() {
            let expected = cadence[offset % cadence.count]
            let actual = segment.frames * frameMilliseconds
            let tolerance = max(80, expected / 5)
            if abs(actual - expected) > tolerance || segment.on != (offset % 2 == 0) { return nil }
        }
        return first.start
    }
}
