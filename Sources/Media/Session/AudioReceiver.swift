public import MediaFormat

/// The receive pipeline of one call: authenticated RTP packets go into the
/// jitter buffer; every 20 ms a frame of PCM comes out, decoded with the
/// negotiated codec or, for a missing packet, concealed (Opus PLC; G.711
/// repeat and fade). Opus decodes straight to 16 kHz, G.711 stays at 8 kHz:
/// no resampler in the path. Not Sendable: one call's media task owns it.
public final class AudioReceiver {
    public let codec: AudioCodec
    /// Samples per second of the frames ``pull(at:)`` returns.
    public let outputSampleRate: Int
    private var jitter: JitterBuffer
    private let opus: OpusVoiceDecoder?
    private var concealer = G711Concealer()
    private let frameSamples: Int

    public init(audio: RTPAudioParameters) throws(OpusError) {
        codec = audio.codec
        let frameDuration = Duration.milliseconds(audio.packetTimeMilliseconds)
        jitter = JitterBuffer(settings: .init(clockRate: audio.codec.clockRate, frameDuration: frameDuration))
        if audio.codec == .opus {
            opus = try OpusVoiceDecoder(sampleRate: 16_000)
            outputSampleRate = 16_000
        } else {
            opus = nil
            outputSampleRate = 8_000
        }
        frameSamples = outputSampleRate * audio.packetTimeMilliseconds / 1000
    }

    public var statistics: JitterBuffer.Statistics { jitter.statistics }
    /// Lost Opus frames rebuilt from the next packet's in-band FEC rather than concealed.
    public private(set) var recoveredByFEC = 0
    /// The payload the last ``pull(at:)`` decoded, as the caller sent it; nil
    /// when that frame was concealed or nothing was due. Opus recordings store
    /// these as they are (pass-through), in the jitter buffer's order.
    public private(set) var lastReceivedPayload: [UInt8]?

    public func insert(_ packet: RTPPacket, arrival: Duration) {
        jitter.insert(sequence: packet.sequenceNumber, timestamp: packet.timestamp, ssrc: packet.ssrc, payload: packet.payload, arrival: arrival)
    }

    /// The next frame of audio, or nil while the buffer fills or the stream pauses.
    public func pull(at now: Duration) -> [Int16]? {
        lastReceivedPayload = nil
        switch jitter.pull(at: now) {
        case .waiting:
            return nil
        case .frame(_, let payload):
            lastReceivedPayload = payload
            switch codec {
            case .pcmu: return concealer.received(G711.decodeMuLaw(payload))
            case .pcma: return concealer.received(G711.decodeALaw(payload))
            case .opus: return (try? opus?.decode(payload)) ?? concealed()
            }
        case .lost(_, let following):
            if let opus, let following, let recovered = try? opus.recover(samples: frameSamples, from: following) {
                recoveredByFEC += 1
                return recovered
            }
            return concealed()
        }
    }

    private func concealed() -> [Int16] {
        if let opus {
            return (try? opus.conceal(samples: frameSamples)) ?? Array(repeating: 0, count: frameSamples)
        }
        return concealer.conceal(samples: frameSamples)
    }
}
