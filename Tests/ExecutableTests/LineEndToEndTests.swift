import Foundation
import HushboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// hushboxd answering a telephone line (a line-level source on VOX) through
/// the real libasound2, with ALSA's file plugin in place of the sound card,
/// and the customer finding the message with the `hushbox` command.
@Suite("Line end to end", .serialized)
struct LineEndToEndTests {
    static func lineSection(_ line: FileLine, mailbox: String) -> String {
        """
        line:
          enabled: true
          mailbox: "\(mailbox)"
          control: vox
          country: gb
          capture_device: \(line.captureDevice)
          playback_device: \(line.playbackDevice)
          alsa_config: \(line.configurationFile)

        """
    }

    @Test("a VOX line's caller leaves a message: stored, listed as withheld, exported as spoken, counted with source=\"line\", deleted; selftest --line measures the loop-back")
    func voxCall() async throws {
        var box = try await VoicemailBox(mailbox: ["--consent", "off"])
        try await box.stop()
        let speech = try await LineSignals.speech(SpokenAudio.sentence, in: box.directory)
        let wake = try await LineSignals.speech("Hello, is anybody there?", in: box.directory)
        // Someone speaks up; the box answers 0.3 s in and plays its prompts; after the beep the message; then quiet.
        var audio = LineSignals.silence(seconds: 1) + wake
        audio += LineSignals.silence(seconds: try SpokenAudio.secondsBeforeRecording() + 1)
        audio += speech + LineSignals.silence(seconds: 8)
        let line = try FileLine(caller: audio, in: box.directory)

        // A line whose mailbox does not exist stops the daemon before it listens.
        try (VoicemailBox.loopbackPhone + Self.lineSection(line, mailbox: "999")).write(toFile: box.file, atomically: true, encoding: .utf8)
        let refused = try ChildProcess(
            try BuiltProducts.path(of: "hushboxd"), ["--dev", "--config", box.file], directory: box.directory.path,
            environment: HushboxdLifecycleTests.environment(["HUSHBOX_OPS_PORT": "0"])
        )
        let status = try await refused.waitForExit(within: .seconds(30))
        #expect(status == 78)
        #expect(refused.standardError.all.contains { $0.contains("line.mailbox names no mailbox") }, "\(refused.standardError.all)")

        try (VoicemailBox.loopbackPhone + Self.lineSection(line, mailbox: "100")).write(toFile: box.file, atomically: true, encoding: .utf8)
        try await box.restart()
        let ended = try await box.callEnded(within: .seconds(60))
        #expect(ended.contains("outcome=recorded"), "\(ended)")
        let messages = try await box.messages()
        try #require(messages.count == 1, "\(messages)")
        #expect(messages[0].joined(separator: " ").contains("withheld"), "a line-level source sends no caller ID: \(messages[0])")
        let id = messages[0][0].trimmingCharacters(in: .whitespaces)
        let exported = try await box.export(id)
        let correlation = SpeechEnvelope.correlation(sent: speech, sentRate: 8000, stored: exported, storedRate: 16000)
        #expect(correlation >= 0.8, "envelope correlation \(correlation)")

        let scraped = try LoopbackHTTP.get(port: try #require(box.ports["ops"]), path: "/metrics").body
        #expect(scraped.contains(#"hushbox_calls_ended_total{source="line",outcome="recorded"} 1"#), "\(scraped.split(separator: "\n").filter { $0.contains("calls_") })")
        #expect(scraped.contains(#"hushbox_line_calls_answered_total 1"#))

        #expect(try await box.hushbox(["voicemail", "delete", id]).status == 0)
        #expect(try await box.messages().isEmpty)
        try await box.stop()

        // The technician's check through a loop-back plug: here the "plug" is a recording of the tone coming back 60 ms late.
        let plugDirectory = try TemporaryDirectory()
        let back = LineSignals.silence(seconds: 0.56) + LineSignals.tone([1000], cycle: [], seconds: 1, level: -20) + LineSignals.silence(seconds: 0.6)
        let plug = try FileLine(caller: LineSignals.withNoise(back, snrDB: 45, seed: 9), in: plugDirectory)
        try (VoicemailBox.loopbackPhone + Self.lineSection(plug, mailbox: "100")).write(toFile: box.file, atomically: true, encoding: .utf8)
        let selftest = try await box.hushbox(["selftest", "--line"])
        let lines = selftest.output.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("PASS  line sound card: capture 8000 Hz") }, "\(selftest.output)")
        #expect(lines.contains { $0.hasPrefix("PASS  line loop-back: level ") && $0.contains("round trip 60 ms") }, "\(selftest.output)")
    }
}
