/// Loss concealment for G.711, which has none of its own (cf. ITU-T G.711
/// Appendix I, simplified): a lost frame repeats the last good one, each
/// repeat 6 dB quieter, and after three losses in a row there is silence
/// rather than a buzzing loop.
public struct G711Concealer: Sendable {
    private var lastGood: [Int16] = []
    private var lostInARow = 0

    public init() {}

    /// A good frame, passed through and remembered.
    public mutating func received(_ frame: [Int16]) -> [Int16] {
        lastGood = frame
        lostInARow = 0
        return frame
    }

    /// A frame of `samples` samples standing in for a lost one.
    public mutating func conceal(samples: Int) -> [Int16] {
        lostInARow += 1
        guard lostInARow <= 3, !lastGood.isEmpty else { return Array(repeating: 0, count: samples) }
        let shift = lostInARow  // each repeat halves the amplitude: −6 dB
        return (0..<samples).map { lastGood[$0 % lastGood.count] >> shift }
    }
}
