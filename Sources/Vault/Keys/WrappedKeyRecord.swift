import Foundation
import GRDB

/// A row of `wrapped_keys`: one key of the tree, sealed (AES-256-GCM) under its
/// parent, which is the device KEK when `wrappedBy` is nil.
struct WrappedKeyRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "wrapped_keys"

    var id: String
    var tenantID: String?
    var purpose: String
    var version: Int
    var wrappedBy: String?
    var sealedKey: Data
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case purpose, version
        case wrappedBy = "wrapped_by"
        case sealedKey = "sealed_key"
        case createdAt = "created_at"
    }

    /// The associated data that binds the wrapped bytes to this row: a wrapped key
    /// copied to another row, tenant, purpose or version fails to unwrap.
    var associatedData: Data {
        var encoding = CanonicalEncoding(domain: "hushbox/wrapped-key/v1")
        encoding.append(id)
        encoding.append(tenantID)
        encoding.append(purpose)
        encoding.append(Int64(version))
        encoding.append(wrappedBy)
        return encoding.data
    }
}
