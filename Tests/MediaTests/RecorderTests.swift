import Foundation
import HushboxTestSupport
import Media
import Testing

/// A sink that keeps the bytes, like the vault's writer keeps sealed chunks.
struct CollectingSink: RecordingSink {
    var bytes: [UInt8] = []
    var writes = 0
    mutating func write(_ bytes: [UInt8]) throws {
        self.bytes += bytes
        writes += 1
    }
}

@Suite("Recording: silence detection and Ogg Opus")
struct RecorderTests {
    static func speechLike(seconds: Double, rate: Int = 16_000) -> [Int16] {
        (0..<Int(seconds * Double(rate))).map { index in
            let time = Double(index) / Double(rate)
            return Int16(9_000 * (0.6 + 0.4 * sin(2 * .pi * 4 * time)) * sin(2 * .pi * 220 * time))
        }
    }

    @Test("Ten seconds at 16 kHz become a valid Ogg Opus stream that opusinfo accepts and opusdec decodes to ten seconds")
    func oggOpusStream() async throws {
        let recorder = try OggOpusRecorder(sink: CollectingSink())
        let audio = Self.speechLike(seconds: 10)
        for start in stride(from: 0, to: audio.count, by: 320) {
            try recorder.write(Array(audio[start..<min(start + 320, audio.count)]))
        }
        try recorder.finish()
        let sink = recorder.sink
        #expect(sink.bytes.starts(with: Array("OggS".utf8)))
        #expect(sink.writes > 10, "pages leave as they complete, not all at the end")
        #expect(sink.bytes.count > 10_000 && sink.bytes.count < 60_000, "\(sink.bytes.count) bytes for 10 s at 24 kb/s")

        let directory = try TemporaryDirectory(prefix: "hushbox-opus")
        let file = directory.child("message.opus")
        try Data(sink.bytes).write(to: URL(fileURLWithPath: file))
        let info = try await ChildProcess.run("/usr/bin/opusinfo", [file])
        #expect(info.status == 0, "\(info.output) \(info.errors)")
        #expect(info.output.contains("Playback length: 0m:10."), "\(info.output)")
        let wav = directory.child("message.wav")
        let decoded = try await ChildProcess.run("/usr/bin/opusdec", ["--quiet", "--rate", "16000", file, wav])
        #expect(decoded.status == 0, "\(decoded.errors)")
        let size = (try FileManager.default.attributesOfItem(atPath: wav)[.size] as? Int) ?? 0
        // 10 s of 16-bit mono at 16 kHz plus a WAV header.
        #expect(abs(size - 320_044) < 3_200, "decoded \(size) bytes")
    }

    @Test("A G.711 call's 8 kHz audio, written in odd-sized pieces, is stored trimmed to its exact length")
    func narrowbandOddChunks() async throws {
        let recorder = try OggOpusRecorder(sink: CollectingSink(), inputSampleRate: 8_000)
        let audio = Self.speechLike(seconds: 3, rate: 8_000) + Self.speechLike(seconds: 0.01, rate: 8_000)
        for start in stride(from: 0, to: audio.count, by: 117) {
            try recorder.write(Array(audio[start..<min(start + 117, audio.count)]))
        }
        try recorder.finish()
        #expect(abs(recorder.duration - 3.01) < 0.0001)
        let directory = try TemporaryDirectory(prefix: "hushbox-opus")
        let file = directory.child("narrowband.opus")
        try Data(recorder.sink.bytes).write(to: URL(fileURLWithPath: file))
        let info = try await ChildProcess.run("/usr/bin/opusinfo", [file])
        #expect(info.status == 0, "\(info.output) \(info.errors)")
        #expect(info.output.contains("Original sample rate: 8000 Hz"), "\(info.output)")
        // opusinfo truncates to the millisecond, so 3.010 s may print as 3.009.
        #expect(info.output.contains("Playback length: 0m:03.010s") || info.output.contains("Playback length: 0m:03.009s"), "\(info.output)")
        #expect(!info.output.lowercased().contains("warning"), "\(info.output)")
    }

    @Test("Silence detection: speech counted, silence since the last word measured, hiss ignored")
    func silence() {
        var detector = SilenceDetector(sampleRate: 16_000)
        let speech = Self.speechLike(seconds: 1.5)
        for start in stride(from: 0, to: speech.count, by: 320) { detector.process(Array(speech[start..<start + 320])) }
        #expect(detector.speech == .milliseconds(1_500))
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<100 {
            let hiss = (0..<320).map { _ in Int16(truncatingIfNeeded: Int(generator.next() % 60) - 30) }
            let isSpeech = detector.process(hiss)
            #expect(!isSpeech)
        }
        #expect(detector.trailingSilence == .seconds(2))
        #expect(detector.speech == .milliseconds(1_500))
        #expect(SilenceDetector.level([Int16](repeating: 0, count: 160)) == -.infinity)
    }
}

extension RecorderTests {
    @Test("Opus pass-through: the caller's packets stored as they are, a lost stretch filled so timing holds; opusinfo and opusdec agree on 5 s")
    func passThrough() async throws {
        let encoder = try OpusVoiceEncoder(sampleRate: 48_000)
        let audio = Self.speechLike(seconds: 5, rate: 48_000)
        let writer = try OggOpusWriter(sink: CollectingSink(), serial: 0x4855_5348)
        var timestamp: UInt32 = 0xFFFF_0000  // the RTP clock wraps during the message
        for (index, start) in stride(from: 0, to: audio.count, by: 960).enumerated() {
            let packet = try encoder.encode(Array(audio[start..<start + 960]))
            // Packets 100–109 (200 ms) never arrive.
            if !(100..<110).contains(index) {
                try writer.append(packet, rtpTimestamp: timestamp)
            }
            timestamp &+= 960
        }
        try writer.finish()
        #expect(writer.packetsWritten == 240)
        #expect(writer.gapPacketsInserted == 10)
        #expect(abs(writer.duration - (5 - 0.0065)) < 0.001, "5 s of packets less the encoder's 6.5 ms lookahead")

        let directory = try TemporaryDirectory(prefix: "hushbox-opus")
        let file = directory.child("passthrough.opus")
        try Data(writer.sink.bytes).write(to: URL(fileURLWithPath: file))
        let info = try await ChildProcess.run("/usr/bin/opusinfo", [file])
        #expect(info.status == 0, "\(info.output) \(info.errors)")
        // 5 s of packets less the 6.5 ms pre-skip.
        #expect(info.output.contains("Playback length: 0m:04.99"), "\(info.output)")
        #expect(!info.output.lowercased().contains("warning"), "\(info.output)")
        let wav = directory.child("passthrough.wav")
        let decoded = try await ChildProcess.run("/usr/bin/opusdec", ["--quiet", "--rate", "48000", file, wav])
        #expect(decoded.status == 0, "\(decoded.errors)")
        let size = (try FileManager.default.attributesOfItem(atPath: wav)[.size] as? Int) ?? 0
        #expect(abs(size - (480_000 + 44)) < 4_800, "decoded \(size) bytes for 5 s at 48 kHz")
    }
}
