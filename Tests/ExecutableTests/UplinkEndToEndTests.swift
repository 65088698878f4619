import Crypto
import Foundation
import HushboxTestSupport
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
        @Test("A voicemail arrives at hushbox-ingest, opened byte for byte as the box stores it, with its metadata")
        func voicemailReachesReceiver() async throws {
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
            let configuration = VoicemailBox.loopbackPhone + """
                uplink:
                  destinations:
                    backend:
                      url: \(receiver.url)
                      region: DE
                      public_key: \(receiver.publicKey.rawRepresentation.base64EncodedString())
                      ca_file: \(receiverCA)

                """
            let box = try await VoicemailBox(configuration: configuration, in: directory)
            let (_, callFile) = try await SpokenAudio.render(in: box.directory, lead: try SpokenAudio.secondsBeforeRecording() + 0.7, tail: 1)
            let caller = try box.call(codec: "opus/48000/2", playing: "aufile,\(callFile)")
            #expect(try await box.callEnded().contains("outcome=recorded"))
            await VoicemailBox.stop(caller)
            _ = try await box.daemon.standardError.waitFor("the upload", within: .seconds(30)) { $0.contains("delivered") }

            let messages = try await box.messages()
            try #require(messages.count == 1)
            let id = messages[0][0]
            let exported = box.directory.child("stored.opus")
            #expect(try await box.hushbox(["voicemail", "export", id, "--out", exported]).status == 0)
            let arrived = receiver.directory.child("store/objects/\(id)")
            #expect(FileManager.default.contents(atPath: arrived + "/audio.opus") == FileManager.default.contents(atPath: exported), "byte for byte")
            let metadata = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: arrived + "/metadata.json"))) as? [String: Any]
            #expect(metadata?["caller"] as? String == "+447700900123")
            #expect(metadata?["voicemail_id"] as? String == id)
            #expect((metadata?["consent"] as? [String: Any])?["type"] as? String == "not_required")
            // The web tier held only ciphertext: the stored payload is the sealed one.
            let sealed = try Data(contentsOf: URL(fileURLWithPath: arrived + "/payload"))
            #expect(sealed.range(of: Data("+447700900123".utf8)) == nil && sealed.prefix(9) == Data("HBX-HPKE1".utf8))
            #expect(box.daemon.standardError.all.allSatisfy { !$0.contains("7700900123") }, "the caller's number is never logged")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: directory.child(".hushbox-dev/uplink"))) ?? []).isEmpty, "the spooled copy is gone once delivered")
            try await box.stop()
            receiver.process.send(SIGTERM)
            _ = try await receiver.process.waitForExit()
        }
    }
}
