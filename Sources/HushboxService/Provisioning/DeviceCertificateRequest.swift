public import Foundation
internal import PrivateFiles
internal import SIPStack
internal import SwiftASN1
internal import X509

/// A box whose customer runs their own CA: a certificate signing request for
/// the device's own key (the key never leaves the box), and the signed
/// certificate installed in place of the self-signed one, after checking it
/// belongs to the key and is valid.
public enum DeviceCertificateRequest {
    /// A PEM CSR naming the device (and `names`: host names and IP addresses the
    /// box is reached at), signed with the device's TLS private key.
    public static func make(configuration: HushboxConfiguration, names: [String]) throws -> String {
        let identity = try DeviceTLSIdentity.load(certificatePath: configuration.tls.certificatePath, privateKeyPath: configuration.tls.privateKeyPath)
        let privateKey = try Certificate.PrivateKey(pemEncoded: identity.privateKeyPEM)
        let subject = try DistinguishedName {
            CommonName(configuration.device.name)
            OrganizationName("Hushbox device")
        }
        var alternatives: [GeneralName] = [.dnsName(configuration.device.name)]
        for name in names {
            if let address = AddressRange.addressBytes(name) {
                alternatives.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(address))))
            } else {
                alternatives.append(.dnsName(name))
            }
        }
        let extensions = try Certificate.Extensions {
            try ExtendedKeyUsage([.serverAuth, .clientAuth])
            SubjectAlternativeNames(alternatives)
        }
        let attributes = CertificateSigningRequest.Attributes([try .init(ExtensionRequest(extensions: extensions))])
        let request = try CertificateSigningRequest(
            version: .v1, subject: subject, privateKey: privateKey, attributes: attributes, signatureAlgorithm: .ecdsaWithSHA256
        )
        return try request.serializeAsPEM().pemString
    }

    /// Puts the CA's certificate (PEM; a chain after it is kept) in place of the
    /// current one. The current one is kept beside it as `.previous`.
    public static func install(_ pem: String, configuration: HushboxConfiguration, now: Date) throws -> String {
        let path = configuration.tls.certificatePath
        let current = try DeviceTLSIdentity.load(certificatePath: path, privateKeyPath: configuration.tls.privateKeyPath)
        let certificate: Certificate
        do {
            certificate = try Certificate(pemEncoded: pem)
        } catch {
            throw BundleError("not a PEM certificate: \(error)")
        }
        let key = try Certificate.PrivateKey(pemEncoded: current.privateKeyPEM)
        guard certificate.publicKey == key.publicKey else {
            throw BundleError("this certificate is for another key: it must be the one the CA signed for this box's request (`hushbox provision csr`)")
        }
        guard certificate.notValidBefore <= now.addingTimeInterval(300), now < certificate.notValidAfter else {
            throw BundleError("this certificate is valid from \(certificate.notValidBefore) to \(certificate.notValidAfter), not now; check the box's clock, or ask the CA again")
        }
        let previous = path + ".previous"
        try? FileManager.default.removeItem(atPath: previous)
        guard rename(path, previous) == 0 else { throw BundleError("cannot keep the current certificate as \(previous): \(String(cString: strerror(errno)))") }
        do {
            try PrivateFile.create(path, contents: Array(pem.utf8))
        } catch {
            _ = rename(previous, path)
            throw error
        }
        return try DeviceTLSIdentity.load(certificatePath: path, privateKeyPath: configuration.tls.privateKeyPath).fingerprint
    }
}
