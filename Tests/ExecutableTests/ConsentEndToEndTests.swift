import Foundation
import HushboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension CallingTests {
    /// A caller from Germany must agree by keypad before a word is kept. baresip
    /// calls from a +49 number and presses a key by RFC 4733 event (its ctrl_tcp
    /// `sndcode` command) while the box waits for the answer to its German question.
    @Suite("Consent by DTMF end to end with baresip", .serialized)
    struct ConsentEndToEndTests {
        static let germanCaller = "+4930901820"

        /// Seconds from the answer until the German consent question has been asked.
        static func secondsUntilAsked() throws -> Double {
            try SpokenAudio.seconds(of: ["de/disclaimer", "de/consent-request"])
        }

        /// Presses `key` once the question is asked (`after` seconds from the
        /// launch; by default the German question's end and 2 s), retrying
        /// while baresip's call is not up yet.
        static func press(_ key: String, on control: BaresipControl, launched: ContinuousClock.Instant, after seconds: Double? = nil) async throws {
            try await Task.sleep(until: launched.advanced(by: .seconds(try seconds ?? (secondsUntilAsked() + 2))))
            var response = ""
            for _ in 0..<12 {
                // A loaded machine may start baresip's control socket late: a refused connection is tried again too.
                do {
                    response = try control.send("sndcode", key)
                } catch {
                    response = "\(error)"
                }
                if response.contains("\"ok\":true") { return }
                try await Task.sleep(for: .milliseconds(500))
            }
            Issue.record("baresip did not send \(key): \(response)")
        }

        @Test("Pressing 1 records the message, listed with consent given in German", arguments: ["opus/48000/2", "pcmu"])
        func pressingOneRecords(codec: String) async throws {
            let box = try await VoicemailBox()
            // Speech starts once the greeting and beep that follow the key have played.
            let lead = try Self.secondsUntilAsked() + SpokenAudio.seconds(of: ["de/greeting", "beep"]) + 2.5
            let (_, callFile) = try await SpokenAudio.render("Please call me back tomorrow.", in: box.directory, lead: lead, tail: 1)
            let control = BaresipControl(port: try PortHolder().port)
            let launched = ContinuousClock.now
            let caller = try box.call(codec: codec, playing: "aufile,\(callFile)", caller: Self.germanCaller, control: control)
            try await Self.press("1", on: control, launched: launched)
            let ended = try await box.callEnded()
            #expect(ended.contains("outcome=recorded"), "\(ended)")
            await VoicemailBox.stop(caller)

            let messages = try await box.messages()
            try #require(messages.count == 1, "\(messages)")
            #expect(messages[0][3] == "+49••••••20")
            #expect(messages[0][6] == "consent given (de)")
            let seconds = Double(messages[0][2].dropLast()) ?? 0
            #expect(seconds >= 1.5, "the message after the key was kept: \(seconds) s")
            try await box.stop()
        }

        @Test("Pressing 2 keeps nothing: the call ends with consent declined, no message")
        func pressingTwoDeclines() async throws {
            let box = try await VoicemailBox()
            // The caller talks all along: none of it may be kept.
            let talk = Array(repeating: SpokenAudio.sentence, count: 3).joined(separator: " ")
            let (_, callFile) = try await SpokenAudio.render(talk, in: box.directory, lead: 0.5, tail: 5)
            let control = BaresipControl(port: try PortHolder().port)
            let launched = ContinuousClock.now
            let caller = try box.call(codec: "pcmu", playing: "aufile,\(callFile)", caller: Self.germanCaller, control: control)
            try await Self.press("2", on: control, launched: launched)
            let ended = try await box.callEnded()
            #expect(ended.contains("outcome=declined_consent"), "\(ended)")
            await VoicemailBox.stop(caller)
            #expect(try await box.messages().isEmpty)
            try await box.stop()
        }
    }
}
