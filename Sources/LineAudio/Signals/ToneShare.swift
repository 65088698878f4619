import CSpanDSP

/// How much of a 20 ms frame's energy lies at a tone's frequencies: spandsp's
/// Goertzel filters tuned to each frequency, against the frame's total.
/// About 1 for the pure tone, near 0 for speech or noise. Not Sendable: one
/// call's thread owns it.
public final class ToneShare {
    private var descriptors: [goertzel_descriptor_t]
    private var states: [goertzel_state_t]
    public let frequencies: [Double]

    public init(frequencies: [Double], frameSamples: Int = 160) {
        self.frequencies = frequencies
        descriptors = frequencies.map { frequency in
            var descriptor = goertzel_descriptor_t()
            make_goertzel_descriptor(&descriptor, Float(frequency), Int32(frameSamples))
            return descriptor
        }
        states = descriptors.map { descriptor in
            var descriptor = descriptor
            var state = goertzel_state_t()
            goertzel_init(&state, &descriptor)
            return state
        }
    }

    /// The share of `frame`'s energy at the frequencies, 0…1 (0 for a silent frame).
    public func share(of frame: [Int16]) -> Double {
        var energy = 0.0
        for sample in frame { energy += Double(sample) * Double(sample) }
        guard energy > 0 else { return 0 }
        var atTone = 0.0
        for index in states.indices {
            frame.withUnsafeBufferPointer { _ = goertzel_update(&states[index], $0.baseAddress, Int32($0.count)) }
            atTone += Double(goertzel_result(&states[index]))
        }
        // A sinusoid of amplitude A over N samples: |X|² = (A·N/2)², energy = A²·N/2.
        return min(atTone / (energy * Double(frame.count) / 2), 1)
    }
}
