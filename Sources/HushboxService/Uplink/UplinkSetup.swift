import Crypto
import Foundation
internal import NIOSSL
internal import Uplink
internal import Vault

/// Each uplink destination made ready before anything runs: its signing
/// secret read from the secrets directory, its TLS (the device certificate as
/// the box's identity, the receiver checked against the system's roots or
/// `ca_file`, narrowed to the pinned anchor when `pin_sha256` is set), and the
/// customer's key payloads are sealed to.
struct UplinkSetup: Sendable {
    let destination: HushboxConfiguration.Destination
    let signature: WebhookSignature
    let tls: TLSConfiguration
    let recipient: Curve25519.KeyAgreement.PublicKey?

    static func prepare(_ configuration: HushboxConfiguration, identity: DeviceTLSIdentity) throws(StartupError) -> [UplinkSetup] {
        var setups: [UplinkSetup] = []
        for destination in configuration.uplink.destinations {
            let signature = try SigningSecretFile.read(destination.signingSecretName, in: configuration, for: "uplink destination \(destination.name)", source: "the whsec_ line from hushbox-ingest keygen")
            let tls: TLSConfiguration
            do {
                let caPEM = try destination.caFile.map { try String(contentsOfFile: $0, encoding: .utf8) }
                tls = try UplinkClient.tlsConfiguration(
                    clientCertificatePEM: identity.certificatePEM, clientKeyPEM: identity.privateKeyPEM, trustRootsPEM: caPEM, pinSHA256: destination.pinSHA256
                )
            } catch let error as UplinkPinError {
                throw StartupError("uplink destination \(destination.name): \(error)")
            } catch {
                throw StartupError("uplink destination \(destination.name): the TLS files do not load (\(error)); check tls.certificate and uplink.destinations.\(destination.name).ca_file")
            }
            let recipient = destination.publicKey.flatMap { Data(base64Encoded: $0) }.flatMap { try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: $0) }
            setups.append(UplinkSetup(destination: destination, signature: signature, tls: tls, recipient: recipient))
        }
        return setups
    }
}
