import LineAudio
import Media

/// An uploaded recording made into what a greeting is on the box: 16 kHz mono
/// Ogg Opus, as the caller flow plays it, of 1 to 120 seconds.
public enum GreetingImport {
    public static let maximumSeconds = 120
    public static let sampleRate = 16_000

    public struct Greeting: Sendable {
        public let oggOpus: [UInt8]
        public let seconds: Double
    }

    public static func convert(_ upload: [UInt8]) throws(AudioImportError) -> Greeting {
        let decoded = try AudioFileDecoder.decode(upload, maximumSeconds: maximumSeconds)
        let samples: [Int16]
        do {
            samples = try Resampler(from: decoded.sampleRate, to: sampleRate).process(decoded.samples)
        } catch {
            throw .unsupported("\(decoded.sampleRate) Hz cannot be converted to \(sampleRate) Hz")
        }
        let seconds = Double(samples.count) / Double(sampleRate)
        // The resampler keeps a few milliseconds back: a recording of exactly one second passes.
        guard seconds >= 0.98 else { throw .tooShort(seconds: seconds) }
        do {
            let recorder = try OggOpusRecorder(sink: Collected(), inputSampleRate: Int32(sampleRate))
            try recorder.write(samples)
            try recorder.finish()
            return Greeting(oggOpus: recorder.sink.bytes, seconds: seconds)
        } catch {
            throw .encoding("\(error)")
        }
    }

    private struct Collected: RecordingSink {
        var bytes: [UInt8] = []
        mutating func write(_ bytes: [UInt8]) throws { self.bytes += bytes }
    }
}
