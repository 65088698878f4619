import CSpeexDSP

/// Converts mono 16-bit audio between a card's rate and the call's, with
/// speexdsp's resampler (quality 5: its default for VoIP). Not Sendable:
/// one stream's thread owns it.
public final class Resampler {
    public let inputRate: Int
    public let outputRate: Int
    private let state: OpaquePointer

    public init(from inputRate: Int, to outputRate: Int, quality: Int32 = 5) throws(LineAudioError) {
        var error: Int32 = 0
        guard let state = speex_resampler_init(1, UInt32(inputRate), UInt32(outputRate), quality, &error), error == 0 else {
            throw .unsupported(device: "resampler", reason: "speexdsp cannot convert \(inputRate) Hz to \(outputRate) Hz")
        }
        self.inputRate = inputRate
        self.outputRate = outputRate
        self.state = state
        speex_resampler_skip_zeros(state)
    }

    deinit {
        speex_resampler_destroy(state)
    }

    /// Converts `input`; what the filter still holds comes out with the next call.
    public func process(_ input: [Int16]) -> [Int16] {
        guard inputRate != outputRate else { return input }
        var output = [Int16](repeating: 0, count: input.count * outputRate / inputRate + 16)
        var inputLength = UInt32(input.count)
        var outputLength = UInt32(output.count)
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                _ = speex_resampler_process_int(state, 0, source.baseAddress, &inputLength, target.baseAddress, &outputLength)
            }
        }
        output.removeLast(output.count - Int(outputLength))
        return output
    }
}
