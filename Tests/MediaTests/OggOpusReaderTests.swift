import Media
import Testing

@Suite("Reading Ogg Opus back: prompts and exported messages")
struct OggOpusReaderTests {
    static func recorded(seconds: Double, rate: Int32 = 8_000) throws -> [UInt8] {
        let recorder = try OggOpusRecorder(sink: CollectingSink(), inputSampleRate: rate)
        let audio = RecorderTests.speechLike(seconds: seconds, rate: Int(rate))
        let frame = Int(rate) / 50
        for start in stride(from: 0, to: audio.count, by: frame) {
            try recorder.write(Array(audio[start..<min(start + frame, audio.count)]))
        }
        try recorder.finish()
        return recorder.sink.bytes
    }

    @Test("What the recorder wrote reads back: 20 ms packets, the exact length, and decodes to as many samples")
    func roundTrip() throws {
        let stream = try OggOpusReader.read(try Self.recorded(seconds: 3))
        #expect(stream.channelCount == 1)
        #expect(stream.inputSampleRate == 8_000)
        #expect(!stream.isCut)
        #expect(stream.playbackSamples == 3 * 48_000)
        #expect(stream.duration == .seconds(3))
        #expect(stream.packets.allSatisfy { OpusPacket.samples48k($0) == 960 })
        let pcm = try stream.decode(sampleRate: 8_000)
        #expect(pcm.count == 24_000)
        #expect(SilenceDetector.level(pcm) > -30, "the audio is there, not silence")
    }

    @Test("A stream cut mid-page (a recovered recording) yields its whole pages and says it was cut")
    func cutStream() throws {
        let bytes = try Self.recorded(seconds: 5)
        let whole = try OggOpusReader.read(bytes)
        let cut = try OggOpusReader.read(Array(bytes.prefix(bytes.count * 2 / 3)))
        #expect(cut.isCut)
        #expect(cut.packets.count < whole.packets.count && cut.packets.count > 50)
        #expect(cut.packets == Array(whole.packets.prefix(cut.packets.count)), "nothing altered, only shorter")
        #expect(cut.duration >= .seconds(2) && cut.duration < .seconds(5))
    }

    @Test("An altered byte fails the page checksum, and a file that is not Ogg Opus is named as such")
    func refusals() throws {
        var bytes = try Self.recorded(seconds: 2)
        bytes[bytes.count - 20] ^= 0x40
        #expect(throws: OggOpusReadError.self) { try OggOpusReader.read(bytes) }
        let notOgg = Array("RIFF....WAVEfmt ".utf8) + [UInt8](repeating: 0, count: 64)
        let error = #expect(throws: OggOpusReadError.self) { try OggOpusReader.read(notOgg) }
        #expect(error?.description.contains("not Ogg") == true)
    }
}
