/// What the caller hears: 8 kHz mono frames resampled to the card's rate,
/// copied to each of its channels and written to its playback stream. Not
/// Sendable: the thread that plays owns it.
public final class LinePlayback {
    public let stream: PCMStream
    private let resampler: Resampler

    public init(device: String, configurationFile: String? = nil, nonBlocking: Bool = false) throws(LineAudioError) {
        stream = try PCMStream(device: device, direction: .playback, configurationFile: configurationFile, nonBlocking: nonBlocking)
        resampler = try Resampler(from: LineFrame.sampleRate, to: stream.format.sampleRate)
    }

    public var format: PCMFormat { stream.format }
    public var xruns: Int { stream.xruns }

    /// Plays one frame (any length) of 8 kHz mono audio.
    public func play(_ samples: [Int16]) throws(LineAudioError) {
        let converted = resampler.process(samples)
        let channels = stream.format.channels
        guard channels > 1 else { return try stream.write(converted, frames: converted.count) }
        var interleaved = [Int16](repeating: 0, count: converted.count * channels)
        for (index, sample) in converted.enumerated() {
            for channel in 0..<channels { interleaved[index * channels + channel] = sample }
        }
        try stream.write(interleaved, frames: converted.count)
    }

    /// Lets what was written play out.
    public func drain() { stream.drain() }
}
