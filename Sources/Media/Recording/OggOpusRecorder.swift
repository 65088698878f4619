/// Encodes decoded call audio to an Ogg Opus stream (RFC 7845): libopus in
/// VOIP mode at the call's own rate (8 kHz for G.711, 16 kHz for wideband),
/// 20 ms packets into ``OggOpusWriter``, pages handed to the sink as they
/// complete, so memory stays bounded however long the message.
///
/// Not libopusenc: it resamples everything to 48 kHz before encoding, which
/// measured 2.5× the cost of this path for a G.711 call (MediaBenchmarks).
/// Not Sendable: one recording, one task.
public final class OggOpusRecorder<Sink: RecordingSink> {
    private let encoder: OpusVoiceEncoder
    private let writer: OggOpusWriter<Sink>
    private var buffered: [Int16] = []
    private let frameSamples: Int
    /// 48 kHz samples encoded so far, the clock ``OggOpusWriter`` counts in.
    private var rtpTimestamp: UInt32 = 0
    public let inputSampleRate: Int32
    public private(set) var samplesWritten = 0

    /// - Parameters:
    ///   - inputSampleRate: the rate of the samples given to ``write(_:)`` (16 kHz for wideband calls, 8 kHz for G.711).
    ///   - bitRate: 24 kb/s keeps speech transparent at about 180 KB a minute.
    ///   - complexity: 0–10; 5 keeps voice quality for about half the CPU of 10 on a Pi-class core.
    ///   - serial: the Ogg stream's serial number.
    public init(sink: Sink, inputSampleRate: Int32 = 16_000, bitRate: Int32 = 24_000, complexity: Int32 = 5, serial: UInt32 = 0x4855_5348) throws {
        self.inputSampleRate = inputSampleRate
        // No FEC: nothing is lost between the encoder and the file.
        encoder = try OpusVoiceEncoder(sampleRate: inputSampleRate, bitRate: bitRate, expectedLossPercent: 0, complexity: complexity)
        writer = try OggOpusWriter(sink: sink, serial: serial, inputSampleRate: Int(inputSampleRate))
        frameSamples = Int(inputSampleRate) / 50
    }

    public var sink: Sink { writer.sink }

    /// Encodes whole 20 ms frames; a remainder waits for the next call.
    public func write(_ samples: [Int16]) throws {
        buffered += samples
        samplesWritten += samples.count
        var start = 0
        while buffered.count - start >= frameSamples {
            try encode(Array(buffered[start..<start + frameSamples]))
            start += frameSamples
        }
        buffered.removeFirst(start)
    }

    /// Encodes what is left, padded with silence until the encoder's
    /// lookahead is out too, and ends the stream trimmed to exactly the
    /// samples written (RFC 7845 §4.4).
    public func finish() throws {
        let playbackSamples = samplesWritten * 48_000 / Int(inputSampleRate)
        var padding = buffered
        while Int(rtpTimestamp) < OggOpusGap.preSkip + playbackSamples {
            padding += [Int16](repeating: 0, count: frameSamples - padding.count)
            try encode(padding)
            padding = []
        }
        buffered = []
        try writer.finish(playbackSamples: playbackSamples)
    }

    /// Seconds of audio written so far.
    public var duration: Double { Double(samplesWritten) / Double(inputSampleRate) }

    private func encode(_ frame: [Int16]) throws {
        // The writer counts time in RTP's 48 kHz Opus clock.
        try writer.append(try encoder.encode(frame), rtpTimestamp: rtpTimestamp)
        rtpTimestamp &+= 960
    }
}
