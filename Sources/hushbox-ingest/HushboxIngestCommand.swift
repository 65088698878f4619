import ArgumentParser
import Crypto
import Foundation
import HTTPEdge
import Hummingbird
import HummingbirdTLS
import Ingest
import Logging
import NetworkLimits
import NIOSSL
import PrivateFiles
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
            abstract: "Serve HTTPS (TLS 1.2+) to boxes that present a certificate: --client-ca or --client-fingerprint, or --tls-terminating-proxy.",
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
        @Flag(
            name: .customLong("tls-terminating-proxy"),
            help: ArgumentHelp(
                "Ask boxes for no certificate: a TLS-terminating proxy you run in front of this receiver checks them. Without a proxy that does, any host that knows the signing secret gets in."
            )
        )
        var tlsTerminatingProxy = false
        @Option(name: .customLong("box-quota-mib"), help: ArgumentHelp("The most one box may hold here, uploads and objects, in MiB (507 beyond it).", valueName: "MiB"))
        var boxQuotaMiB = IngestStore.defaultBoxQuota >> 20
        @Option(name: .customLong("disk-reserve-mib"), help: ArgumentHelp("Free disk space never given to uploads, in MiB (507 when an upload would use it).", valueName: "MiB"))
        var diskReserveMiB = IngestStore.defaultDiskReserve >> 20
        @Option(name: .customLong("max-connections"), help: ArgumentHelp("Connections held open at once, in all.", valueName: "count"))
        var maxConnections = ConnectionBudget.Limits().total
        @Option(name: .customLong("max-connections-per-address"), help: ArgumentHelp("Connections held open at once from one address (an IPv6 /64 is one address).", valueName: "count"))
        var maxConnectionsPerAddress = ConnectionBudget.Limits().perSource
        @Option(
            name: .customLong("request-timeout"),
            help: ArgumentHelp("Seconds a connection has, from its start or its last request, to send a whole request (handshake, head and body).", valueName: "seconds")
        )
        var requestTimeout = 60
        @Option(
            name: .customLong("stale-upload-days"),
            help: ArgumentHelp("Days an unfinished upload may go without a byte before it is removed (checked at start and hourly).", valueName: "days")
        )
        var staleUploadDays = 7

        func validate() throws {
            if clientCA == nil, clientFingerprints.isEmpty, !tlsTerminatingProxy {
                throw ValidationError(
                    "boxes authenticate with mutual TLS: give --client-fingerprint SHA256 (one per box; `hushbox selftest` prints it) or --client-ca FILE; "
                        + "only when a TLS-terminating proxy in front checks their certificates, --tls-terminating-proxy"
                )
            }
            if tlsTerminatingProxy, clientCA != nil || !clientFingerprints.isEmpty {
                throw ValidationError("--tls-terminating-proxy asks for no certificate; it cannot go with --client-ca or --client-fingerprint")
            }
            guard (1...65_536).contains(maxConnections), (1...65_536).contains(maxConnectionsPerAddress), (1...3600).contains(requestTimeout) else {
                throw ValidationError("--max-connections and --max-connections-per-address must be from 1 to 65536, --request-timeout from 1 to 3600 seconds")
            }
            guard (1...3650).contains(staleUploadDays) else {
                throw ValidationError("--stale-upload-days must be from 1 to 3650")
            }
            guard (1...(1 << 24)).contains(boxQuotaMiB), (0...(1 << 24)).contains(diskReserveMiB) else {
                throw ValidationError("--box-quota-mib must be from 1 to 16777216 and --disk-reserve-mib from 0 to 16777216")
            }
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
            // A connection the receiver closes waits this long for the box's close_notify, holding its slot (NIOSSL's default: 5 s).
            tls.shutdownTimeout = .seconds(1)
            if let clientCA {
                tls.certificateVerification = .noHostnameVerification
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
            }
            let store = try IngestStore(directory: storage, recipientKey: recipient, boxQuota: boxQuotaMiB << 20, diskReserve: diskReserveMiB << 20)
            if tlsTerminatingProxy {
                FileHandle.standardError.write(Data("warning: --tls-terminating-proxy: this receiver asks boxes for no certificate; the proxy in front must check them\n".utf8))
            }
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
            let logger = Logger(label: "hushbox-ingest")
            let budget = ConnectionBudget(
                limits: .init(total: maxConnections, perSource: maxConnectionsPerAddress, requestDeadline: .seconds(requestTimeout))
            )
            let application = Application(
                router: router,
                server: try .tls(.http1(configuration: budget.http1Configuration()), configuration: channel),
                configuration: budget.listenerConfiguration(address: .hostname(host, port: port), serverName: "hushbox-ingest", logger: logger),
                onServerRunning: { channel in
                    let bound = channel.localAddress?.port ?? port
                    FileHandle.standardOutput.write(Data("listening on https://\(host):\(bound)\n".utf8))
                },
                logger: logger
            )
            let staleAge = Duration.seconds(staleUploadDays * 86_400)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await application.runService() }
                group.addTask {
                    // Unfinished uploads no byte reached for the stale age free their box's quota.
                    while !Task.isCancelled {
                        let expired = await store.expireStaleUploads(olderThan: staleAge, now: IngestRoutes.systemNow())
                        if expired > 0 {
                            FileHandle.standardError.write(Data("removed \(expired) unfinished uploads idle for over \(staleUploadDays) days\n".utf8))
                        }
                        try await Task.sleep(for: .seconds(3600))
                    }
                }
                // The server's end (a signal) ends the sweeper too.
                try await group.next()
                group.cancelAll()
            }
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
            try PrivateFile.ensureDirectory(out)
            guard let directory = FileStatus.of(out), directory.type == .directory else {
                throw ValidationError("\(out) is not a directory (a symbolic link is not followed); give a directory for the keys")
            }
            let key = Curve25519.KeyAgreement.PrivateKey()
            let secret = WebhookSignature.secretPrefix + Data(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }).base64EncodedString()
            let files = [("private-key", key.rawRepresentation.base64EncodedString()), ("signing-secret", secret)]
            // Both paths checked before either is written: a refusal leaves no half pair.
            for (name, _) in files where FileStatus.of(out + "/" + name) != nil {
                throw ValidationError("\(out)/\(name) exists (or is a link); not replacing a key")
            }
            for (name, text) in files {
                do {
                    try PrivateFile.create(out + "/" + name, contents: Array((text + "\n").utf8))
                } catch {
                    throw ValidationError("\(error); not replacing a key")
                }
            }
            print("public_key: \(key.publicKey.rawRepresentation.base64EncodedString())   # uplink.destinations.<name>.public_key on the box")
            print("signing secret: \(out)/signing-secret   # copy to the box's secrets directory as uplink-<name> (mode 0600)")
        }
    }
}
