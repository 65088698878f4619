import Crypto
import Foundation
import HushboxTestSupport
import Testing
import Uplink

#if canImport(Glibc)
import Glibc
#endif

/// The box's uplink client against the real `hushbox-ingest` over HTTPS on
/// loopback, with mutual TLS: a sealed voicemail goes up in chunks and the
/// receiver stores exactly what was sealed, opened with the customer's key.
@Suite("Uplink delivery to hushbox-ingest over mutual TLS")
struct UplinkDeliveryTests {
    struct Receiver {
        let directory: TemporaryDirectory
        let process: ChildProcess
        let url: String
        let serverCertificate: String
        let publicKey: Curve25519.KeyAgreement.PublicKey
        let secret: String

        /// The uplink client of a box holding `certificate`, trusting this receiver's certificate.
        func client(as certificate: (certificatePEM: String, privateKeyPEM: String)) throws -> UplinkClient {
            UplinkClient(
                baseURL: url, signature: try WebhookSignature(encodedSecret: secret),
                tls: try UplinkClient.tlsConfiguration(
                    clientCertificatePEM: certificate.certificatePEM, clientKeyPEM: certificate.privateKeyPEM, trustRootsPEM: serverCertificate
                ),
                now: { Int64(Date().timeIntervalSince1970) }
            )
        }
    }

