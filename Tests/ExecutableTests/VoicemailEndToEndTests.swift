import Foundation
import HushboxTestSupport
import Media
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The first thing a customer tries: a real SIP client (baresip, over TLS with
/// mandatory SRTP) calls the running hushboxd and speaks a known sentence
/// (espeak-ng); the message the owner exports must be that sentence.
@Suite("Voicemail end to end with baresip", .serialized)
struct VoicemailEndToEndTests {
    static let configuration = "sip:\n  peers:\n    phone:\n      kind: device\n      sources: [127.0.0.1]\n"
    static let sentence = "Hello. This is a message for the Hushbox voicemail. Please call me back tomorrow morning, after nine. Thank you."

    /// A daemon on the development configuration in a fresh directory, with one mailbox.
    struct Box {
        let directory: TemporaryDirectory
        let file: String
        var daemon: ChildProcess
        var tlsPort: Int
        var mailboxID = ""

        init() async throws {
            directory = try TemporaryDirectory(prefix: "hushbox-e2e")
            file = try directory.write(VoicemailEndToEndTests.configuration, to: "hushbox.yaml")
            (daemon, tlsPort) = try await Self.start(directory: directory, file: file)
            #expect(try await hushbox(["tenant", "create", "Demo"]).status == 0)
            let created = try await hushbox(["mailbox", "create", "--sip-user", "100", "--language", "en"])
            #expect(created.status == 0, "\(created.errors)")
            mailboxID = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        static func start(directory: TemporaryDirectory, file: String) async throws -> (ChildProcess, Int) {
            let notify = directory.child("notify-\(UInt32.random(in: 0...UInt32.max)).sock")
            let systemd = try NotifySocketListener(path: notify)
            defer { systemd.stop() }
            let daemon = try ChildProcess(
                try BuiltProducts.path(of: "hushboxd"), ["--dev", "--config", file], directory: directory.path,
                environment: HushboxdLifecycleTests.environment(["NOTIFY_SOCKET": notify, "HUSHBOX_OPS_PORT": "0"])
            )
            let ready = try await systemd.messages.waitFor("READY=1", within: .seconds(60)) { $0.hasPrefix("READY=1") }
            let port = try #require(ready.firstRange(of: /tls 127\.0\.0\.1:(\d+)/).flatMap { Int(ready[$0].split(separator: ":").last ?? "") })
            return (daemon, port)
        }

        mutating func restart() async throws {
            (daemon, tlsPort) = try await Self.start(directory: directory, file: file)
        }

        @discardableResult
        func hushbox(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
            try await ChildProcess.run(
                try BuiltProducts.path(of: "hushbox"), arguments + ["--dev", "--config", file], directory: directory.path,
                environment: HushboxdLifecycleTests.environment()
            )
        }

        /// The mailbox's messages as `voicemail list` prints them.
        func messages() async throws -> [[String]] {
            let listed = try await hushbox(["voicemail", "list", "--mailbox", mailboxID])
            #expect(listed.status == 0, "\(listed.errors)")
            return listed.output.split(separator: "\n").map { $0.components(separatedBy: "  ") }
        }

        /// The message decrypted, as 16 kHz samples.
        func export(_ id: String) async throws -> [Int16] {
            let out = directory.child("\(id).wav")
            let exported = try await hushbox(["voicemail", "export", id, "--out", out])
            #expect(exported.status == 0, "\(exported.errors)")
            return VoicemailEndToEndTests.samples(ofWAV: try Data(contentsOf: URL(fileURLWithPath: out)))
        }
    }

    /// Seconds the caller hears before the beep ends: English disclaimer, greeting and beep.
    static func secondsBeforeRecording() throws -> Double {
        try ["en/disclaimer", "en/greeting", "beep"].reduce(0.0) { total, name in
            let bytes = try Data(contentsOf: URL(fileURLWithPath: HushboxdLifecycleTests.renderedPrompts + "/\(name).opus"))
            let stream = try OggOpusReader.read(Array(bytes))
            return total + Double(stream.playbackSamples ?? 0) / 48_000
        }
    }

    /// The sentence spoken by espeak-ng: a 16 kHz copy to compare with, and the
    /// file baresip plays (48 kHz, silent until the beep, then the speech, then
    /// `tail` seconds of silence before baresip hangs up at its end).
    static func spokenSentence(in directory: TemporaryDirectory, text: String = sentence, tail: Double) async throws -> (reference: [Int16], callFile: String) {
        let tools = HushboxdLifecycleTests.environment()
        let spoken = directory.child("spoken.wav")
        #expect(try await ChildProcess.run("/usr/bin/espeak-ng", ["-v", "en", "-s", "150", "-w", spoken, text], environment: tools).status == 0)
        let reference = directory.child("reference.wav")
        #expect(try await ChildProcess.run("/usr/bin/sox", ["-R", "-D", spoken, "-r", "16000", "-c", "1", "-b", "16", reference], environment: tools).status == 0)
        let lead = String(format: "%.2f", try secondsBeforeRecording() + 0.7)
        let callFile = directory.child("call.wav")
        let padded = try await ChildProcess.run(
            "/usr/bin/sox", ["-R", "-D", spoken, "-r", "48000", "-c", "1", "-b", "16", callFile, "pad", lead, String(tail)], environment: tools
        )
        #expect(padded.status == 0, "\(padded.errors)")
        return (samples(ofWAV: try Data(contentsOf: URL(fileURLWithPath: reference))), callFile)
    }

    /// baresip calling mailbox 100 over TLS with mandatory SRTP, offering only `codec`.
    static func call(_ box: Box, codec: String, playing file: String, caller: String = "+447700900123") throws -> ChildProcess {
        let home = box.directory.child("baresip-\(codec.prefix(4))")
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try BaresipHome.write(
            in: home, sipPort: try PortHolder().port, audioSource: "aufile,\(file)",
            account: "<sip:\(caller)@127.0.0.1>;regint=0;answermode=auto;audio_codecs=\(codec);mediaenc=srtp-mand"
        )
        return try ChildProcess(
            BaresipHome.executable, ["-f", home, "-t", "120", "-e", "/dial sip:100@127.0.0.1:\(box.tlsPort);transport=tls"],
            directory: home, environment: HushboxdLifecycleTests.environment()
        )
    }

    static func samples(ofWAV data: Data) -> [Int16] {
        // Both sox's and Hushbox's WAV files here are 16-bit mono with a 44-byte header.
        let bytes = [UInt8](data.dropFirst(44))
        return stride(from: 0, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
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
        var best = -1.0
        for lag in -150...150 {
            var pairs: [(Double, Double)] = []
            for index in sent.indices where stored.indices.contains(index + lag) { pairs.append((sent[index], stored[index + lag])) }
            guard pairs.count > sent.count * 3 / 4 else { continue }
            let meanA = pairs.map(\.0).reduce(0, +) / Double(pairs.count)
            let meanB = pairs.map(\.1).reduce(0, +) / Double(pairs.count)
            let covariance = pairs.map { ($0.0 - meanA) * ($0.1 - meanB) }.reduce(0, +)
            let spreadA = pairs.map { ($0.0 - meanA) * ($0.0 - meanA) }.reduce(0, +).squareRoot()
            let spreadB = pairs.map { ($0.1 - meanB) * ($0.1 - meanB) }.reduce(0, +).squareRoot()
            if spreadA > 0, spreadB > 0 { best = max(best, covariance / (spreadA * spreadB)) }
        }
        return best
    }

    @Test("A caller's spoken message arrives encrypted and exports as what was said (Opus passed through, PCMU transcoded)",
          arguments: ["opus/48000/2", "pcmu"])
    func messageArrivesIntact(codec: String) async throws {
        let box = try await Box()
        let (reference, callFile) = try await Self.spokenSentence(in: box.directory, tail: 1.5)
        let caller = try Self.call(box, codec: codec, playing: callFile)
        let ended = try await box.daemon.standardError.waitFor("the call to end", within: .seconds(90)) { $0.contains("voicemail call ended") }
        #expect(ended.contains("outcome=recorded"), "\(ended)")
        _ = try? await caller.waitForExit(within: .seconds(10))
        #expect(box.daemon.standardError.all.allSatisfy { !$0.contains("7700900123") }, "the caller's number is never logged")

        let messages = try await box.messages()
        try #require(messages.count == 1, "\(messages)")
        #expect(messages[0][3] == "+44••••••••23", "listed masked")
        #expect(messages[0][4] == "complete")
        let stored = try await box.export(messages[0][0])
        let sent = Self.envelope(reference)
        let kept = Self.envelope(stored)
        let spans = (sent: Self.speechSpan(sent), stored: Self.speechSpan(kept))
        #expect(abs(spans.sent - spans.stored) <= 0.5, "speech lasts \(spans.sent) s sent, \(spans.stored) s stored")
        let correlation = Self.alignedCorrelation(sent, kept)
        #expect(correlation >= 0.8, "loudness envelopes correlate \(correlation)")
    }

    @Test("Killing hushboxd mid-message and starting it again recovers the message up to its last whole chunk")
    func killedMidMessage() async throws {
        var box = try await Box()
        let long = Array(repeating: Self.sentence, count: 2).joined(separator: " ")
        let (_, callFile) = try await Self.spokenSentence(in: box.directory, text: long, tail: 1)
        let caller = try Self.call(box, codec: "opus/48000/2", playing: callFile)
        try await Task.sleep(for: .seconds(try Self.secondsBeforeRecording() + 7))
        box.daemon.send(SIGKILL)
        #expect(try await box.daemon.waitForExit() == 128 + SIGKILL)
        caller.send(SIGTERM)
        _ = try? await caller.waitForExit(within: .seconds(10))

        try await box.restart()
        let messages = try await box.messages()
        try #require(messages.count == 1, "\(messages)")
        #expect(messages[0][4] == "cut-off")
        let seconds = Double(messages[0][2].dropLast()) ?? 0
        #expect(seconds >= 3 && seconds <= 7.5, "\(seconds) s of the about 7 s recorded before the kill survive")
        let stored = try await box.export(messages[0][0])
        #expect(SilenceDetector.level(stored) > -40, "the recovered audio holds the speech")
        box.daemon.send(SIGTERM)
        _ = try await box.daemon.waitForExit()
    }
}
