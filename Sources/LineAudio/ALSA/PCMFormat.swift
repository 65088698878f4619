/// What a sound card agreed to, as reported at open and by the selftest.
public struct PCMFormat: Sendable, Hashable, CustomStringConvertible {
    public var sampleRate: Int
    public var channels: Int
    /// Frames per period (one wake-up of the card).
    public var periodFrames: Int
    /// Frames the card's buffer holds.
    public var bufferFrames: Int

    public init(sampleRate: Int, channels: Int, periodFrames: Int, bufferFrames: Int) {
        self.sampleRate = sampleRate
        self.channels = channels
        self.periodFrames = periodFrames
        self.bufferFrames = bufferFrames
    }

    public var periodDuration: Duration { .microseconds(Int64(periodFrames) * 1_000_000 / Int64(max(sampleRate, 1))) }

    public var description: String {
        "\(sampleRate) Hz, \(channels) channel\(channels == 1 ? "" : "s"), period \(periodFrames) frames, buffer \(bufferFrames) frames"
    }
}
