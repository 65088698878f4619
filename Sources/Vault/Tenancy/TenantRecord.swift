import Foundation
import GRDB

/// A row of `tenants`: an organisation whose data the box keeps.
struct TenantRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "tenants"

    var id: String
    var nameSealed: Sealed<String>
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case id
        case nameSealed = "name_sealed"
        case createdAt = "created_at"
    }
}
