import Crypto
import Foundation
import HushboxTestSupport
import PrivateFiles
import Testing
import Uplink

#if canImport(Glibc)
import Glibc
#endif

/// `hushbox-ingest` as a customer starts it in their region: keys made once,
/// secrets that must be private, HTTPS with the given certificate.
@Suite("hushbox-ingest command")
struct IngestCommandTests {
    static func ingest(_ arguments: [String], in directory: TemporaryDirectory) async throws -> (status: Int32, output: String, errors: String) {
        try await ChildProcess.run(try BuiltProducts.path(of: "hushbox-ingest"), arguments, directory: directory.path, environment: HushboxdLifecycleTests.environment())
    }

    @Test("keygen writes a private key and a signing secret (0600, never replaced) and prints the public key the box seals to")
    func keygen() async throws {
        let directory = try TemporaryDirectory()
        let made = try await Self.ingest(["keygen", "--out", directory.child("keys")], in: directory)
        #expect(made.status == 0, "\(made.errors)")
        let publicLine = try #require(made.output.split(separator: "\n").first { $0.hasPrefix("public_key: ") })
        let publicKey = try Curve25519.KeyAgreement.PublicKey(
            rawRepresentation: try #require(Data(base64Encoded: String(publicLine.dropFirst("public_key: ".count).prefix(44))))
        )
        for name in ["private-key", "signing-secret"] {
            let mode = try FileManager.default.attributesOfItem(atPath: directory.child("keys/\(name)"))[.posixPermissions] as? NSNumber
            #expect(mode?.intValue == 0o600, "\(name)")
        }
        let privateText = try String(contentsOfFile: directory.child("keys/private-key"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let privateKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: try #require(Data(base64Encoded: privateText)))
        let sealed = try PayloadSealing.seal(Data("hello".utf8), to: publicKey, info: Data("t".utf8))
        #expect(try PayloadSealing.open(sealed, with: privateKey, info: Data("t".utf8)) == Data("hello".utf8))
        _ = try WebhookSignature(encodedSecret: try String(contentsOfFile: directory.child("keys/signing-secret"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))

        let again = try await Self.ingest(["keygen", "--out", directory.child("keys")], in: directory)
        #expect(again.status != 0 && again.errors.contains("not replacing a key"))
    }

    @Test("keygen refuses a symbolic link at a key's path, dangling or not, and writes nothing through it")
    func keygenRefusesLinks() async throws {
        let directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory.child("keys"), withIntermediateDirectories: true)
        let planted = directory.child("planted-key")
        try FileManager.default.createSymbolicLink(atPath: directory.child("keys/private-key"), withDestinationPath: planted)
        let refused = try await Self.ingest(["keygen", "--out", directory.child("keys")], in: directory)
        #expect(refused.status != 0)
        #expect(refused.errors.contains(directory.child("keys/private-key")), "names the path: \(refused.errors)")
        #expect(!FileManager.default.fileExists(atPath: planted), "no key was written through the link")

        let other = try directory.write("someone else's", to: "other", permissions: 0o644)
        try FileManager.default.removeItem(atPath: directory.child("keys/private-key"))
        try FileManager.default.createSymbolicLink(atPath: directory.child("keys/signing-secret"), withDestinationPath: other)
        #expect(try await Self.ingest(["keygen", "--out", directory.child("keys")], in: directory).status != 0)
        #expect(FileManager.default.contents(atPath: other) == Data("someone else's".utf8))
        #expect(FileStatus.of(other)?.permissions == 0o644, "the link's target keeps its mode")
    }

    @Test("serve listens over HTTPS with the given certificate; it refuses to start without a way to check boxes' certificates, and a signing secret others can read")
    func serve() async throws {
        let directory = try TemporaryDirectory()
        #expect(try await Self.ingest(["keygen", "--out", directory.child("keys")], in: directory).status == 0)
        let (certificate, key) = try TestCertificate.selfSigned()
        let certificatePath = try directory.write(certificate, to: "cert.pem")
        let keyPath = try directory.write(key, to: "key.pem")
        let withoutClientAuth = [
            "serve", "--port", "0", "--storage", directory.child("store"), "--secret-file", directory.child("keys/signing-secret"),
            "--private-key-file", directory.child("keys/private-key"), "--certificate", certificatePath, "--certificate-key", keyPath,
        ]
        // No --client-ca, --client-fingerprint or --tls-terminating-proxy: it used to serve anyone who knew the secret.
        let open = try await Self.ingest(withoutClientAuth, in: directory)
        #expect(open.status != 0)
        #expect(open.errors.contains("mutual TLS"), "\(open.errors)")
        let arguments = withoutClientAuth + ["--tls-terminating-proxy"]
        let server = try ChildProcess(try BuiltProducts.path(of: "hushbox-ingest"), arguments, directory: directory.path, environment: HushboxdLifecycleTests.environment())
        let listening = try await server.standardOutput.waitFor("listening", within: .seconds(20)) { $0.hasPrefix("listening on https://127.0.0.1:") }
        let port = try #require(Int(listening.split(separator: ":").last ?? ""))
        #expect(port > 0)
        _ = try await server.standardError.waitFor("proxy warning", within: .seconds(5)) { $0.contains("the proxy in front must check them") }
        server.send(SIGTERM)
        #expect(try await server.waitForExit(within: .seconds(10)) == 0)

        chmod(directory.child("keys/signing-secret"), 0o644)
        let refused = try await Self.ingest(arguments, in: directory)
        #expect(refused.status != 0)
        #expect(refused.errors.contains("chmod 600"), "\(refused.errors)")
    }
}
