import Crypto
import Foundation
import SwiftASN1
import X509

/// A throwaway self-signed certificate for 127.0.0.1 and localhost, made at
/// test time so no key ever sits in the repository.
public enum TestCertificate {
    /// - Parameter dnsNames: further names the certificate is valid for (a test domain).
    public static func selfSigned(commonName: String = "hushbox-test", dnsNames: [String] = []) throws -> (certificatePEM: String, privateKeyPEM: String) {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName(commonName) }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-60), notValidAfter: now.addingTimeInterval(3600),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))] + dnsNames.map { .dnsName($0) })
            },
            issuerPrivateKey: key
        )
        return (try certificate.serializeAsPEM().pemString, try key.serializeAsPEM().pemString)
    }
}

extension TestCertificate {
    /// The SHA-256 of a certificate's SubjectPublicKeyInfo in hex, computed with
    /// swift-certificates: an independent check of what the box pins.
    public static func spkiSHA256(ofPEM pem: String) throws -> String {
        let certificate = try Certificate(pemEncoded: pem)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate.publicKey)
        return SHA256.hash(data: serializer.serializedBytes).map { String(format: "%02x", $0) }.joined()
    }
}
