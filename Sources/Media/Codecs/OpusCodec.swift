import COpus

/// A libopus failure, with libopus's own words for it.
public struct OpusError: Error, Hashable, Sendable, CustomStringConvertible {
    public let status: Int32
    public let description: String

    init(_ status: Int32) {
        self.status = status
        description = "libopus: " + String(cString: opus_strerror(status))
    }
}

/// Opus (RFC 6716) through libopus, mono, for voice: VOIP application,
/// in-band FEC on so a lost packet can be rebuilt from the next (RFC 7587 §3.3).
/// Not Sendable: the codec state belongs to one call's media task.
public final class OpusVoiceEncoder {
    private let encoder: OpaquePointer
    public let sampleRate: Int32

    /// - Parameters:
    ///   - sampleRate: 8000, 12000, 16000, 24000 or 48000.
    ///   - bitRate: bits per second; 24 kb/s is transparent for wideband speech.
    ///   - expectedLossPercent: tunes how much FEC the encoder spends.
    ///   - complexity: 0–10; 5 keeps voice quality for about half the CPU of 10 on a Pi-class core.
    public init(sampleRate: Int32 = 16_000, bitRate: Int32 = 24_000, expectedLossPercent: Int32 = 5, complexity: Int32 = 5) throws(OpusError) {
        var status: Int32 = 0
        guard let encoder = opus_encoder_create(sampleRate, 1, OPUS_APPLICATION_VOIP, &status), status == OPUS_OK else {
            throw OpusError(status == OPUS_OK ? OPUS_ALLOC_FAIL : status)
        }
        self.encoder = encoder
        self.sampleRate = sampleRate
        for result in [
            hushbox_opus_set_bitrate(encoder, bitRate), hushbox_opus_set_inband_fec(encoder, 1),
            hushbox_opus_set_packet_loss_percentage(encoder, expectedLossPercent), hushbox_opus_set_complexity(encoder, complexity),
        ] where result != OPUS_OK {
            opus_encoder_destroy(encoder)
            throw OpusError(result)
        }
    }

    deinit { opus_encoder_destroy(encoder) }

    /// One frame (2.5–60 ms of samples at the encoder's rate) to one Opus packet.
    public func encode(_ frame: [Int16]) throws(OpusError) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: 1_275)
        let length = frame.withUnsafeBufferPointer { samples -> Int32 in
            packet.withUnsafeMutableBufferPointer { output -> Int32 in
                // An empty frame has no base address; libopus would refuse it as a bad argument too.
                guard let input = samples.baseAddress, let bytes = output.baseAddress else { return OPUS_BAD_ARG }
                return opus_encode(encoder, input, Int32(frame.count), bytes, Int32(output.count))
            }
        }
        guard length > 0 else { throw OpusError(length) }
        return Array(packet.prefix(Int(length)))
    }
}

/// The receiving side: decodes packets, conceals a lost one (PLC), or rebuilds
/// it from the FEC data carried in the packet after it.
public final class OpusVoiceDecoder {
    private let decoder: OpaquePointer
    public let sampleRate: Int32

    public init(sampleRate: Int32 = 16_000) throws(OpusError) {
        var status: Int32 = 0
        guard let decoder = opus_decoder_create(sampleRate, 1, &status), status == OPUS_OK else {
            throw OpusError(status == OPUS_OK ? OPUS_ALLOC_FAIL : status)
        }
        self.decoder = decoder
        self.sampleRate = sampleRate
    }

    deinit { opus_decoder_destroy(decoder) }

    /// The samples of one packet (up to 120 ms).
    public func decode(_ packet: [UInt8]) throws(OpusError) -> [Int16] {
        try run(packet, samples: Int(sampleRate) * 120 / 1000, fec: false)
    }

    /// A lost packet of `samples` samples, concealed from the decoder's history.
    public func conceal(samples: Int) throws(OpusError) -> [Int16] {
        try run(nil, samples: samples, fec: false)
    }

    /// A lost packet of `samples` samples, rebuilt from the FEC in `next`, the packet after it.
    public func recover(samples: Int, from next: [UInt8]) throws(OpusError) -> [Int16] {
        try run(next, samples: samples, fec: true)
    }

    private func run(_ packet: [UInt8]?, samples: Int, fec: Bool) throws(OpusError) -> [Int16] {
        var output = [Int16](repeating: 0, count: samples)
        let decoded = output.withUnsafeMutableBufferPointer { pcm -> Int32 in
            guard let destination = pcm.baseAddress else { return OPUS_BAD_ARG }
            if let packet {
                return packet.withUnsafeBufferPointer { bytes in
                    opus_decode(decoder, bytes.baseAddress, Int32(bytes.count), destination, Int32(samples), fec ? 1 : 0)
                }
            }
            // A null packet asks libopus for packet-loss concealment.
            return opus_decode(decoder, nil, 0, destination, Int32(samples), 0)
        }
        guard decoded >= 0 else { throw OpusError(decoded) }
        return Array(output.prefix(Int(decoded)))
    }
}
