import Foundation

/// Tells speech from silence frame by frame by energy: a frame whose RMS level
/// is above `threshold` (dBFS) is speech. Keeps the total speech heard and the
/// silence since the last speech, which end a message ("max silence") and
/// decide whether it is worth keeping (at least 1 s of speech).
public struct SilenceDetector: Sendable {
    public let threshold: Double
    public let sampleRate: Int
    public private(set) var speech: Duration = .zero
    public private(set) var trailingSilence: Duration = .zero

    /// - Parameter threshold: dBFS; −45 passes a quiet talker on a phone line and ignores its hiss.
    public init(threshold: Double = -45, sampleRate: Int) {
        self.threshold = threshold
        self.sampleRate = sampleRate
    }

    /// Classifies one frame; returns whether it was speech.
    @discardableResult
    public mutating func process(_ frame: [Int16]) -> Bool {
        guard !frame.isEmpty else { return false }
        let duration = Duration.nanoseconds(Int64(frame.count) * 1_000_000_000 / Int64(sampleRate))
        let isSpeech = Self.level(frame) > threshold
        if isSpeech {
            speech += duration
            trailingSilence = .zero
        } else {
            trailingSilence += duration
        }
        return isSpeech
    }

    /// RMS level in dBFS (0 for a full-scale square wave; −∞ for digital silence).
    public static func level(_ frame: [Int16]) -> Double {
        let meanSquare = frame.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(frame.count)
        guard meanSquare > 0 else { return -.infinity }
        return 10 * log10(meanSquare / (32_768.0 * 32_768.0))
    }
}
