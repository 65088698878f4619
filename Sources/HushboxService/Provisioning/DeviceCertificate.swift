import Crypto
import Foundation
internal import SwiftASN1
internal import X509

/// Makes the device's self-signed TLS certificate: an ECDSA P-256 key and a
/// certificate naming the device, localhost and the loopback addresses, for its
/// SIP-over-TLS and HTTPS listeners until a customer installs one of their own.
enum DeviceCertificate {
    /// How long a generated certificate is valid. Peers pin its fingerprint, so a
    /// short life would mean frequent re-pinning; the summary warns before expiry.
    static let validity: TimeInterval = 730 * 24 * 3600

    /// A new key and certificate as PEM text.
    static func generate(deviceName: String, now: Date) throws -> (certificatePEM: String, privateKeyPEM: String) {
        let privateKey = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName {
            CommonName(deviceName)
            OrganizationName("Hushbox device")
        }
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectAlternativeNames([
                .dnsName(deviceName),
                .dnsName("localhost"),
                .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
            ])
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: privateKey.publicKey,
            // Backdated an hour so a peer whose clock is a little behind accepts it.
            notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(validity),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: privateKey
        )
        return (try certificate.serializeAsPEM().pemString, try privateKey.serializeAsPEM().pemString)
    }
}
