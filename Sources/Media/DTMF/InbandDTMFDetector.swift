import Foundation

/// Finds DTMF key presses in G.711 audio (8 kHz) for callers whose phones send
/// tones in-band instead of RFC 4733 events. Goertzel filters on the eight
/// DTMF frequencies over 205-sample blocks (≈25.6 ms, 39 Hz resolution), with
/// the usual checks of ITU-T Q.24: both tones present and dominant in the
/// block's energy, twist within limits (row up to 8 dB above column, column
/// up to 4 dB above row), the other tones of each group well below, and the
/// same key in two blocks in a row (> 40 ms) before it counts. A key is
/// reported once per press: it must disappear before it can be reported again.
public struct InbandDTMFDetector: Sendable {
    static let blockLength = 205
    static let sampleRate = 8_000.0
    static let rows: [Double] = [697, 770, 852, 941]
    static let columns: [Double] = [1_209, 1_336, 1_477, 1_633]
    static let keypad: [[DTMFDigit]] = [
        [.one, .two, .three, .a], [.four, .five, .six, .b], [.seven, .eight, .nine, .c], [.star, .zero, .pound, .d],
    ]
    /// Goertzel coefficients 2·cos(2πf/fs) for rows then columns.
    static let coefficients: [Double] = (rows + columns).map { 2 * cos(2 * .pi * $0 / sampleRate) }

    private var pending: [Int16] = []
    private var candidate: DTMFDigit?
    private var reported: DTMFDigit?

    public init() {}

    /// Feeds decoded samples; returns the keys whose presses completed in them.
    public mutating func process(_ samples: [Int16]) -> [DTMFDigit] {
        pending += samples
        var digits: [DTMFDigit] = []
        while pending.count >= Self.blockLength {
            let block = Array(pending.prefix(Self.blockLength))
            pending.removeFirst(Self.blockLength)
            let heard = Self.detect(block)
            if let heard, heard == candidate, heard != reported {
                digits.append(heard)
                reported = heard
            }
            if heard == nil { reported = nil }
            candidate = heard
        }
        return digits
    }

    static func detect(_ block: [Int16]) -> DTMFDigit? {
        let samples = block.map { Double($0) }
        let energy = samples.reduce(0) { $0 + $1 * $1 }
        // Below about −40 dBm0 there is nothing to hear.
        guard energy > Double(block.count) * 100 * 100 else { return nil }
        let powers = coefficients.map { goertzel(samples, coefficient: $0) }
        let rowPowers = Array(powers[0..<4])
        let columnPowers = Array(powers[4..<8])
        guard let row = rowPowers.indices.max(by: { rowPowers[$0] < rowPowers[$1] }),
            let column = columnPowers.indices.max(by: { columnPowers[$0] < columnPowers[$1] })
        else { return nil }
        let rowPower = rowPowers[row]
        let columnPower = columnPowers[column]
        // Twist: row at most 8 dB (×6.3) above column, column at most 4 dB (×2.5) above row.
        guard rowPower < columnPower * 6.3, columnPower < rowPower * 2.5 else { return nil }
        // Each tone at least 8 dB above the others of its group.
        for (index, power) in rowPowers.enumerated() where index != row && power * 6.3 > rowPower { return nil }
        for (index, power) in columnPowers.enumerated() where index != column && power * 6.3 > columnPower { return nil }
        // The two tones carry most of the block's energy (Goertzel power is N/2 × sum of squares for a pure tone).
        let toneEnergy = (rowPower + columnPower) * 2 / Double(block.count)
        guard toneEnergy > energy * 0.6 else { return nil }
        return keypad[row][column]
    }

    /// The squared magnitude of the DFT bin nearest the filter's frequency.
    static func goertzel(_ samples: [Double], coefficient: Double) -> Double {
        var previous = 0.0
        var beforePrevious = 0.0
        for sample in samples {
            let current = sample + coefficient * previous - beforePrevious
            beforePrevious = previous
            previous = current
        }
        return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
    }
}
