extension OggOpusStream {
    /// The audio as mono PCM at `sampleRate` (8, 12, 16, 24 or 48 kHz: libopus
    /// decodes straight to any of them, so no resampler), with the pre-skip
    /// dropped and the end trimmed to the stream's playback length.
    public func decode(sampleRate: Int32) throws(OpusError) -> [Int16] {
        let decoder = try OpusVoiceDecoder(sampleRate: sampleRate)
        var samples: [Int16] = []
        for packet in packets {
            samples += try decoder.decode(packet)
        }
        samples.removeFirst(min(samples.count, preSkip * Int(sampleRate) / 48_000))
        if let playbackSamples {
            let length = playbackSamples * Int(sampleRate) / 48_000
            if samples.count > length { samples.removeLast(samples.count - length) }
        }
        return samples
    }
}
