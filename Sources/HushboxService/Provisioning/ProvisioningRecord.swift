public import Foundation
internal import PrivateFiles

/// What `hushbox provision` remembers between runs (`/etc/hushbox/provisioning.json`,
/// no secrets): whose bundles this box takes, which it applied, and what they
/// made, so a re-run changes only what a bundle asks and an older bundle, or
/// one signed by another key, cannot roll the box back.
public struct ProvisioningRecord: Sendable, Hashable, Codable {
    public struct AppliedBundle: Sendable, Hashable, Codable {
        public var bundleID: String
        public var createdAt: Date
        public var appliedAt: Date

        enum CodingKeys: String, CodingKey {
            case bundleID = "bundle_id", createdAt = "created_at", appliedAt = "applied_at"
        }
    }

    /// The customer's signing key (base64) the first bundle was verified with.
    public var signer: String?
    public var bundles: [AppliedBundle] = []
    /// The organisation the bundles provision.
    public var tenantID: String?
    /// The API key made for the customer (its id; the token was shown once).
    public var apiKeyID: String?

    enum CodingKeys: String, CodingKey {
        case signer, bundles, tenantID = "tenant_id", apiKeyID = "api_key_id"
    }

    public init() {}

    static func read(_ path: String) throws(BundleError) -> ProvisioningRecord {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, limit: 256 * 1024)
        } catch .missing {
            return ProvisioningRecord()
        } catch {
            throw BundleError("\(path): \(error.reason)")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let record = try? decoder.decode(ProvisioningRecord.self, from: Data(bytes)) else {
            throw BundleError("\(path) is damaged (not the JSON `hushbox provision` writes); restore it, or remove it to start over")
        }
        return record
    }

    func write(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.replace(path, contents: Array(try encoder.encode(self)), permissions: 0o600)
    }
}
