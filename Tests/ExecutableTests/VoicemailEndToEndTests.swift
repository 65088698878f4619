import Foundation
import HushboxTestSupport
import Media
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension CallingTests {
    /// The first thing a customer tries: a real SIP client (baresip, over TLS with
    /// mandatory SRTP) calls the running hushboxd and speaks a known sentence
    /// (espeak-ng); the message the owner exports must be that sentence.
    @Suite("Voicemail end to end with baresip", .serialized)
    struct VoicemailEndToEndTests {
        @Test("A caller's spoken message arrives encrypted and exports as what was said (Opus passed through, PCMU transcoded)",
              arguments: ["opus/48000/2", "pcmu"])
        func messageArrivesIntact(codec: String) async throws {
            let box = try await VoicemailBox()
            let (reference, callFile) = try await SpokenAudio.render(in: box.directory, lead: try SpokenAudio.secondsBeforeRecording() + 0.7, tail: 1.5)
            let caller = try box.call(codec: codec, playing: "aufile,\(callFile)")
            let ended = try await box.callEnded()
            #expect(ended.contains("outcome=recorded"), "\(ended)")
            await VoicemailBox.stop(caller)
            #expect(box.daemon.standardError.all.allSatisfy { !$0.contains("7700900123") }, "the caller's number is never logged")

            let messages = try await box.messages()
            try #require(messages.count == 1, "\(messages)")
            #expect(messages[0][3] == "+44••••••••23", "listed masked")
            #expect(messages[0][4] == "complete")
            #expect(messages[0][6] == "no consent needed (en)")
            let stored = try await box.export(messages[0][0])
            let sent = SpokenAudio.envelope(reference)
            let kept = SpokenAudio.envelope(stored)
            let spans = (sent: SpokenAudio.speechSpan(sent), stored: SpokenAudio.speechSpan(kept))
            #expect(abs(spans.sent - spans.stored) <= 0.5, "speech lasts \(spans.sent) s sent, \(spans.stored) s stored")
            let correlation = SpokenAudio.alignedCorrelation(sent, kept)
            #expect(correlation >= 0.8, "loudness envelopes correlate \(correlation)")
            try await box.stop()
        }

        @Test("Killing hushboxd mid-message and starting it again recovers the message up to its last whole chunk")
        func killedMidMessage() async throws {
            var box = try await VoicemailBox()
            let long = Array(repeating: SpokenAudio.sentence, count: 2).joined(separator: " ")
            let (_, callFile) = try await SpokenAudio.render(long, in: box.directory, lead: try SpokenAudio.secondsBeforeRecording() + 0.7, tail: 1)
            let caller = try box.call(codec: "opus/48000/2", playing: "aufile,\(callFile)")
            try await Task.sleep(for: .seconds(try SpokenAudio.secondsBeforeRecording() + 7))
            box.daemon.send(SIGKILL)
            #expect(try await box.daemon.waitForExit() == 128 + SIGKILL)
            await VoicemailBox.stop(caller)

            try await box.restart()
            let messages = try await box.messages()
            try #require(messages.count == 1, "\(messages)")
            #expect(messages[0][4] == "cut-off")
            let seconds = Double(messages[0][2].dropLast()) ?? 0
            #expect(seconds >= 3 && seconds <= 7.5, "\(seconds) s of the about 7 s recorded before the kill survive")
            let stored = try await box.export(messages[0][0])
            #expect(SilenceDetector.level(stored) > -40, "the recovered audio holds the speech")
            try await box.stop()
        }

        @Test("SIGTERM during a message: a new call gets 503 with Retry-After, the caller finishes and keeps the whole message, then hushboxd exits cleanly")
        func gracefulShutdownMidMessage() async throws {
            let directory = try TemporaryDirectory(prefix: "hushbox-e2e")
            let prompts = try await HostileSIPTests.shortPrompts(in: directory)
            let configuration = VoicemailBox.loopbackPhone
                + "    pbx:\n      kind: trunk\n      sources: [127.0.0.2]\n      plaintext: true\nshutdown:\n  grace_period_seconds: 60\n"
            var box = try await VoicemailBox(configuration: configuration, in: directory, environment: ["HUSHBOX_STORAGE_PROMPTS_DIRECTORY": prompts.path])
            let udpPort = try #require(box.ports["udp"])
            let (reference, callFile) = try await SpokenAudio.render(in: box.directory, lead: prompts.secondsBeforeRecording + 0.7, tail: 1.5)
            let caller = try box.call(codec: "opus/48000/2", playing: "aufile,\(callFile)")
            // Two seconds into the sentence.
            try await Task.sleep(for: .seconds(prompts.secondsBeforeRecording + 2.7))
            box.daemon.send(SIGTERM)

            // A trunk's new call while the box drains.
            try await box.daemon.standardError.waitFor("the drain", within: .seconds(10)) { $0.contains("new calls are refused") }
            let sippHome = try TemporaryDirectory(prefix: "hushbox-sipp")
            let refused = try await ChildProcess.run(
                "/usr/bin/sipp",
                ["-sn", "uac", "-s", "100", "-m", "1", "-t", "u1", "-i", "127.0.0.2", "-p", "0",
                 "-timeout", "10s", "-timeout_error", "-nostdin", "-trace_err", "127.0.0.1:\(udpPort)"],
                directory: sippHome.path, environment: ["HOME": sippHome.path], within: .seconds(20)
            )
            #expect(refused.status != 0, "SIPp's call must fail")
            let errors = try FileManager.default.contentsOfDirectory(atPath: sippHome.path).filter { $0.hasSuffix("_errors.log") }
            let trace = try errors.map { try String(contentsOfFile: sippHome.child($0), encoding: .utf8) }.joined()
            #expect(trace.contains("SIP/2.0 503"), "refused with 503: \(trace.suffix(400))")
            #expect(trace.contains("Retry-After: 60"), "with Retry-After: \(trace.suffix(400))")

            let ended = try await box.callEnded(within: .seconds(40))
            #expect(ended.contains("outcome=recorded"), "\(ended)")
            #expect(try await box.daemon.waitForExit(within: .seconds(20)) == 0, "hushboxd exits by itself once the call is stored")
            await VoicemailBox.stop(caller)

            try await box.restart()
            let messages = try await box.messages()
            try #require(messages.count == 1, "\(messages)")
            #expect(messages[0][4] == "complete", "the whole message, not one cut by the stop")
            let stored = try await box.export(messages[0][0])
            let spans = (sent: SpokenAudio.speechSpan(SpokenAudio.envelope(reference)), stored: SpokenAudio.speechSpan(SpokenAudio.envelope(stored)))
            #expect(abs(spans.sent - spans.stored) <= 0.5, "speech lasts \(spans.sent) s sent, \(spans.stored) s stored")
            try await box.stop()
        }

        @Test("SIGTERM with a caller still speaking as the grace period ends: the box hangs up with a BYE, keeps what was said so far, and exits cleanly")
        func gracePeriodEndsMidMessage() async throws {
            let directory = try TemporaryDirectory(prefix: "hushbox-e2e")
            let prompts = try await HostileSIPTests.shortPrompts(in: directory)
            // A 4 s grace period: the box hangs up 2 s after SIGTERM (half of it, at most 3 s, is left to store the calls).
            let configuration = VoicemailBox.loopbackPhone + "shutdown:\n  grace_period_seconds: 4\n"
            var box = try await VoicemailBox(configuration: configuration, in: directory, environment: ["HUSHBOX_STORAGE_PROMPTS_DIRECTORY": prompts.path])
            // Three sentences: the caller would go on speaking for about 12 s more.
            let long = Array(repeating: SpokenAudio.sentence, count: 3).joined(separator: " ")
            let (_, callFile) = try await SpokenAudio.render(long, in: box.directory, lead: prompts.secondsBeforeRecording + 0.7, tail: 1)
            let caller = try box.call(codec: "opus/48000/2", playing: "aufile,\(callFile)")
            try await Task.sleep(for: .seconds(prompts.secondsBeforeRecording + 2.7))
            let terminated = ContinuousClock.now
            box.daemon.send(SIGTERM)

            try await box.daemon.standardError.waitFor("the hang-up", within: .seconds(10)) { $0.contains("grace period is ending") }
            // baresip reports the call's end as the box's BYE arrives, long before its own audio runs out.
            try await caller.standardOutput.waitFor("baresip to see the call end", within: .seconds(10)) { $0.contains("terminated") }
            let callerHungUpAfter = ContinuousClock.now - terminated
            #expect(callerHungUpAfter < .seconds(6), "the caller's line was closed \(callerHungUpAfter) after SIGTERM")
            let ended = try await box.callEnded(within: .seconds(10))
            #expect(ended.contains("outcome=recorded"), "\(ended)")
            #expect(try await box.daemon.waitForExit(within: .seconds(10)) == 0, "hushboxd exits cleanly within its grace period")
            await VoicemailBox.stop(caller)

            try await box.restart()
            let messages = try await box.messages()
            try #require(messages.count == 1, "\(messages)")
            #expect(messages[0][4] == "complete", "stored as the box hung up, not recovered from a cut")
            let seconds = Double(messages[0][2].dropLast()) ?? 0
            #expect(seconds >= 3 && seconds <= 6.5, "\(seconds) s kept: what was said from the beep until the hang-up, about 4.5 s")
            try await box.stop()
        }

        @Test("A full mailbox plays 'mailbox full' and records nothing")
        func fullMailbox() async throws {
            let box = try await VoicemailBox(mailbox: ["--max-messages", "1"])
            let (_, firstFile) = try await SpokenAudio.render("Please call me back.", in: box.directory, lead: try SpokenAudio.secondsBeforeRecording() + 0.7, tail: 1)
            let first = try box.call(codec: "pcmu", playing: "aufile,\(firstFile)")
            #expect(try await box.callEnded().contains("outcome=recorded"))
            await VoicemailBox.stop(first)
            #expect(try await box.messages().count == 1)

            // The second caller speaks from the start; the box must keep none of it.
            let (_, second) = try await SpokenAudio.render(SpokenAudio.sentence, in: box.directory, lead: 0.5, tail: 1)
            let caller = try box.call(codec: "opus/48000/2", playing: "aufile,\(second)")
            try await box.daemon.standardError.waitForCount(2, "calls to end", within: .seconds(60)) { $0.contains("voicemail call ended") }
            let ended = box.daemon.standardError.all.filter { $0.contains("voicemail call ended") }
            #expect(ended.last?.contains("outcome=mailbox_full") == true, "\(ended)")
            await VoicemailBox.stop(caller)
            #expect(try await box.messages().count == 1)
            let listed = try await box.hushbox(["mailbox", "list"])
            #expect(listed.output.contains("messages=1/1"), "\(listed.output)")
            try await box.stop()
        }

        @Test("With the local store at its quota, a caller hears 'mailbox full', the operator is told, and the messages already kept stay")
        func localStoreFull() async throws {
            var box = try await VoicemailBox()
            let (_, firstFile) = try await SpokenAudio.render("Please call me back.", in: box.directory, lead: try SpokenAudio.secondsBeforeRecording() + 0.7, tail: 1)
            let first = try box.call(codec: "pcmu", playing: "aufile,\(firstFile)")
            #expect(try await box.callEnded().contains("outcome=recorded"))
            await VoicemailBox.stop(first)

            // A technician sets a quota the box already exceeds.
            try await box.stop()
            _ = try box.directory.write(VoicemailBox.loopbackPhone + "storage:\n  quota: 1KiB\n", to: "hushbox.yaml")
            try await box.restart()
            // The organisation was made after the first start: its first purge is owed now.
            try await box.daemon.standardError.waitForCount(1, "the retention purge owed at start", within: .seconds(30)) {
                $0.contains("retention purge completed")
            }
            let (_, secondFile) = try await SpokenAudio.render(SpokenAudio.sentence, in: box.directory, lead: 0.5, tail: 1)
            let caller = try box.call(codec: "opus/48000/2", playing: "aufile,\(secondFile)")
            #expect(try await box.callEnded().contains("outcome=mailbox_full"))
            await VoicemailBox.stop(caller)
            #expect(box.daemon.standardError.all.contains { $0.contains("a caller was refused: the local store is full") && $0.contains("storage.quota") })
            #expect(try await box.messages().count == 1, "the message kept before is still there")
            let metrics = try LoopbackHTTP.get(port: try #require(box.ports["ops"]), path: "/metrics").body
            #expect(metrics.contains("hushbox_store_full 1"), "\(metrics)")
            #expect(metrics.contains("hushbox_store_refused_recordings_total 1"))
            let lastPurge = metrics.split(separator: "\n").first { $0.hasPrefix("hushbox_purge_last_completed_timestamp_seconds ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") }
            #expect((lastPurge ?? 0) > Date().timeIntervalSince1970 - 3600, "the purge at start: \(lastPurge ?? 0)")
            try await box.stop()
        }

        @Test("A plaintext call (SIPp over UDP) from a peer not marked plaintext is refused with 403; nothing is stored")
        func plaintextRefused() async throws {
            let box = try await VoicemailBox()
            let udpPort = try #require(box.ports["udp"])
            let sippHome = try TemporaryDirectory(prefix: "hushbox-sipp")
            let result = try await ChildProcess.run(
                "/usr/bin/sipp",
                ["-sn", "uac", "-s", "100", "-m", "1", "-t", "u1", "-i", "127.0.0.1", "-p", "0",
                 "-timeout", "20s", "-timeout_error", "-nostdin", "-trace_err", "127.0.0.1:\(udpPort)"],
                directory: sippHome.path, environment: ["HOME": sippHome.path], within: .seconds(40)
            )
            #expect(result.status != 0, "SIPp's call must fail")
            let errors = try FileManager.default.contentsOfDirectory(atPath: sippHome.path).filter { $0.hasSuffix("_errors.log") }
            let trace = try errors.map { try String(contentsOfFile: sippHome.child($0), encoding: .utf8) }.joined()
            #expect(trace.contains("SIP/2.0 403"), "refused with 403: \(trace.suffix(400))")
            #expect(box.daemon.standardError.all.contains { $0.contains("must use SIP over TLS") }, "the refusal is logged with its reason")
            #expect(!box.daemon.standardError.all.contains { $0.contains("voicemail call ended") }, "no call reached a mailbox")
            #expect(try await box.messages().isEmpty)
            try await box.stop()
        }

        @Test("A mailbox's own greeting is what callers hear after the disclaimer")
        func ownGreeting() async throws {
            let box = try await VoicemailBox()
            // Three seconds of 1 kHz: nothing in the spoken prompts sounds like it.
            let tools = HushboxdLifecycleTests.environment()
            let wav = box.directory.child("greeting.wav")
            let opus = box.directory.child("greeting.opus")
            #expect(try await ChildProcess.run("/usr/bin/sox", ["-R", "-D", "-n", "-r", "48000", "-c", "1", "-b", "16", wav, "synth", "3", "sine", "1000", "vol", "0.5"], environment: tools).status == 0)
            #expect(try await ChildProcess.run("/usr/bin/opusenc", ["--quiet", wav, opus], environment: tools).status == 0)
            let updated = try await box.hushbox(["mailbox", "update", box.mailboxID, "--greeting", opus])
            #expect(updated.status == 0, "\(updated.errors)")

            let heard = box.directory.child("heard")
            try FileManager.default.createDirectory(atPath: heard, withIntermediateDirectories: true)
            let silence = box.directory.child("silence.wav")
            let length = String(try SpokenAudio.seconds(of: ["en/disclaimer", "beep"]) + 5)
            #expect(try await ChildProcess.run("/usr/bin/sox", ["-n", "-r", "48000", "-c", "1", "-b", "16", silence, "trim", "0", length], environment: tools).status == 0)
            let caller = try box.call(codec: "pcmu", playing: "aufile,\(silence)", recordingDirectory: heard)
            _ = try await box.callEnded()
            await VoicemailBox.stop(caller)

            // sndfile writes what baresip decoded from the box as "…-dec.wav".
            let decoded = try #require(try FileManager.default.contentsOfDirectory(atPath: heard).first { $0.hasSuffix("dec.wav") })
            let (samples, rate) = try SpokenAudio.samplesAndRate(ofWAV: Data(contentsOf: URL(fileURLWithPath: heard + "/" + decoded)))
            let toneFrames = SpokenAudio.framesDominatedBy(hertz: 1000, in: samples, sampleRate: rate)
            #expect(toneFrames.count >= 100, "the caller heard \(toneFrames.count) × 20 ms of the 1 kHz greeting (3 s sent)")
            let disclaimer = try SpokenAudio.seconds(of: ["en/disclaimer"])
            let firstTone = Double(toneFrames.first ?? 0) * 0.02
            #expect(firstTone >= disclaimer - 0.5, "the disclaimer (\(disclaimer) s) plays first; the greeting began at \(firstTone) s")
            try await box.stop()
        }
    }
}
