public import Crypto
import Foundation
internal import PrivateFiles

/// This box's provisioning key: an X25519 key pair made on the box
/// (`hushbox provision request`), whose public half the customer seals a
/// bundle's secrets to. The private half stays in the secrets directory (0600).
public enum BoxProvisioningKey {
    public static let fileName = "provisioning-key"

    /// The key, made now if the box has none yet.
    public static func loadOrCreate(in directory: String) throws -> Curve25519.KeyAgreement.PrivateKey {
        _ = try PrivateFile.ensureDirectory(directory)
        let path = directory + "/" + fileName
        if FileStatus.of(path) == nil {
            try PrivateFile.create(path, contents: Array(Curve25519.KeyAgreement.PrivateKey().rawRepresentation))
        }
        return try load(in: directory)
    }

    public static func load(in directory: String) throws(BundleError) -> Curve25519.KeyAgreement.PrivateKey {
        let path = directory + "/" + fileName
        guard let status = FileStatus.of(path) else {
            throw BundleError("the bundle's secrets are sealed to a box key, but this box has none (\(path)). Run `hushbox provision request` and send its key to the customer")
        }
        guard status.type == .regular, status.isPrivate else { throw BundleError("\(path) must be a regular file readable by its owner only: chmod 600 \(path)") }
        let bytes: [UInt8]
        do { bytes = try BoundedFile.read(path, limit: 64) } catch { throw BundleError("\(path): \(error.reason)") }
        guard let key = try? Curve25519.KeyAgreement.PrivateKey(rawRepresentation: bytes) else {
            throw BundleError("\(path) is not an X25519 private key (32 bytes)")
        }
        return key
    }
}
