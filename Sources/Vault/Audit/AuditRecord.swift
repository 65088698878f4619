import Crypto
import Foundation
import GRDB

/// A row of `audit_log`, and the canonical encoding its hash covers.
struct AuditRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "audit_log"
    static let genesisHash = Data(repeating: 0, count: 32)

    var seq: Int64
    var at: Int64
    var tenantID: String?
    var actor: String
    var action: String
    var subjectID: String?
    var detailsKeyID: String?
    var detailsSealed: Data?
    var prevHash: Data
    var hash: Data

    enum CodingKeys: String, CodingKey {
        case seq, at
        case tenantID = "tenant_id"
        case actor, action
        case subjectID = "subject_id"
        case detailsKeyID = "details_key_id"
        case detailsSealed = "details_sealed"
        case prevHash = "prev_hash"
        case hash
    }

    /// SHA-256(prev_hash ‖ canonical encoding of every other column). It covers
    /// the sealed details as stored, so destroying their key leaves it valid.
    var computedHash: Data {
        var encoding = CanonicalEncoding(domain: "hushbox/audit-entry/v1")
        encoding.append(seq)
        encoding.append(at)
        encoding.append(tenantID)
        encoding.append(actor)
        encoding.append(action)
        encoding.append(subjectID)
        encoding.append(detailsKeyID)
        encoding.append(detailsSealed)
        var hasher = SHA256()
        hasher.update(data: prevHash)
        hasher.update(data: encoding.data)
        return Data(hasher.finalize())
    }

    /// Associated data for the sealed details: the entry they belong to.
    var detailsAssociatedData: Data {
        var encoding = CanonicalEncoding(domain: "hushbox/audit-details/v1")
        encoding.append(seq)
        encoding.append(tenantID)
        encoding.append(actor)
        encoding.append(action)
        encoding.append(subjectID)
        return encoding.data
    }
}
