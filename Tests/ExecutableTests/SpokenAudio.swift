import Foundation
import HushboxTestSupport
import Media
import Testing

/// Known speech for callers to say, and the measures that compare it with
/// what the box stored: speech span and loudness envelope.
enum SpokenAudio {
    static let sentence = "Hello. This is a message for the Hushbox voicemail. Please call me back tomorrow morning, after nine. Thank you."

    /// How long the rendered prompts play, e.g. `["de/disclaimer", "de/consent-request"]`.
    static func seconds(of prompts: [String]) throws -> Double {
        try prompts.reduce(0.0) { total, name in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: HushboxdLifecycleTests.renderedPrompts + "/\(name).opus"))
            let stream = try OggOpusReader.read(Array(bytes))
            return total + Double(stream.playbackSamples ?? 0) / 48_000
        }
    }

    /// Seconds an English-speaking caller hears before the beep ends: disclaimer, greeting and beep.
    static func secondsBeforeRecording() throws -> Double {
        try seconds(of: ["en/disclaimer", "en/greeting", "beep"])
    }

    /// `text` spoken by espeak-ng: a 16 kHz copy to compare with, and the
    /// file baresip plays (48 kHz, `lead` seconds of silence, the speech, then
    /// `tail` seconds of silence before baresip hangs up at its end).
    static func render(_ text: String = sentence, in directory: TemporaryDirectory, lead: Double, tail: Double) async throws -> (reference: [Int16], callFile: String) {
        let tools = HushboxdLifecycleTests.environment()
        let name = "spoken-\(UInt32.random(in: 0...UInt32.max))"
        let spoken = directory.child("\(name).wav")
        #expect(try await ChildProcess.run("/usr/bin/espeak-ng", ["-v", "en", "-s", "150", "-w", spoken, text], environment: tools).status == 0)
        let reference = directory.child("\(name)-16k.wav")
        #expect(try await ChildProcess.run("/usr/bin/sox", ["-R", "-D", spoken, "-r", "16000", "-c", "1", "-b", "16", reference], environment: tools).status == 0)
        let callFile = directory.child("\(name)-call.wav")
        let padded = try await ChildProcess.run(
            "/usr/bin/sox",
            ["-R", "-D", spoken, "-r", "48000", "-c", "1", "-b", "16", callFile, "pad", String(format: "%.2f", lead), String(tail)],
            environment: tools
        )
        #expect(padded.status == 0, "\(padded.errors)")
        return (samples(ofWAV: try Data(contentsOf: URL(fileURLWithPath: reference))), callFile)
    }

    static func samples(ofWAV data: Data) -> [Int16] {
        // Both sox's and Hushbox's WAV files here are 16-bit mono with a 44-byte header.
        let bytes = [UInt8](data.dropFirst(44))
        return stride(from: 0, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
    }

    struct NotWAV: Error, CustomStringConvertible {
        var description: String { "no data chunk: not a WAV file" }
    }

    /// Samples and sample rate of a 16-bit mono WAV file, whatever chunks precede its data.
    static func samplesAndRate(ofWAV data: Data) throws -> ([Int16], Int) {
        let bytes = [UInt8](data)
        func word(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
        var offset = 12
        var rate = 0
        while offset + 8 <= bytes.count {
            let id = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let size = word(offset + 4)
            if id == "fmt " { rate = word(offset + 12) }
            if id == "data" {
                // A writer stopped before it could go back and write the length leaves 0: the data runs to the end.
                let body = Data(bytes[(offset + 8)..<(size == 0 ? bytes.count : min(bytes.count, offset + 8 + size))])
                return (samples(ofWAV: Data(count: 44) + body), rate)
            }
            offset += 8 + size + (size & 1)
        }
        throw NotWAV()
    }

    /// The 20 ms frames (by index) that carry most of their energy at `hertz` (Goertzel).
    static func framesDominatedBy(hertz: Double, in samples: [Int16], sampleRate: Int) -> [Int] {
        let frame = sampleRate / 50
        let coefficient = 2 * cos(2 * Double.pi * hertz / Double(sampleRate))
        return stride(from: 0, to: samples.count - frame, by: frame).filter { start in
            var (previous, beforePrevious, energy) = (0.0, 0.0, 0.0)
            for sample in samples[start..<start + frame] {
                let value = Double(sample)
                energy += value * value
                (previous, beforePrevious) = (value + coefficient * previous - beforePrevious, previous)
            }
            let power = previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious
            // A pure tone puts (N/2)·energy into its bin; speech and silence far less.
            return energy > 1e6 && power > 0.5 * energy * Double(frame) / 2
        }.map { $0 / frame }
    }

    /// RMS loudness per 20 ms, in dB.
    static func envelope(_ samples: [Int16]) -> [Double] {
        stride(from: 0, to: samples.count - 320, by: 320).map { start in
            min(0, max(-90, SilenceDetector.level(Array(samples[start..<start + 320]))))
        }
    }

    /// Seconds from the first to the last frame within 30 dB of the loudest.
    static func speechSpan(_ envelope: [Double]) -> Double {
        let threshold = (envelope.max() ?? 0) - 30
        guard let first = envelope.firstIndex(where: { $0 > threshold }), let last = envelope.lastIndex(where: { $0 > threshold }) else { return 0 }
        return Double(last - first + 1) * 0.02
    }

    /// The best Pearson correlation of the two envelopes over shifts of up to ±3 s.
    static func alignedCorrelation(_ sent: [Double], _ stored: [Double]) -> Double {
        SpeechEnvelope.alignedCorrelation(sent, stored, lags: -150...150)
    }
}
