/// The caller's side of a line: the card's capture stream, mixed down to
/// mono and resampled to 8 kHz, read as 20 ms ``LineFrame``s. Not Sendable:
/// the line's capture thread owns it.
public final class LineCapture {
    public let stream: PCMStream
    private let resampler: Resampler
    private var card: [Int16]
    private var pending: [Int16] = []

    public init(device: String, configurationFile: String? = nil, probing: Bool = false) throws(LineAudioError) {
        stream = try PCMStream(device: device, direction: .capture, configurationFile: configurationFile, probing: probing)
        resampler = try Resampler(from: stream.format.sampleRate, to: LineFrame.sampleRate)
        card = [Int16](repeating: 0, count: stream.format.periodFrames * stream.format.channels)
    }

    public var format: PCMFormat { stream.format }
    public var xruns: Int { stream.xruns }

    /// The next 20 ms frame, reading the card as needed (at most `stallLimit` per read).
    public func nextFrame(stallLimit: Duration = .seconds(2)) throws(LineAudioError) -> [Int16] {
        while pending.count < LineFrame.samples {
            let frames = try stream.read(into: &card, frames: stream.format.periodFrames, stallLimit: stallLimit)
            pending += resampler.process(Self.mono(card, frames: frames, channels: stream.format.channels))
        }
        let frame = Array(pending.prefix(LineFrame.samples))
        pending.removeFirst(LineFrame.samples)
        return frame
    }

    /// The channels' average, frame by frame.
    static func mono(_ interleaved: [Int16], frames: Int, channels: Int) -> [Int16] {
        guard channels > 1 else { return Array(interleaved.prefix(frames)) }
        return (0..<frames).map { frame in
            var sum = 0
            for channel in 0..<channels { sum += Int(interleaved[frame * channels + channel]) }
            return Int16(sum / channels)
        }
    }
}
