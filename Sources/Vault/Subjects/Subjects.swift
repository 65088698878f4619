import Foundation
import GRDB

extension TenantVault {
    /// The pseudonymous id of the person with this number, made (with the key
    /// that seals their audit details) the first time they are seen.
    public func subject(for number: PhoneNumber) throws(VaultError) -> String {
        try write("finding the subject for a caller") { db, sealer throws(VaultError) in
            try subjectID(kind: "caller", index: sealer.blindIndex(number), in: db)
        }
    }

    func subjectID(kind: String, index: Data, in db: Database) throws(VaultError) -> String {
        let existing = try VaultError.guarding("finding a subject") {
            try String.fetchOne(
                db, sql: "SELECT id FROM subjects WHERE tenant_id = ? AND kind = ? AND lookup_index = ?",
                arguments: [tenantID, kind, index]
            )
        }
        if let existing { return existing }
        let id = Self.newID()
        let dataKeyID = try vault.keys.activeDataKeyID(tenantID, in: db)
        let key = try vault.keys.create(.subject, tenantID: tenantID, under: dataKeyID, in: db)
        try VaultError.guarding("recording a subject") {
            try db.execute(
                sql: "INSERT INTO subjects (id, tenant_id, kind, lookup_index, key_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, tenantID, kind, index, key.id, timestamp()]
            )
        }
        return id
    }

    /// The key that seals a subject's audit details.
    func subjectKey(_ subjectID: String, in db: Database) throws(VaultError) -> SubjectKey {
        try VaultError.guarding("reading subject \(subjectID)") {
            guard let row = try Row.fetchOne(db, sql: "SELECT key_id FROM subjects WHERE tenant_id = ? AND id = ?", arguments: [tenantID, subjectID]) else {
                return .unknownSubject
            }
            let keyID: String? = row["key_id"]
            return keyID.map(SubjectKey.key) ?? .destroyed
        }
    }
}

/// Where a subject's key stands.
enum SubjectKey: Hashable {
    case key(String)
    /// Crypto-shredded: what it sealed can no longer be read.
    case destroyed
    case unknownSubject
}
