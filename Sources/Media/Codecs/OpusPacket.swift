import COpus

/// What an Opus packet's TOC byte says about it (RFC 6716 §3.1).
public enum OpusPacket {
    /// The samples it decodes to at 48 kHz, or nil when it is not a valid Opus packet.
    public static func samples48k(_ packet: [UInt8]) -> Int? {
        let samples = packet.withUnsafeBufferPointer { bytes -> Int32 in
            guard let start = bytes.baseAddress, !bytes.isEmpty else { return OPUS_BAD_ARG }
            return opus_packet_get_nb_samples(start, Int32(bytes.count), 48_000)
        }
        return samples > 0 ? Int(samples) : nil
    }
}
