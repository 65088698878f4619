internal import Vault
import Crypto
public import Foundation
internal import SwiftASN1
internal import X509

/// The device's TLS certificate and key, loaded and checked at start: both parse,
/// the key is private and belongs to the certificate. An expired certificate is
/// reported, not refused: a box that stops answering calls helps no one.
public struct DeviceTLSIdentity: Sendable {
    public let certificatePath: String
    public let privateKeyPath: String
    public let subject: String
    public let notValidAfter: Date
    /// SHA-256 of the certificate's DER encoding, as colon-separated hex pairs:
    /// what a peer pins and what a technician compares.
    public let fingerprint: String
    /// The certificate and key as PEM, for the TLS listeners.
    public let certificatePEM: String
    let privateKeyPEM: String

    public static func load(certificatePath: String, privateKeyPath: String) throws(PathProblem) -> DeviceTLSIdentity {
        let certificatePEM = try read(certificatePath)
        guard let keyStatus = FileStatus.of(privateKeyPath), keyStatus.type == .regular else {
            throw PathProblem(privateKeyPath, "the private key file is missing. `hushbox provision init` makes a self-signed pair, or set tls.private_key.")
        }
        guard keyStatus.isPrivate else {
            throw PathProblem(privateKeyPath, "mode \(keyStatus.octalPermissions) lets other users read the private key; chmod 600 \(privateKeyPath)")
        }
        let privateKeyPEM = try read(privateKeyPath)
        let certificate: Certificate
        do {
            certificate = try Certificate(pemEncoded: certificatePEM)
        } catch {
            throw PathProblem(certificatePath, "not a PEM certificate (\(error))")
        }
        let privateKey: Certificate.PrivateKey
        do {
            privateKey = try Certificate.PrivateKey(pemEncoded: privateKeyPEM)
        } catch {
            throw PathProblem(privateKeyPath, "not a PEM private key (\(error))")
        }
        guard privateKey.publicKey == certificate.publicKey else {
            throw PathProblem(privateKeyPath, "this key does not belong to the certificate \(certificatePath)")
        }
        let der: [UInt8]
        do {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            der = serializer.serializedBytes
        } catch {
            throw PathProblem(certificatePath, "cannot be re-encoded (\(error))")
        }
        let fingerprint = SHA256.hash(data: der).map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return byte < 0x10 ? "0" + digits : digits
        }.joined(separator: ":")
        return DeviceTLSIdentity(
            certificatePath: certificatePath,
            privateKeyPath: privateKeyPath,
            subject: certificate.subject.description,
            notValidAfter: certificate.notValidAfter,
            fingerprint: fingerprint,
            certificatePEM: certificatePEM,
            privateKeyPEM: privateKeyPEM
        )
    }

    /// Days of validity left at `now`; negative once expired.
    public func daysLeft(at now: Date) -> Int {
        Int((notValidAfter.timeIntervalSince(now) / 86_400).rounded(.down))
    }

    private static func read(_ path: String) throws(PathProblem) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw PathProblem(path, PathProblem.reason(forReading: path, failure: error))
        }
    }
}
