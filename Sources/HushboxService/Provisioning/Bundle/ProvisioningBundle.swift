public import Crypto
public import Foundation

/// A provisioning bundle: the customer's `BundleContents`, signed with their
/// Ed25519 key. A box applies one only when the signature verifies against the
/// key the technician was given (`--signer`), so a bundle altered on the way,
/// or made by someone else, changes nothing.
///
/// On disk: `{"format": "hushbox-provisioning-bundle/1", "signer": <base64 key>,
/// "payload": <base64 JSON>, "signature": <base64>}`, the signature over
/// `"hushbox-provisioning-bundle/1\n" ‖ payload`.
public struct ProvisioningBundle: Sendable {
    public static let format = "hushbox-provisioning-bundle/1"
    /// Larger files are refused before they are parsed.
    public static let maximumBytes = 256 * 1024
    /// The longest a bundle may be valid: long enough to reach a site, short enough that a lost one dies.
    public static let maximumLifetime: TimeInterval = 30 * 86_400

    public let contents: BundleContents
    /// The signer's public key, base64: as the technician passes it with `--signer`.
    public let signer: String

    struct Envelope: Codable {
        var format: String
        var signer: String
        var payload: String
        var signature: String
    }

    /// Verifies `bytes` against `trusted` and decodes them. The payload is parsed
    /// only after its signature checks out.
    public static func open(_ bytes: [UInt8], trusting trusted: Curve25519.Signing.PublicKey, now: Date) throws(BundleError) -> ProvisioningBundle {
        guard bytes.count <= maximumBytes else {
            throw BundleError("the bundle is larger than \(maximumBytes / 1024) KiB; a real one is a few KiB")
        }
        guard let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(bytes)) else {
            throw BundleError("this is not a provisioning bundle: expected a JSON object with format, signer, payload and signature")
        }
        guard envelope.format == format else {
            throw BundleError("the bundle's format is \"\(envelope.format.prefix(64))\"; this box reads \"\(format)\". Update hushbox, or ask for a bundle in this format")
        }
        let trustedText = trusted.rawRepresentation.base64EncodedString()
        guard envelope.signer == trustedText else {
            throw BundleError(
                "the bundle is signed by key \(SealedBundleSecrets.fingerprint(of: envelope.signer)), not by the customer key you gave (\(SealedBundleSecrets.fingerprint(of: trustedText))). "
                    + "Do not apply it: check the key with the customer")
        }
        guard let payload = Data(base64Encoded: envelope.payload), let signature = Data(base64Encoded: envelope.signature) else {
            throw BundleError("the bundle's payload or signature is not base64")
        }
        guard trusted.isValidSignature(signature, for: signedBytes(payload)) else {
            throw BundleError("the bundle's signature does not verify: it was altered after the customer signed it. Do not apply it; ask for a new one")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let contents: BundleContents
        do {
            contents = try decoder.decode(BundleContents.self, from: payload)
        } catch {
            throw BundleError("the bundle is signed but its contents do not follow docs/provisioning-bundle.md: \(Self.describe(error))")
        }
        guard contents.createdAt <= now.addingTimeInterval(300) else {
            throw BundleError("the bundle was made in the future (\(contents.createdAt)); check this box's clock (`timedatectl`) before applying it")
        }
        guard now < contents.expiresAt else {
            throw BundleError("the bundle expired at \(contents.expiresAt); ask the customer for a new one")
        }
        guard contents.expiresAt.timeIntervalSince(contents.createdAt) <= maximumLifetime else {
            throw BundleError("the bundle is valid for more than 30 days; a lost bundle would work too long. Ask the customer for one that expires sooner")
        }
        return ProvisioningBundle(contents: contents, signer: trustedText)
    }

    /// Signs `contents` with the customer's key: what `hushbox bundle sign` writes.
    public static func sign(_ contents: BundleContents, with key: Curve25519.Signing.PrivateKey) throws -> [UInt8] {
        guard BundleContents.isBundleID(contents.bundleID) else {
            throw BundleError("bundle_id must be 1 to 64 letters, digits, dots, hyphens or underscores")
        }
        guard contents.expiresAt > contents.createdAt, contents.expiresAt.timeIntervalSince(contents.createdAt) <= maximumLifetime else {
            throw BundleError("expires_at must be after created_at, and at most 30 days after it")
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        let payload = try encoder.encode(contents)
        let signature = try key.signature(for: signedBytes(payload))
        let envelope = Envelope(
            format: format, signer: key.publicKey.rawRepresentation.base64EncodedString(), payload: payload.base64EncodedString(),
            signature: signature.base64EncodedString()
        )
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return Array(try encoder.encode(envelope))
    }

    /// Reads a signer's key as the technician types it: 32 bytes in base64.
    public static func signerKey(_ text: String) throws(BundleError) -> Curve25519.Signing.PublicKey {
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), raw.count == 32,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else {
            throw BundleError("--signer must be the customer's Ed25519 public key: 32 bytes in base64 (44 characters), as `hushbox bundle keygen` printed it")
        }
        return key
    }

    private static func signedBytes(_ payload: Data) -> Data {
        Data((format + "\n").utf8) + payload
    }

    private static func describe(_ error: any Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        switch decoding {
        case .dataCorrupted(let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
            return (context.codingPath.map(\.stringValue).joined(separator: ".") + ": " + context.debugDescription).trimmingCharacters(in: CharacterSet(charactersIn: ": "))
        case .keyNotFound(let key, let context):
            return "\((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is required"
        @unknown default:
            return "\(error)"
        }
    }
}
