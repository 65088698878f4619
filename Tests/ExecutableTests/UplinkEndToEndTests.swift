import Crypto
import Foundation
import HushboxTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

extension CallingTests {
    /// A message left by a real caller reaches the customer's receiver: hushboxd
    /// queues it with the call, its uplink worker seals it to the customer's key
    /// and uploads it over mutual TLS to `hushbox-ingest`, which opens it.
    @Suite("Uplink end to end: caller to receiver")
    struct UplinkEndToEndTests {
        /// A provisioned box in a fresh directory whose destination "backend" is
        /// a fresh hushbox-ingest letting the box in by its certificate's fingerprint,
        /// reached at `through(receiverPort)` (the receiver's own port by default).
        /// - Parameter sealingTo: the key the box seals to; the receiver's own by default.
        /// - Parameter registered: whether "backend" is put on the organisation's sub-processor register, live.
        static func boxWithReceiver(
            through: (Int) throws -> Int = { $0 }, sealingTo: String? = nil, registered: Bool = true
        ) async throws -> (VoicemailBox, UplinkDeliveryTests.Receiver) {
            let directory = try TemporaryDirectory(prefix: "hushbox-uplink")
            let environment = HushboxdLifecycleTests.environment()
            let bare = try directory.write(VoicemailBox.loopbackPhone, to: "hushbox.yaml")
            let provisioned = try await ChildProcess.run(
                try BuiltProducts.path(of: "hushbox"), ["provision", "init", "--dev", "--config", bare], directory: directory.path, environment: environment
            )
            #expect(provisioned.status == 0, "\(provisioned.errors)")
            let checked = try await ChildProcess.run(
                try BuiltProducts.path(of: "hushbox"), ["selftest", "--dev", "--config", bare], directory: directory.path, environment: environment
            )
            // The box's own certificate is self-signed: the receiver lets it in by the fingerprint the box reports.
            let fingerprint = try #require(checked.output.firstMatch(of: /([0-9A-F]{2}(:[0-9A-F]{2}){31})/).map { String($0.output.1) }, "\(checked.output)")
            let receiver = try await UplinkDeliveryTests.startReceiver(clientFingerprint: fingerprint)
            let secretPath = directory.child(".hushbox-dev/credentials/uplink-backend")
            #expect(FileManager.default.createFile(atPath: secretPath, contents: Data((receiver.secret + "\n").utf8), attributes: [.posixPermissions: 0o600]))
            let receiverCA = try directory.write(receiver.serverCertificate, to: "receiver-ca.pem")
            let receiverPort = try #require(receiver.url.split(separator: ":").last.flatMap { Int($0) })
            let configuration = VoicemailBox.loopbackPhone + """
                uplink:
                  destinations:
                    backend:
                      url: https://127.0.0.1:\(try through(receiverPort))
                      region: DE
                      public_key: \(sealingTo ?? receiver.publicKey.rawRepresentation.base64EncodedString())
                      ca_file: \(receiverCA)

                """
            let box = try await VoicemailBox(configuration: configuration, in: directory)
            if registered {
                // Customers were told a month ago: the receiver is a live sub-processor.
                let added = try await box.hushbox(
                    ["subprocessor", "add", "backend", "--purpose", "voicemail backend", "--region", "DE", "--notice-given", Self.daysAgo(31)]
                )
                #expect(added.status == 0, "\(added)")
            }
            return (box, receiver)
        }

        /// A UTC day `days` before today, as `hushbox subprocessor add` takes it.
        static func daysAgo(_ days: Double) -> String {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            return formatter.string(from: Date().addingTimeInterval(-days * 86_400))
        }

        /// What the receiver stored for voicemail `id` is the audio `hushbox voicemail export` gives.
        static func arrivedIntact(_ id: String, box: VoicemailBox, receiver: UplinkDeliveryTests.Receiver) async throws {
            let exported = box.directory.child("stored-\(id).opus")
            #expect(try await box.hushbox(["voicemail", "export", id, "--out", exported]).status == 0)
            let arrived = receiver.directory.child("store/objects/\(id)")
            #expect(FileManager.default.contents(atPath: arrived + "/audio.opus") == FileManager.default.contents(atPath: exported), "byte for byte")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: box.directory.child(".hushbox-dev/uplink"))) ?? []).isEmpty, "the spooled copy is gone once delivered")
        }

