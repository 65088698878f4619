import Glibc

/// Starts a call on a line-level source with no control lines: when 75% of
/// the last 0.3 s of frames are louder than the threshold. A value on frame
/// time.
public struct VoiceActivation: Sendable {
    public let thresholdDB: Double
    /// Frames in the window (0.3 s of 20 ms frames).
    public static let windowFrames = 15
    public static let loudShare = 0.75
    private var window: [Bool] = []

    public init(thresholdDB: Double) {
        self.thresholdDB = thresholdDB
    }

    /// Takes one frame; true when the line has been sounding long enough to answer.
    public mutating func take(_ frame: [Int16]) -> Bool {
        window.append(Self.levelDB(frame) >= thresholdDB)
        if window.count > Self.windowFrames { window.removeFirst() }
        guard window.count == Self.windowFrames else { return false }
        return Double(window.count(where: { $0 })) >= Self.loudShare * Double(Self.windowFrames)
    }

    public mutating func reset() {
        window.removeAll()
    }

    /// The frame's RMS level in dBFS (−100 for silence).
    public static func levelDB(_ frame: [Int16]) -> Double {
        guard !frame.isEmpty else { return -100 }
        var sum = 0.0
        for sample in frame { sum += Double(sample) * Double(sample) }
        let rms = (sum / Double(frame.count)).squareRoot()
        return rms > 0 ? 20 * log10(rms / 32768) : -100
    }
}
