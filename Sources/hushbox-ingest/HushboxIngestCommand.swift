import ArgumentParser
import Crypto
import Foundation
import Hummingbird
import HummingbirdTLS
import Ingest
import Logging
import NIOSSL
import Uplink

/// The reference receiver a customer runs in their EU region: it takes what
/// boxes upload (docs/uplink-protocol.md), checks every signature, and stores
/// each object once, opened with the customer's private key.
@main
struct HushboxIngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hushbox-ingest",
        abstract: "Receive voicemail uploads from Hushbox boxes and store them on disk.",
        subcommands: [Serve.self, Keygen.self],
        defaultSubcommand: Serve.self
    )

    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve HTTPS (TLS 1.2+; box certificates required when --client-ca or --client-fingerprint is given).",
            discussion: "Prints 'listening on https://HOST:PORT' once ready. Ctrl-C or SIGTERM stops it."
        )

        @Option(help: ArgumentHelp("Address to listen on.", valueName: "host")) var host = "127.0.0.1"
        @Option(help: ArgumentHelp("Port; 0 lets the system choose.", valueName: "port")) var port = 8443
        @Option(help: ArgumentHelp("Where uploads and objects are kept (made 0700).", valueName: "dir")) var storage: String
        @Option(name: .customLong("secret-file"), help: ArgumentHelp("The signing secret shared with the boxes (whsec_…), one line.", valueName: "file"))
        var secretFile: String
        @Option(name: .customLong("private-key-file"), help: ArgumentHelp("The X25519 private key that opens sealed payloads (from `keygen`).", valueName: "file"))
        var privateKeyFile: String?
        @Option(help: ArgumentHelp("The server certificate chain (PEM).", valueName: "file")) var certificate: String
        @Option(name: .customLong("certificate-key"), help: ArgumentHelp("The server certificate's private key (PEM).", valueName: "file")) var certificateKey: String
        @Option(name: .customLong("client-ca"), help: ArgumentHelp("CA certificates (PEM) box certificates must chain to.", valueName: "file"))
        var clientCA: String?
        @Option(
            name: .customLong("client-fingerprint"),
            help: ArgumentHelp("The SHA-256 of a box's certificate, as its start-up summary prints it; repeat for each box. Only these boxes get in.", valueName: "sha256")
        )
        var clientFingerprints: [String] = []

        func validate() throws {
            if clientCA != nil, !clientFingerprints.isEmpty {
                throw ValidationError("give --client-ca (boxes with certificates from your CA) or --client-fingerprint (boxes with their own), not both")
            }
            for fingerprint in clientFingerprints where Self.normalised(fingerprint).count != 64 {
                throw ValidationError("--client-fingerprint \(fingerprint) is not a SHA-256 (64 hex digits, colons allowed)")
            }
        }

        static func normalised(_ fingerprint: String) -> String {
            fingerprint.lowercased().filter { $0.isHexDigit }
        }

        func run() async throws {
            let signature = try WebhookSignature(encodedSecret: try Self.readLine(secretFile, what: "the signing secret"))
            let recipient = try privateKeyFile.map { path in
                let text = try Self.readLine(path, what: "the private key")
                guard let raw = Data(base64Encoded: text), let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: raw) else {
                    throw ValidationError("\(path) does not hold a base64 X25519 private key; make one with `hushbox-ingest keygen`")
                }
                return key
            }
            let chain = try NIOSSLCertificate.fromPEMFile(certificate)
            if let own = chain.first {
                // A box's pin_sha256 when this certificate is self-signed (a CA-issued one: pin the CA's key instead).
                FileHandle.standardOutput.write(Data("certificate pin_sha256 \(try UplinkClient.spkiSHA256(of: own))\n".utf8))
            }
            var tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: certificateKey, format: .pem))
            )
            tls.minimumTLSVersion = .tlsv12
            if let clientCA {
                tls.certificateVerification = .noHostnameVerification
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
            }
            let store = try IngestStore(directory: storage, recipientKey: recipient)
            let router = IngestRoutes.router(store: store, signature: signature, now: IngestRoutes.systemNow)
            let channel: TLSChannelConfiguration
            if clientFingerprints.isEmpty {
                channel = TLSChannelConfiguration(tlsConfiguration: tls)
            } else {
                // A box's own self-signed certificate cannot act as a CA: let in the listed ones by fingerprint.
                tls.certificateVerification = .noHostnameVerification
                let allowed = Set(clientFingerprints.map(Self.normalised))
                channel = TLSChannelConfiguration(tlsConfiguration: tls) { certificates in
                    guard let leaf = certificates.first else { return .failed }
                    let fingerprint = SHA256.hash(data: try leaf.toDERBytes()).map { String(format: "%02x", $0) }.joined()
                    return allowed.contains(fingerprint) ? .certificateVerified : .failed
                }
            }
            let application = Application(
                router: router,
                server: try .tls(.http1(), configuration: channel),
                configuration: .init(address: .hostname(host, port: port), serverName: "hushbox-ingest"),
                onServerRunning: { channel in
                    let bound = channel.localAddress?.port ?? port
                    FileHandle.standardOutput.write(Data("listening on https://\(host):\(bound)\n".utf8))
                },
                logger: Logger(label: "hushbox-ingest")
            )
            try await application.runService()
        }

        /// A one-line secret file: it must exist and be readable by its owner only.
        static func readLine(_ path: String, what: String) throws -> String {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                let text = try? String(contentsOfFile: path, encoding: .utf8)
            else {
                throw ValidationError("cannot read \(what) from \(path)")
            }
            if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
                throw ValidationError("\(path) holds \(what) but has mode \(String(mode, radix: 8)); chmod 600 \(path)")
            }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make the keys a receiver needs: an X25519 key pair and a signing secret.",
            discussion: "Writes DIR/private-key and DIR/signing-secret (0600) and prints the two lines for the box's configuration and secrets."
        )

        @Option(help: ArgumentHelp("Where to write the files (made 0700).", valueName: "dir")) var out: String

        func run() throws {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let key = Curve25519.KeyAgreement.PrivateKey()
            let secret = WebhookSignature.secretPrefix + Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
            for (name, text) in [("private-key", key.rawRepresentation.base64EncodedString()), ("signing-secret", secret)] {
                let path = out + "/" + name
                guard !FileManager.default.fileExists(atPath: path) else { throw ValidationError("\(path) exists; not replacing a key") }
                guard FileManager.default.createFile(atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw ValidationError("cannot write \(path)")
                }
            }
            print("public_key: \(key.publicKey.rawRepresentation.base64EncodedString())   # uplink.destinations.<name>.public_key on the box")
            print("signing secret: \(out)/signing-secret   # copy to the box's secrets directory as uplink-<name> (mode 0600)")
        }
    }
}
