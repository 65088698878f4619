public import Crypto
import Foundation
internal import Uplink

/// The secrets a bundle carries (a trunk's password, an uplink's signing
/// secret), sealed with HPKE to one box's provisioning key so the technician
/// who carries the bundle cannot read them, and another box cannot use them.
public struct SealedBundleSecrets: Sendable, Hashable, Codable {
    /// The box's provisioning public key (X25519, base64) they are sealed to.
    public var boxKey: String
    /// `PayloadSealing` output, base64: a JSON object of secret name → value.
    public var sealed: String

    enum CodingKeys: String, CodingKey {
        case boxKey = "box_key", sealed
    }

    /// The most a bundle's secrets may hold, sealed.
    static let maximumSealedBytes = 64 * 1024
    /// The longest single secret value.
    static let maximumValueBytes = 4096

    /// Seals `secrets` for the box whose provisioning key is `boxKey`, bound to one bundle.
    public static func seal(_ secrets: [String: String], to boxKey: Curve25519.KeyAgreement.PublicKey, bundleID: String) throws -> SealedBundleSecrets {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let plaintext = try encoder.encode(secrets)
        let sealed = try PayloadSealing.seal(plaintext, to: boxKey, info: info(bundleID))
        return SealedBundleSecrets(boxKey: boxKey.rawRepresentation.base64EncodedString(), sealed: sealed.base64EncodedString())
    }

    /// Opens them with the box's provisioning key; refuses secrets sealed to another box or for another bundle.
    public func open(with boxKey: Curve25519.KeyAgreement.PrivateKey, bundleID: String) throws(BundleError) -> [String: String] {
        guard boxKey.publicKey.rawRepresentation.base64EncodedString() == self.boxKey else {
            throw BundleError(
                "the bundle's secrets are sealed to another box (\(Self.fingerprint(of: self.boxKey))); this box's provisioning key is "
                    + "\(Self.fingerprint(of: boxKey.publicKey.rawRepresentation.base64EncodedString())). Ask the customer for a bundle made for this box (`hushbox provision request` prints its key).")
        }
        guard sealed.utf8.count <= Self.maximumSealedBytes * 4 / 3 + 4, let bytes = Data(base64Encoded: sealed) else {
            throw BundleError("the bundle's secrets are not base64, or larger than 64 KiB")
        }
        let plaintext: Data
        do {
            plaintext = try PayloadSealing.open(bytes, with: boxKey, info: Self.info(bundleID))
        } catch {
            throw BundleError("the bundle's secrets cannot be opened: they were altered, or sealed for another bundle (\(error))")
        }
        guard let secrets = try? JSONDecoder().decode([String: String].self, from: plaintext) else {
            throw BundleError("the bundle's secrets are not a JSON object of names and strings")
        }
        for (name, value) in secrets {
            guard value.utf8.count <= Self.maximumValueBytes, !value.isEmpty, !value.contains(where: \.isNewline) else {
                throw BundleError("the secret \(name) must be one line of 1 to \(Self.maximumValueBytes) bytes")
            }
        }
        return secrets
    }

    static func info(_ bundleID: String) -> Data {
        Data("hushbox-provisioning-secrets/1 \(bundleID)".utf8)
    }

    /// A short, comparable form of a base64 public key: the first 16 hex digits of its SHA-256.
    public static func fingerprint(of key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
