import Foundation

/// Compares a message with the speech that was fed in: loudness envelopes
/// (RMS per 20 ms, in dB), correlated over the shift that fits best.
public enum SpeechEnvelope {
    /// RMS loudness per 20 ms of `samples` at `sampleRate`, in dB (−90 to 0).
    public static func envelope(_ samples: [Int16], sampleRate: Int) -> [Double] {
        let window = sampleRate / 50
        return stride(from: 0, to: max(samples.count - window, 0), by: window).map { start in
            var sum = 0.0
            for sample in samples[start..<start + window] { sum += Double(sample) * Double(sample) }
            let rms = (sum / Double(window)).squareRoot() / 32768
            return rms > 0 ? min(0, max(-90, 20 * log10(rms))) : -90
        }
    }

    /// The best Pearson correlation of the two envelopes, the stored one shifted by −1 s to +`maximumDelay`.
    public static func correlation(sent: [Int16], sentRate: Int, stored: [Int16], storedRate: Int, maximumDelay: Duration = .seconds(4)) -> Double {
        alignedCorrelation(envelope(sent, sampleRate: sentRate), envelope(stored, sampleRate: storedRate), lags: -50...Int(maximumDelay / .milliseconds(20)))
    }

    /// The best Pearson correlation of two envelopes over the shifts `lags` (in 20 ms steps) where they overlap by three quarters.
    public static func alignedCorrelation(_ a: [Double], _ b: [Double], lags: ClosedRange<Int>) -> Double {
        var best = -1.0
        for lag in lags {
            var pairs: [(Double, Double)] = []
            for index in a.indices where b.indices.contains(index + lag) { pairs.append((a[index], b[index + lag])) }
            guard pairs.count > a.count * 3 / 4 else { continue }
            let meanA = pairs.map(\.0).reduce(0, +) / Double(pairs.count)
            let meanB = pairs.map(\.1).reduce(0, +) / Double(pairs.count)
            let covariance = pairs.map { ($0.0 - meanA) * ($0.1 - meanB) }.reduce(0, +)
            let spreadA = pairs.map { ($0.0 - meanA) * ($0.0 - meanA) }.reduce(0, +).squareRoot()
            let spreadB = pairs.map { ($0.1 - meanB) * ($0.1 - meanB) }.reduce(0, +).squareRoot()
            if spreadA > 0, spreadB > 0 { best = max(best, covariance / (spreadA * spreadB)) }
        }
        return best
    }
}
