import Foundation
import HushboxTestSupport
import Testing

extension CallingTests {
    /// A person's rights on a box a real caller (baresip, TLS and SRTP) left a
    /// message on: the owner exports everything about them, then erases them.
    @Suite("Privacy requests end to end", .serialized)
    struct PrivacyEndToEndTests {
        /// Every file under the box's private data directory.
        static func dataFiles(_ box: VoicemailBox) -> [String] {
            let root = box.directory.child(".hushbox-dev")
            let enumerator = FileManager.default.enumerator(atPath: root)
            var files: [String] = []
            while let name = enumerator?.nextObject() as? String {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue { files.append(root + "/" + name) }
            }
            return files
        }

        @Test("A caller's message is exported with their call, consent and audio (the same bytes as `voicemail export`), then erased at once: nothing of them is left on disk and the audit chain verifies")
        func exportThenErase() async throws {
            var box = try await VoicemailBox()
            let (_, file) = try await SpokenAudio.render("Please call me back.", in: box.directory, lead: try SpokenAudio.secondsBeforeRecording() + 0.7, tail: 1)
            let caller = try box.call(codec: "opus/48000/2", playing: "aufile,\(file)")
            #expect(try await box.callEnded().contains("outcome=recorded"))
            await VoicemailBox.stop(caller)
            let id = try #require(try await box.messages().first?.first)

            let out = box.directory.child("subject-export")
            let exported = try await box.hushbox(["export", "--subject", "+44 7700 900123", "--out", out])
            #expect(exported.status == 0 && exported.output.contains("1 calls, 1 messages"), "\(exported)")
            #expect(!exported.output.contains("7700900123"), "the number is not echoed")
            let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/subject.json"))) as? [String: Any]
            let calls = document?["calls"] as? [[String: Any]] ?? []
            #expect(calls.first?["counterparty"] as? String == "+447700900123")
            #expect(((calls.first?["consents"] as? [[String: Any]])?.first?["type"] as? String) != nil, "the consent record of the call")
            let single = box.directory.child("single.opus")
            #expect(try await box.hushbox(["voicemail", "export", id, "--out", single]).status == 0)
            #expect(FileManager.default.contents(atPath: out + "/audio/\(id).opus") == FileManager.default.contents(atPath: single))

            // What an attacker with the disk would look for, before the erasure: the sealed object's bytes.
            let objects = Self.dataFiles(box).filter { $0.hasSuffix(".hbx") }
            try #require(!objects.isEmpty)
            let sealedAudio = try objects.map { try Data(contentsOf: URL(fileURLWithPath: $0)).dropFirst(40).prefix(64) }

            try await box.stop()
            let erased = try await box.hushbox(["erase", "--subject", "+447700900123", "--now", "--yes"])
            #expect(erased.status == 0 && erased.output.contains("done: destroyed 1 calls, 1 messages, 1 recordings"), "\(erased)")
            #expect(try await box.messages().isEmpty)
            for path in Self.dataFiles(box) {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(bytes.range(of: Data("7700900123".utf8)) == nil, "\(path) holds the number")
                for needle in sealedAudio { #expect(bytes.range(of: needle) == nil, "\(path) holds the sealed audio") }
            }
            let audit = try await box.hushbox(["audit", "verify"])
            #expect(audit.status == 0, "\(audit)")
            try await box.restart()
            #expect(try await box.messages().isEmpty, "still gone after a restart")
            try await box.stop()
        }

        @Test("An incident 61 hours old and not notified: hushboxd raises a critical alert at start and counts it at /metrics, without the summary; once notified, it is quiet")
        func incidentAlerts() async throws {
            var box = try await VoicemailBox()
            let awareSince = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-61 * 3600))
            let opened = try await box.hushbox(["incident", "open", "--severity", "critical", "--summary", "Voicemail PIN list pinned to the notice board", "--aware-since", awareSince])
            #expect(opened.status == 0, "\(opened)")
            let id = try #require(opened.output.split(separator: " ").dropFirst().first.map(String.init))
            try await box.stop()
            try await box.restart()
            let alert = try await box.daemon.standardError.waitFor("the incident alert at start", within: .seconds(30)) {
                $0.contains("incident not yet notified") && $0.contains(id)
            }
            #expect(alert.contains("critical") && alert.contains("only 10 h"), "\(alert)")
            #expect(!box.daemon.standardError.all.contains { $0.contains("notice board") }, "the summary is never logged")
            let metrics = try LoopbackHTTP.get(port: try #require(box.ports["ops"]), path: "/metrics").body
            #expect(metrics.contains("hushbox_incidents_unnotified 1"), "\(metrics)")
            #expect(metrics.contains("hushbox_incident_alerts_total{urgency=\"urgent\"} 1"))

            #expect(try await box.hushbox(["incident", "notify", id]).status == 0)
            try await box.stop()
            try await box.restart()
            let ops = try #require(box.ports["ops"])
            // The first look at the register may come just after READY.
            var quiet = ""
            for _ in 0..<100 where !quiet.contains("hushbox_incidents_unnotified 0") {
                quiet = try LoopbackHTTP.get(port: ops, path: "/metrics").body
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(quiet.contains("hushbox_incidents_unnotified 0"), "\(quiet)")
            #expect(!box.daemon.standardError.all.contains { $0.contains("incident not yet notified") })
            try await box.stop()
        }
    }
}
