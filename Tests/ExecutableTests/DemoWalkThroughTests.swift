import Foundation
import HushboxTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension CallingTests {
    /// `make run` (hushboxd --dev --demo) as a newcomer meets it: the printed
    /// walk-through, followed line by line, leaves a message they can list and export.
    @Suite("make run's demo walk-through")
    struct DemoWalkThroughTests {
        static func startDemo(in directory: TemporaryDirectory) async throws -> ChildProcess {
            let notify = directory.child("notify-\(UInt32.random(in: 0...UInt32.max)).sock")
            let systemd = try NotifySocketListener(path: notify)
            defer { systemd.stop() }
            let daemon = try ChildProcess(
                try BuiltProducts.path(of: "hushboxd"), ["--dev", "--demo"], directory: directory.path,
                environment: HushboxdLifecycleTests.environment(["NOTIFY_SOCKET": notify, "HUSHBOX_OPS_PORT": "0"])
            )
            _ = try await systemd.messages.waitFor("READY=1", within: .seconds(60)) { $0.hasPrefix("READY=1") }
            _ = try await daemon.standardOutput.waitFor("the walk-through") { $0.contains("--out message.wav") }
            return daemon
        }

        /// The indented command line printed after `label`.
        static func line(after label: String, in output: [String]) throws -> String {
            let index = try #require(output.firstIndex { $0.contains(label) }, "\(label) in \(output)")
            return output[index + 1].trimmingCharacters(in: .whitespaces)
        }

        static func shell(_ line: String, in directory: TemporaryDirectory) async throws -> (status: Int32, output: String, errors: String) {
            try await ChildProcess.run("/bin/sh", ["-c", line], directory: directory.path, environment: HushboxdLifecycleTests.environment())
        }

        @Test("First start makes mailbox 100 and prints how to call it; the printed baresip line leaves a message the printed commands list and export")
        func walkThrough() async throws {
            let directory = try TemporaryDirectory(prefix: "hushbox-demo")
            var daemon = try await Self.startDemo(in: directory)
            let printed = daemon.standardOutput.all
            let baresip = try Self.line(after: "Call it over TLS with SRTP", in: printed)
            #expect(baresip.hasPrefix("baresip -f ") && baresip.contains(";transport=tls\""), "\(baresip)")
            #expect(printed.contains { $0.contains("peers: demo-phone (device, TLS+SRTP)") })
            let listIndex = try #require(printed.firstIndex { $0.contains("Then list and export") })
            let list = printed[listIndex + 1].trimmingCharacters(in: .whitespaces)
            let export = printed[listIndex + 2].trimmingCharacters(in: .whitespaces)

            // No sound card here: the demo phone sends a tone. Let it speak for 4 s after the beep.
            let caller = try ChildProcess("/bin/sh", ["-c", "exec " + baresip + " -t 60"], directory: directory.path, environment: HushboxdLifecycleTests.environment())
            try await Task.sleep(for: .seconds(try SpokenAudio.secondsBeforeRecording() + 5))
            await VoicemailBox.stop(caller)
            let ended = try await daemon.standardError.waitFor("the call to end", within: .seconds(45)) { $0.contains("voicemail call ended") }
            #expect(ended.contains("outcome=recorded"), "\(ended)")

            let listed = try await Self.shell(list, in: directory)
            #expect(listed.status == 0, "\(list): \(listed.errors)")
            let messages = listed.output.split(separator: "\n").map { $0.components(separatedBy: "  ") }
            try #require(messages.count == 1, "\(listed.output)")
            #expect(messages[0][3] == "+44••••••••23")
            let exported = try await Self.shell(export.replacingOccurrences(of: "MESSAGE-ID", with: messages[0][0]), in: directory)
            #expect(exported.status == 0, "\(export): \(exported.errors)")
            let wav = try Data(contentsOf: URL(fileURLWithPath: directory.child("message.wav")))
            #expect(wav.count > 16_000 * 2 * 2, "at least two seconds of audio")

            // A second start finds the demo and makes nothing new.
            daemon.send(SIGTERM)
            _ = try await daemon.waitForExit()
            daemon = try await Self.startDemo(in: directory)
            let tenants = try await Self.shell(list.replacingOccurrences(of: "voicemail list", with: "tenant list").replacingOccurrences(of: #" --mailbox \S+"#, with: "", options: .regularExpression), in: directory)
            #expect(tenants.output.split(separator: "\n").count == 1, "\(tenants.output)")
            daemon.send(SIGTERM)
            _ = try await daemon.waitForExit()
        }

        @Test("--demo without --dev is refused: a production box gets no demo organisation")
        func demoNeedsDev() async throws {
            let directory = try TemporaryDirectory()
            let refused = try await ChildProcess.run(
                try BuiltProducts.path(of: "hushboxd"), ["--demo"], directory: directory.path, environment: HushboxdLifecycleTests.environment()
            )
            #expect(refused.status == 78)
            #expect(refused.errors.contains("--demo needs --dev"))
        }
    }
}
