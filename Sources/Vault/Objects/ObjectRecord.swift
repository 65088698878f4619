import GRDB

/// A row of `objects`: one sealed audio object's key and state. The row and its
/// key are committed before the first byte is written, so a file whose writer
/// died can still be opened and recovered up to its last whole chunk.
struct ObjectRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "objects"

    enum State: String, Codable, Sendable {
        case writing, complete, cut
    }

    var id: String
    var tenantID: String
    var keyID: String?
    var state: State
    var byteCount: Int
    var chunkCount: Int
    var createdAt: Int64
    var completedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case keyID = "key_id"
        case state
        case byteCount = "byte_count"
        case chunkCount = "chunk_count"
        case createdAt = "created_at"
        case completedAt = "completed_at"
    }
}
