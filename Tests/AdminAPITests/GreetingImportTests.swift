import AudioImport
import CSndFile
import Foundation
import HushboxTestSupport
import Media
import Testing

/// Uploaded greetings in the formats customers have, made into the box's
/// 16 kHz Ogg Opus with libsndfile, speexdsp and libopus.
@Suite("Greeting import")
struct GreetingImportTests {
    /// A 440 Hz tone of `seconds` written by libsndfile in `format`, read back as the bytes a browser would upload.
    static func file(format: Int, rate: Int, channels: Int, seconds: Double, in directory: TemporaryDirectory, name: String) throws -> [UInt8]? {
        var info = SF_INFO(frames: 0, samplerate: Int32(rate), channels: Int32(channels), format: Int32(format), sections: 0, seekable: 0)
        guard sf_format_check(&info) == 1 else { return nil }
        let path = directory.child(name)
        guard let file = sf_open(path, Int32(SFM_WRITE), &info) else { return nil }
        let frames = Int(seconds * Double(rate))
        var samples = [Int16](repeating: 0, count: frames * channels)
        for frame in 0..<frames {
            let value = Int16(12_000 * sin(2 * .pi * 440 * Double(frame) / Double(rate)))
            for channel in 0..<channels { samples[frame * channels + channel] = value }
        }
        _ = samples.withUnsafeBufferPointer { sf_writef_short(file, $0.baseAddress, sf_count_t(frames)) }
        sf_close(file)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Crossings of zero per second: twice the frequency of a clean tone.
    static func frequency(of samples: [Int16], rate: Int) -> Double {
        let middle = samples.dropFirst(rate / 4).dropLast(rate / 4)
        var crossings = 0
        var previous = middle.first ?? 0
        for sample in middle.dropFirst() {
            if (previous < 0) != (sample < 0) { crossings += 1 }
            previous = sample
        }
        return Double(crossings) / 2 / (Double(middle.count) / Double(rate))
    }

    @Test("WAV (44.1 kHz stereo), FLAC (48 kHz), Ogg Vorbis (22.05 kHz) and MP3 become 16 kHz Ogg Opus of the same length and pitch",
          arguments: [
            ("wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44_100, 2), ("flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 48_000, 1),
            ("ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22_050, 1), ("mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44_100, 1),
          ])
    func formats(name: String, format: Int, rate: Int, channels: Int) throws {
        let directory = try TemporaryDirectory()
        let upload = try #require(try Self.file(format: format, rate: rate, channels: channels, seconds: 3, in: directory, name: "greeting.\(name)"),
                                  "this libsndfile cannot write \(name)")
        let greeting = try GreetingImport.convert(upload)
        #expect(abs(greeting.seconds - 3) < 0.1, "\(greeting.seconds) s")
        let decoded = try OggOpusReader.read(greeting.oggOpus).decode(sampleRate: 16_000)
        #expect(abs(Double(decoded.count) / 16_000 - greeting.seconds) < 0.05)
        #expect(abs(Self.frequency(of: decoded, rate: 16_000) - 440) < 10, "the tone keeps its pitch")
    }

    @Test("not audio, too short, too long, unusual encodings and oversized formats are refused with what to do; a truncated file is what it holds")
    func refusals() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: AudioImportError.self) { try GreetingImport.convert(Array("this is a text file, not a recording".utf8)) }
        #expect(throws: AudioImportError.self) { try GreetingImport.convert([]) }
        let short = try #require(try Self.file(format: SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate: 8_000, channels: 1, seconds: 0.5, in: directory, name: "short.wav"))
        #expect { try GreetingImport.convert(short) } throws: { error in
            guard case .tooShort(let seconds)? = error as? AudioImportError else { return false }
            return abs(seconds - 0.5) < 0.05
        }
        let long = try #require(try Self.file(format: SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate: 8_000, channels: 1, seconds: 121, in: directory, name: "long.wav"))
        #expect(throws: AudioImportError.tooLong(maximumSeconds: 120)) { try GreetingImport.convert(long) }
        let whole = try #require(try Self.file(format: SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate: 16_000, channels: 1, seconds: 4, in: directory, name: "cut.wav"))
        let cut = try GreetingImport.convert(Array(whole.prefix(44 + 2 * 16_000 * 2)))
        #expect(abs(cut.seconds - 2) < 0.1, "a header that promises more than the file holds gives what it holds")
        #expect(AudioImportError.unreadable("x").description.contains("WAV"))
        // Encodings with a history of parser bugs, and sizes that would cost the box seconds of CPU, are refused before decoding.
        let adpcm = try #require(try Self.file(format: SF_FORMAT_WAV | SF_FORMAT_MS_ADPCM, rate: 8_000, channels: 1, seconds: 2, in: directory, name: "adpcm.wav"))
        #expect { try GreetingImport.convert(adpcm) } throws: { error in
            guard case .unsupported? = error as? AudioImportError else { return false }
            return true
        }
        let wide = try #require(try Self.file(format: SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate: 96_000, channels: 8, seconds: 1, in: directory, name: "wide.wav"))
        #expect { try GreetingImport.convert(wide) } throws: { error in
            guard case .unsupported(let reason)? = error as? AudioImportError else { return false }
            return reason.contains("mono or stereo")
        }
        #expect(throws: AudioImportError.unreadable("not a WAV, AIFF, FLAC, Ogg or MP3 file")) { try GreetingImport.convert(Array("MThd\u{0}\u{0}\u{0}\u{6}".utf8)) }
    }
}