        @Test("A voicemail waits while its destination is not a registered sub-processor, then arrives at hushbox-ingest, opened byte for byte as the box stores it, with its metadata")
        func voicemailReachesReceiver() async throws {
            let (box, receiver) = try await Self.boxWithReceiver(registered: false)
            let (_, callFile) = try await SpokenAudio.render(in: box.directory, lead: try SpokenAudio.secondsBeforeRecording() + 0.7, tail: 1)
            let caller = try box.call(codec: "opus/48000/2", playing: "aufile,\(callFile)")
            #expect(try await box.callEnded().contains("outcome=recorded"))
            await VoicemailBox.stop(caller)
            let held = try await box.daemon.standardError.waitFor("the refusal", within: .seconds(30)) { $0.contains("messages are held back") }
            #expect(held.contains("not on the organisation's sub-processor register"), "\(held)")
            #expect(try await box.hushbox(["uplink", "list"]).output.contains("pending"), "queued, not sent")
            let stored = (try? FileManager.default.contentsOfDirectory(atPath: receiver.directory.child("store/objects"))) ?? []
            #expect(stored.isEmpty, "nothing reached the receiver")

            // Registered now with a go-live in the future: still held.
            let future = try await box.hushbox(["subprocessor", "add", "backend", "--purpose", "voicemail backend", "--region", "DE"])
            #expect(future.status == 0 && future.output.contains("may receive data from"), "\(future)")
            _ = try await box.daemon.standardError.waitFor("the go-live refusal", within: .seconds(30)) { $0.contains("30 days after the customer notice") }
            #expect(try await box.hushbox(["subprocessor", "remove", "backend"]).status == 0)
            let added = try await box.hushbox(
                ["subprocessor", "add", "backend", "--purpose", "voicemail backend", "--region", "DE", "--notice-given", Self.daysAgo(31)]
            )
            #expect(added.status == 0, "\(added)")
            #expect(try await box.hushbox(["subprocessor", "list"]).output.contains("backend  DE  live"))
            _ = try await box.daemon.standardError.waitFor("the upload", within: .seconds(30)) { $0.contains("delivered") }

            let messages = try await box.messages()
            try #require(messages.count == 1)
            let id = messages[0][0]
            try await Self.arrivedIntact(id, box: box, receiver: receiver)
            let arrived = receiver.directory.child("store/objects/\(id)")
            let metadata = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: arrived + "/metadata.json"))) as? [String: Any]
            #expect(metadata?["caller"] as? String == "+447700900123")
            #expect(metadata?["voicemail_id"] as? String == id)
            #expect((metadata?["consent"] as? [String: Any])?["type"] as? String == "not_required")
            // The web tier held only ciphertext: the stored payload is the sealed one.
            let sealed = try Data(contentsOf: URL(fileURLWithPath: arrived + "/payload"))
            #expect(sealed.range(of: Data("+447700900123".utf8)) == nil && sealed.prefix(9) == Data("HBX-HPKE1".utf8))
            #expect(box.daemon.standardError.all.allSatisfy { !$0.contains("7700900123") }, "the caller's number is never logged")

            // Prometheus sees the queue drained and one delivery's latency.
            let opsPort = try #require(box.ports["ops"])
            var scraped = ""
            for _ in 0..<50 where !scraped.contains(#"hushbox_uplink_queue_depth{destination="backend"} 0"#) {
                scraped = try LoopbackHTTP.get(port: opsPort, path: "/metrics").body
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(scraped.contains(#"hushbox_uplink_queue_depth{destination="backend"} 0"#), "\(scraped)")
            #expect(scraped.contains(#"hushbox_uplink_delivery_latency_seconds_count{destination="backend"} 1"#))
            #expect(scraped.contains(#"hushbox_uplink_attempts_total{destination="backend",outcome="delivered"} 1"#))
            try await box.stop()
            receiver.process.send(SIGTERM)
            _ = try await receiver.process.waitForExit()
        }

        @Test("hushboxd killed with SIGKILL in the middle of an upload and started again: the message arrives once, in the same upload, byte for byte")
        func killedMidUpload() async throws {
            let relay = Mutex<FaultyTCPRelay?>(nil)
            var (box, receiver) = try await Self.boxWithReceiver { port in
                let network = try FaultyTCPRelay(upstreamPort: port)
                relay.withLock { $0 = network }
                return network.port
            }
            let network = try #require(relay.withLock { $0 })
            // A slow line, so the kill lands while the message is on its way.
            network.throttle(bytesPerSecond: 3000)
            let (_, callFile) = try await SpokenAudio.render(in: box.directory, lead: try SpokenAudio.secondsBeforeRecording() + 0.7, tail: 1)
            let caller = try box.call(codec: "opus/48000/2", playing: "aufile,\(callFile)")
            #expect(try await box.callEnded().contains("outcome=recorded"))
            await VoicemailBox.stop(caller)
            let keys = receiver.directory.child("store/keys")
            let objects = receiver.directory.child("store/objects")
            let deadline = ContinuousClock.now + .seconds(30)
            while ((try? FileManager.default.contentsOfDirectory(atPath: keys)) ?? []).isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            try #require(((try? FileManager.default.contentsOfDirectory(atPath: keys)) ?? []).count == 1, "the receiver has the upload announced")
            let announced = network.forwardedUpstream
            while network.forwardedUpstream < announced + 3000, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            box.daemon.send(SIGKILL)
            #expect(try await box.daemon.waitForExit() == 128 + SIGKILL)
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: objects)) ?? []).isEmpty, "killed before the upload finished")

            network.throttle(bytesPerSecond: nil)
            try await box.restart()
            _ = try await box.daemon.standardError.waitFor("the upload", within: .seconds(30)) { $0.contains("delivered") }
            let messages = try await box.messages()
            try #require(messages.count == 1)
            #expect(try FileManager.default.contentsOfDirectory(atPath: objects) == [messages[0][0]], "stored once")
            #expect(try FileManager.default.contentsOfDirectory(atPath: keys).count == 1, "the restarted box carried on with the same upload")
            try await Self.arrivedIntact(messages[0][0], box: box, receiver: receiver)
            try await box.stop()
            network.stop()
            receiver.process.send(SIGTERM)
            _ = try await receiver.process.waitForExit()
        }

        @Test("A message the receiver refuses for good is kept and listed as abandoned; after the fix, `hushbox uplink retry` delivers it")
        func abandonedThenRetried() async throws {
            // The box seals to a key that is not the receiver's: the receiver cannot open it, three times.
            let stranger = Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
            var (box, receiver) = try await Self.boxWithReceiver(sealingTo: stranger)
            let (_, callFile) = try await SpokenAudio.render(in: box.directory, lead: try SpokenAudio.secondsBeforeRecording() + 0.7, tail: 1)
            let caller = try box.call(codec: "pcmu", playing: "aufile,\(callFile)")
            #expect(try await box.callEnded().contains("outcome=recorded"))
            await VoicemailBox.stop(caller)
            _ = try await box.daemon.standardError.waitFor("the refusal", within: .seconds(30)) { $0.contains("refused the upload for good") }

            let listed = try await box.hushbox(["uplink", "list"])
            let line = try #require(listed.output.split(separator: "\n").first, "\(listed)")
            #expect(line.contains("backend") && line.contains("abandoned") && line.contains("last=422"), "\(line)")
            let entry = String(line.prefix { $0 != " " })
            #expect(try await box.messages().count == 1, "the message stays on the box")

            // The customer corrects the key and asks for the message again.
            let file = box.directory.child("hushbox.yaml")
            let corrected = try String(contentsOfFile: file, encoding: .utf8)
                .replacingOccurrences(of: stranger, with: receiver.publicKey.rawRepresentation.base64EncodedString())
            _ = try box.directory.write(corrected, to: "hushbox.yaml")
            try await box.stop()
            try await box.restart()
            let retried = try await box.hushbox(["uplink", "retry", entry])
            #expect(retried.status == 0 && retried.output.contains("queued again"), "\(retried)")
            _ = try await box.daemon.standardError.waitFor("the upload", within: .seconds(30)) { $0.contains("delivered") }
            let messages = try await box.messages()
            try await Self.arrivedIntact(messages[0][0], box: box, receiver: receiver)
            #expect(try await box.hushbox(["uplink", "list"]).output.isEmpty, "nothing waits any more")
            #expect(try await box.hushbox(["uplink", "list", "--all"]).output.contains("delivered"))
            #expect(try await box.hushbox(["uplink", "retry", entry]).errors.contains("only an abandoned entry"), "a delivered entry is not sent again")
            #expect(try await box.hushbox(["audit", "verify"]).status == 0)
            try await box.stop()
            receiver.process.send(SIGTERM)
            _ = try await receiver.process.waitForExit()
        }
    }
}
