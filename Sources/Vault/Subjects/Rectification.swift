import Foundation
import GRDB

extension TenantVault {
    /// Corrects a user's stored address and/or display name (GDPR article 16):
    /// re-sealed, the address's blind index moved with it. Audited with the
    /// fields changed, never their values. Returns the fields changed.
    @discardableResult
    public func rectify(user email: String, newEmail: String?, newDisplayName: String?, actor: String) throws(VaultError) -> [String] {
        if let newEmail, !newEmail.contains("@") || newEmail.count > 320 {
            throw VaultError(.invalidInput, "\"\(newEmail.prefix(3))…\" is not an e-mail address; nothing was changed")
        }
        return try write("correcting a user") { db, sealer throws(VaultError) in
            guard let userID = try userID(email: email, sealer: sealer, in: db) else {
                throw VaultError(.notFound, "no user of this organisation has that e-mail address; nothing was changed")
            }
            var changed: [String] = []
            if let newDisplayName {
                let sealed = try sealer.seal(newDisplayName, .userDisplayName, rowID: userID)
                try VaultError.guarding("correcting user \(userID)") {
                    try db.execute(sql: "UPDATE users SET display_name_sealed = ? WHERE tenant_id = ? AND id = ?", arguments: [sealed, tenantID, userID])
                }
                changed.append("display_name")
            }
            if let newEmail {
                let (oldIndex, newIndex) = (sealer.blindIndex(email: email), sealer.blindIndex(email: newEmail))
                let sealed = try sealer.seal(newEmail, .userEmail, rowID: userID)
                do {
                    try db.execute(
                        sql: "UPDATE users SET email_sealed = ?, email_index = ? WHERE tenant_id = ? AND id = ?", arguments: [sealed, newIndex, tenantID, userID]
                    )
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    throw VaultError(.conflict, "another user of this organisation has that address; nothing was changed")
                } catch {
                    throw VaultError(.databaseFailure, "correcting user \(userID): \(error)")
                }
                try moveLookup(kind: "user", from: oldIndex, to: newIndex, in: db)
                changed.append("email")
            }
            _ = try audit(AuditEvent(action: "user.rectified", actor: actor, details: ["user_id": userID, "fields": changed.joined(separator: ",")]), in: db)
            return changed
        }
    }

    /// Corrects the number a caller's calls are filed under (a number the
    /// network delivered wrongly, or one the person has since moved from):
    /// every call's sealed number and blind index. Audited with the count.
    @discardableResult
    public func rectify(caller number: PhoneNumber, to corrected: PhoneNumber, actor: String) throws(VaultError) -> Int {
        try write("correcting a caller's number") { db, sealer throws(VaultError) in
            let (oldIndex, newIndex) = (sealer.blindIndex(number), sealer.blindIndex(corrected))
            let calls = try VaultError.guarding("finding the caller's calls") {
                try String.fetchAll(db, sql: "SELECT id FROM calls WHERE tenant_id = ? AND counterparty_index = ?", arguments: [tenantID, oldIndex])
            }
            guard !calls.isEmpty else {
                throw VaultError(.notFound, "no call of this organisation is from that number; nothing was changed")
            }
            for id in calls {
                let sealed = try sealer.seal(corrected.e164, .callCounterparty, rowID: id)
                try VaultError.guarding("correcting call \(id)") {
                    try db.execute(
                        sql: "UPDATE calls SET counterparty_sealed = ?, counterparty_index = ? WHERE tenant_id = ? AND id = ?",
                        arguments: [sealed, newIndex, tenantID, id]
                    )
                }
            }
            try moveLookup(kind: "caller", from: oldIndex, to: newIndex, in: db)
            _ = try audit(AuditEvent(action: "caller.rectified", actor: actor, details: ["calls": "\(calls.count)"]), in: db)
            return calls.count
        }
    }

    /// The person's pseudonym (unless the corrected value already has one)
    /// and any erasure under way follow the corrected value.
    private func moveLookup(kind: String, from oldIndex: Data, to newIndex: Data, in db: Database) throws(VaultError) {
        try VaultError.guarding("moving the person's lookup") {
            try db.execute(
                sql: """
                    UPDATE subjects SET lookup_index = ?3 WHERE tenant_id = ?1 AND kind = ?2 AND lookup_index = ?4
                    AND NOT EXISTS (SELECT 1 FROM subjects WHERE tenant_id = ?1 AND kind = ?2 AND lookup_index = ?3)
                    """,
                arguments: [tenantID, kind, newIndex, oldIndex]
            )
            try db.execute(
                sql: "UPDATE deletion_requests SET lookup_index = ?3 WHERE tenant_id = ?1 AND subject_kind = ?2 AND lookup_index = ?4",
                arguments: [tenantID, kind, newIndex, oldIndex]
            )
        }
    }
}
