import Crypto
import Foundation
internal import NIOSSL
internal import Uplink
internal import Vault

/// Each uplink destination made ready before anything runs: its signing
/// secret read from the secrets directory, its TLS (the device certificate as
/// the box's identity, the receiver checked against the system's roots or
/// `ca_file`), and the customer's key payloads are sealed to.
struct UplinkSetup: Sendable {
    let destination: HushboxConfiguration.Destination
    let signature: WebhookSignature
    let tls: TLSConfiguration
    let recipient: Curve25519.KeyAgreement.PublicKey?

    static func prepare(_ configuration: HushboxConfiguration, identity: DeviceTLSIdentity) throws(StartupError) -> [UplinkSetup] {
        var setups: [UplinkSetup] = []
        for destination in configuration.uplink.destinations {
            let secretPath = configuration.secrets.directory + "/" + destination.signingSecretName
            guard let status = FileStatus.of(secretPath), status.type == .regular else {
                throw StartupError(
                    "uplink destination \(destination.name) needs its signing secret (the whsec_ line from hushbox-ingest keygen) in \(secretPath), mode 0600; it is missing"
                )
            }
            guard status.isPrivate else {
                throw StartupError("\(secretPath) has mode \(status.octalPermissions), which lets other users read the signing secret; chmod 600 \(secretPath)")
            }
            let signature: WebhookSignature
            do {
                signature = try WebhookSignature(encodedSecret: try String(contentsOfFile: secretPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))
            } catch {
                throw StartupError("\(secretPath): \(error)")
            }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.minimumTLSVersion = .tlsv12
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(identity.certificatePEM.utf8)).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem))
                if let caFile = destination.caFile {
                    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
                }
            } catch {
                throw StartupError("uplink destination \(destination.name): the TLS files do not load (\(error)); check tls.certificate and uplink.destinations.\(destination.name).ca_file")
            }
            let recipient = destination.publicKey.flatMap { Data(base64Encoded: $0) }.flatMap { try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: $0) }
            setups.append(UplinkSetup(destination: destination, signature: signature, tls: tls, recipient: recipient))
        }
        return setups
    }
}