    /// hushbox-ingest with fresh keys and its own certificate, letting in the
    /// boxes whose certificates chain to `clientCA`, or whose SHA-256 is `clientFingerprint`.
    /// - Parameter extra: further `serve` options (limits, timeouts).
    /// - Parameter trace: run it under `strace -f -y`, recording `traceCalls` into this file
    ///   (the process is then strace's, and hushbox-ingest its child).
    static func startReceiver(
        clientCA: String? = nil, clientFingerprint: String? = nil, extra: [String] = [], trace: String? = nil, traceCalls: String = "fsync,rename"
    ) async throws -> Receiver {
        let directory = try TemporaryDirectory(prefix: "hushbox-ingest")
        let keygen = try await ChildProcess.run(
            try BuiltProducts.path(of: "hushbox-ingest"), ["keygen", "--out", directory.child("keys")], directory: directory.path,
            environment: HushboxdLifecycleTests.environment()
        )
        let line = try #require(keygen.output.split(separator: "\n").first { $0.hasPrefix("public_key: ") })
        let publicKey = try Curve25519.KeyAgreement.PublicKey(
            rawRepresentation: try #require(Data(base64Encoded: String(line.dropFirst("public_key: ".count).prefix(44))))
        )
        let (certificate, key) = try TestCertificate.selfSigned(commonName: "ingest")
        let ingest = try BuiltProducts.path(of: "hushbox-ingest")
        let traced = trace.map { ["-f", "-y", "-e", "trace=" + traceCalls, "-o", $0, ingest] }
        let process = try ChildProcess(
            trace == nil ? ingest : "/usr/bin/strace",
            (traced ?? []) + ["serve", "--port", "0", "--storage", directory.child("store"), "--secret-file", directory.child("keys/signing-secret"),
             "--private-key-file", directory.child("keys/private-key"), "--certificate", try directory.write(certificate, to: "cert.pem"),
             "--certificate-key", try directory.write(key, to: "key.pem")]
                + (try clientCA.map { ["--client-ca", try directory.write($0, to: "boxes.pem")] } ?? [])
                + (clientFingerprint.map { ["--client-fingerprint", $0] } ?? [])
                + (clientCA == nil && clientFingerprint == nil ? ["--tls-terminating-proxy"] : []) + extra,
            directory: directory.path, environment: HushboxdLifecycleTests.environment()
        )
        let listening = try await process.standardOutput.waitFor("listening", within: .seconds(20)) { $0.hasPrefix("listening on ") }
        let secret = try String(contentsOfFile: directory.child("keys/signing-secret"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return Receiver(
            directory: directory, process: process, url: String(listening.dropFirst("listening on ".count)), serverCertificate: certificate,
            publicKey: publicKey, secret: secret
        )
    }

    @Test("A sealed 600 KB voicemail goes up in 256 KiB chunks and the receiver stores it once, opened byte for byte")
    func sealedVoicemailArrives() async throws {
        let box = try TestCertificate.selfSigned(commonName: "hushbox-box")
        let receiver = try await Self.startReceiver(clientCA: box.certificatePEM)
        let client = try receiver.client(as: box)
        let audio = Data((0..<600_000).map { UInt8(truncatingIfNeeded: $0 &* 29) })
        let metadata = Data(#"{"voicemail_id":"v-1","caller":"+4930901820"}"#.utf8)
        let objectID = "v-1"
        let payload = try PayloadSealing.seal(
            UplinkPayload.compose(metadata: metadata, audio: audio), to: receiver.publicKey, info: UplinkPayload.sealingInfo(kind: "voicemail", objectID: objectID)
        )
        let announcement = NewUpload(
            objectID: objectID, kind: "voicemail", length: payload.count, sha256: SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined(), sealing: .hpke
        )
        var session = UploadSession(entryID: "entry-1", length: payload.count)
        var generator = SeededGenerator(seed: 1)
        let outcome = await UploadDriver.deliver(
            &session, perform: { request, session in await client.perform(request, of: session, announcement: announcement, payload: payload) },
            schedule: RetrySchedule(first: .milliseconds(100), longest: .seconds(1)), clock: ContinuousClock(), generator: &generator
        )
        #expect(outcome == .delivered(attempts: 1), "\(outcome)")
        let stored = receiver.directory.child("store/objects/\(objectID)")
        #expect(FileManager.default.contents(atPath: stored + "/audio.opus") == audio)
        #expect(FileManager.default.contents(atPath: stored + "/metadata.json") == metadata)

        // Sent again (the box never saw the answer): the receiver recognises it; nothing is stored twice.
        var again = UploadSession(entryID: "entry-1", length: payload.count)
        let repeated = await UploadDriver.deliver(
            &again, perform: { request, session in await client.perform(request, of: session, announcement: announcement, payload: payload) },
            schedule: RetrySchedule(), clock: ContinuousClock(), generator: &generator
        )
        #expect(repeated == .delivered(attempts: 1))
        #expect(try FileManager.default.contentsOfDirectory(atPath: receiver.directory.child("store/objects")) == [objectID])
        try await client.shutdown()
        receiver.process.send(SIGTERM)
        _ = try await receiver.process.waitForExit()
    }

    @Test("Pinned: only the anchor with the pinned key is trusted; a receiver with another valid key never sees a request; a pin naming nothing is refused")
    func pinning() async throws {
        let box = try TestCertificate.selfSigned(commonName: "hushbox-box")
        let receiver = try await Self.startReceiver(clientCA: box.certificatePEM)
        let receiverPin = try TestCertificate.spkiSHA256(ofPEM: receiver.serverCertificate)
        #expect(receiver.process.standardOutput.all.contains("certificate pin_sha256 \(receiverPin)"), "hushbox-ingest prints the pin a box needs")
        // The CA file trusts the receiver and another anchor; the pin decides which one counts.
        let other = try TestCertificate.selfSigned(commonName: "another-receiver")
        let bundle = receiver.serverCertificate + "\n" + other.certificatePEM
        func client(pin: String) throws -> UplinkClient {
            UplinkClient(
                baseURL: receiver.url, signature: try WebhookSignature(encodedSecret: receiver.secret),
                tls: try UplinkClient.tlsConfiguration(
                    clientCertificatePEM: box.certificatePEM, clientKeyPEM: box.privateKeyPEM, trustRootsPEM: bundle, pinSHA256: pin
                ),
                now: { Int64(Date().timeIntervalSince1970) }
            )
        }
        let session = UploadSession(entryID: "entry-3", length: 10)
        let announcement = NewUpload(objectID: "v-3", kind: "voicemail", length: 10, sha256: String(repeating: "0", count: 64), sealing: .none)

        let wrong = try client(pin: try TestCertificate.spkiSHA256(ofPEM: other.certificatePEM))
        #expect(await wrong.perform(.create, of: session, announcement: announcement, payload: Data(count: 10)) == .unreachable)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: receiver.directory.child("store/keys"))) ?? []).isEmpty, "no request got through")
        try await wrong.shutdown()

        let pinned = try client(pin: receiverPin.uppercased())
        let answer = await pinned.perform(.create, of: session, announcement: announcement, payload: Data(count: 10))
        guard case .response(let response) = answer else { Issue.record("pinned to the receiver's key: \(answer)"); return }
        #expect(response.status == 201)
        try await pinned.shutdown()

        let refusal = #expect(throws: UplinkPinError.self) {
            try UplinkClient.tlsConfiguration(
                clientCertificatePEM: box.certificatePEM, clientKeyPEM: box.privateKeyPEM, trustRootsPEM: bundle, pinSHA256: String(repeating: "ab", count: 32)
            )
        }
        #expect(refusal.map { "\($0)".contains("matches no certificate in the receiver's CA file") && "\($0)".contains("openssl") } == true)
        receiver.process.send(SIGTERM)
        _ = try await receiver.process.waitForExit()
    }

    @Test("A box whose certificate the receiver does not know gets no answer at all")
    func unknownBoxRefused() async throws {
        let known = try TestCertificate.selfSigned(commonName: "hushbox-box")
        let stranger = try TestCertificate.selfSigned(commonName: "stranger")
        let receiver = try await Self.startReceiver(clientCA: known.certificatePEM)
        let client = try receiver.client(as: stranger)
        let session = UploadSession(entryID: "entry-2", length: 10)
        let announcement = NewUpload(objectID: "v-2", kind: "voicemail", length: 10, sha256: String(repeating: "0", count: 64), sealing: .none)
        #expect(await client.perform(.create, of: session, announcement: announcement, payload: Data(count: 10)) == .unreachable)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: receiver.directory.child("store/keys"))) ?? []).isEmpty)
        try await client.shutdown()
        receiver.process.send(SIGTERM)
        _ = try await receiver.process.waitForExit()
    }
}
