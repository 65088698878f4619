import Foundation
import HushboxTestSupport
import Testing

extension CallingTests {
    /// The web console as a customer meets it: headless Chromium (Debian's
    /// chromium and chromium-driver, driven by Selenium) against hushboxd on
    /// the development configuration, with messages left by real baresip calls.
    /// Screenshots of every page, at desktop and phone widths, are kept under
    /// .build/console-browser/screenshots.
    @Suite("Web console in Chromium")
    struct ConsoleBrowserTests {
        static let repository = AdminEndToEndTests.repository
        static let python = repository.appendingPathComponent(".build/test-tools/browser/bin/python").path
        static let walkthrough = repository.appendingPathComponent("Tests/Browser/console_walkthrough.py").path
        static let artifacts = repository.appendingPathComponent(".build/console-browser").path
        static var installed: Bool {
            [python, "/usr/bin/chromium", "/usr/bin/chromedriver"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
        }

        /// One phase of the walk-through; what the browser saw, from the script's last line.
        static func walk(_ phase: String, _ arguments: [String], base: String, password: String, box: VoicemailBox) async throws -> [String: Any] {
            let run = try await ChildProcess.run(
                python, [walkthrough, phase, base, "owner@praxis.example", password, artifacts] + arguments,
                directory: box.directory.path, environment: HushboxdLifecycleTests.environment(["HOME": box.directory.path]), within: .seconds(300)
            )
            print("console in Chromium, \(phase): \(run.output.split(separator: "\n").last ?? "")")
            #expect(run.status == 0, "\(run.errors.suffix(3000))")
            let last = run.output.split(separator: "\n").last.map(String.init) ?? "{}"
            return try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any] ?? [:]
        }

        @Test("sign in; a message left by a baresip call is listed, plays to the end and downloads identical to `hushbox voicemail export`; a WAV greeting uploaded is what the next caller hears; a cross-site form is refused; an erasure removes the caller's messages and shows in the audit log; after sign-out the old session opens nothing",
              .enabled(if: installed, "Chromium, chromedriver or Selenium is missing: `make test` installs them (chromium, chromium-driver, make test-tools)"))
        func customerInChromium() async throws {
            try? FileManager.default.removeItem(atPath: Self.artifacts)
            let directory = try TemporaryDirectory(prefix: "hushbox-console")
            let prompts = try await HostileSIPTests.shortPrompts(in: directory)
            let box = try await VoicemailBox(in: directory, environment: ["HUSHBOX_STORAGE_PROMPTS_DIRECTORY": prompts.path])
            let base = "https://127.0.0.1:\(try #require(box.ports["admin"], "the start-up status names the admin console"))"
            let password = try box.directory.write("correct horse battery staple\n", to: "password")
            #expect(try await box.hushbox(["user", "add", "--email", "owner@praxis.example", "--role", "owner", "--password-file", password]).status == 0)

            // A caller leaves a message.
            let (_, spoken) = try await SpokenAudio.render(in: box.directory, lead: prompts.secondsBeforeRecording + 0.7, tail: 1.5)
            let first = try box.call(codec: "opus/48000/2", playing: "aufile,\(spoken)")
            _ = try await box.callEnded()
            await VoicemailBox.stop(first)
            let listed = try await box.messages()
            try #require(listed.count == 1, "\(listed)")
            let messageID = listed[0][0]

            // Three seconds of 1 kHz as the customer's WAV: nothing in the prompts sounds like it.
            let tools = HushboxdLifecycleTests.environment()
            let greeting = box.directory.child("greeting.wav")
            #expect(try await ChildProcess.run("/usr/bin/sox", ["-R", "-D", "-n", "-r", "44100", "-c", "2", "-b", "16", greeting, "synth", "3", "sine", "1000", "vol", "0.5"], environment: tools).status == 0)

            let listened = try await Self.walk("listen", [messageID, greeting], base: base, password: password, box: box)
            let downloaded = try #require(listened["download"] as? String)
            let exported = box.directory.child("exported.opus")
            #expect(try await box.hushbox(["voicemail", "export", messageID, "--out", exported]).status == 0)
            #expect(FileManager.default.contentsEqual(atPath: downloaded, andPath: exported), "the browser's download is the message as stored")
            #expect((listened["source"] as? String)?.contains("format=opus") == true, "Chromium plays the Ogg Opus stream")
            for (page, width) in listened["phone_overflow"] as? [String: Int] ?? [:] {
                #expect(width <= 390, "the \(page) page fits a phone's width (\(width) px)")
            }

            // The next caller hears the uploaded greeting after the disclaimer.
            let heard = box.directory.child("heard")
            try FileManager.default.createDirectory(atPath: heard, withIntermediateDirectories: true)
            let silence = box.directory.child("silence.wav")
            #expect(try await ChildProcess.run("/usr/bin/sox", ["-n", "-r", "48000", "-c", "1", "-b", "16", silence, "trim", "0", "6"], environment: tools).status == 0)
            let second = try box.call(codec: "pcmu", playing: "aufile,\(silence)", caller: "+447700900999", recordingDirectory: heard)
            _ = try await box.callEnded()
            await VoicemailBox.stop(second)
            let decoded = try #require(try FileManager.default.contentsOfDirectory(atPath: heard).first { $0.hasSuffix("dec.wav") })
            try? FileManager.default.copyItem(atPath: heard + "/" + decoded, toPath: Self.artifacts + "/next-caller-heard.wav")
            let (samples, rate) = try SpokenAudio.samplesAndRate(ofWAV: Data(contentsOf: URL(fileURLWithPath: heard + "/" + decoded)))
            let tone = SpokenAudio.framesDominatedBy(hertz: 1000, in: samples, sampleRate: rate)
            #expect(tone.count >= 100, "the caller heard \(tone.count) × 20 ms of the 1 kHz greeting uploaded in the browser (3 s); \(box.daemon.standardError.all.filter { $0.contains("greeting") || $0.contains("error") }.suffix(10))")

            // The first caller asks to be forgotten.
            let erased = try await Self.walk("erase", ["+447700900123"], base: base, password: password, box: box)
            #expect((erased["erasure"] as? String)?.contains("Messages hidden now\n1") == true, "\(erased["erasure"] ?? "")")
            let remaining = try await box.messages()
            #expect(!remaining.contains { $0[0] == messageID }, "the erased caller's message is gone: \(remaining)")
            #expect(erased["messages_after"] as? Int == remaining.count, "the console lists what the box holds")
            #expect(box.daemon.isRunning)
            try await box.stop()
        }
    }
}
