import Foundation
import GRDB

/// A mailbox's own greeting: audio the customer recorded, kept as a sealed
/// object like any message. It replaces the default greeting only; the
/// recording disclaimer before it is the system's and stays.
extension TenantVault {
    /// Stores `audio` as the mailbox's greeting, replacing the one before.
    /// The caller checks the audio is playable; the vault keeps bytes.
    /// Returns the greeting's id.
    @discardableResult
    public func setGreeting(_ audio: [UInt8], forMailbox mailboxID: String, actor: String) throws(VaultError) -> String {
        guard try mailbox(mailboxID) != nil else { throw VaultError(.notFound, "there is no mailbox \(mailboxID) for this tenant") }
        let writer = try createObject()
        let summary: SealedObjectWriter.Summary
        do {
            try writer.write(audio)
            summary = try writer.finish()
        } catch {
            try? vault.objects.remove(tenantID: tenantID, objectID: writer.objectID)
            throw error
        }
        let greetingID = Self.newID()
        let replaced = try write("storing the greeting of mailbox \(mailboxID)") { db, _ throws(VaultError) in
            _ = try recordComplete(writer.objectID, summary: summary, in: db)
            let replaced = try removeGreetingRows(mailboxID: mailboxID, in: db)
            try VaultError.guarding("storing the greeting of mailbox \(mailboxID)") {
                try db.execute(
                    sql: "INSERT INTO greetings (id, tenant_id, mailbox_id, object_id, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [greetingID, tenantID, mailboxID, writer.objectID, timestamp()]
                )
                try db.execute(
                    sql: "UPDATE mailboxes SET greeting_id = ? WHERE tenant_id = ? AND id = ?", arguments: [greetingID, tenantID, mailboxID]
                )
            }
            _ = try audit(AuditEvent(action: "mailbox.greeting_set", actor: actor, details: ["mailbox_id": mailboxID, "greeting_id": greetingID]), in: db)
            return replaced
        }
        for objectID in replaced { try vault.objects.remove(tenantID: tenantID, objectID: objectID) }
        return greetingID
    }

    /// Goes back to the default greeting. False when the mailbox had none of its own.
    @discardableResult
    public func removeGreeting(forMailbox mailboxID: String, actor: String) throws(VaultError) -> Bool {
        let removed = try write("removing the greeting of mailbox \(mailboxID)") { db, _ throws(VaultError) in
            let removed = try removeGreetingRows(mailboxID: mailboxID, in: db)
            try VaultError.guarding("removing the greeting of mailbox \(mailboxID)") {
                try db.execute(sql: "UPDATE mailboxes SET greeting_id = NULL WHERE tenant_id = ? AND id = ?", arguments: [tenantID, mailboxID])
            }
            if !removed.isEmpty {
                _ = try audit(AuditEvent(action: "mailbox.greeting_removed", actor: actor, details: ["mailbox_id": mailboxID]), in: db)
            }
            return removed
        }
        for objectID in removed { try vault.objects.remove(tenantID: tenantID, objectID: objectID) }
        return !removed.isEmpty
    }

    /// The mailbox's own greeting as stored, or nil when it uses the default one.
    public func greetingAudio(forMailbox mailboxID: String) throws(VaultError) -> [UInt8]? {
        let objectID = try read("finding the greeting of mailbox \(mailboxID)") { db, _ throws(VaultError) in
            try VaultError.guarding("finding the greeting of mailbox \(mailboxID)") {
                try String.fetchOne(
                    db,
                    sql: """
                        SELECT g.object_id FROM greetings g JOIN mailboxes m ON m.tenant_id = g.tenant_id AND m.greeting_id = g.id
                        WHERE g.tenant_id = ? AND g.mailbox_id = ?
                        """,
                    arguments: [tenantID, mailboxID]
                )
            }
        }
        return try objectID.map { id throws(VaultError) in try openObject(id).readAll().bytes }
    }

    /// Deletes a mailbox's greeting rows and their object rows; returns the objects whose files must go after the commit.
    func removeGreetingRows(mailboxID: String, in db: Database) throws(VaultError) -> [String] {
        try VaultError.guarding("removing the greeting of mailbox \(mailboxID)") {
            let objects = try String.fetchAll(
                db, sql: "SELECT object_id FROM greetings WHERE tenant_id = ? AND mailbox_id = ?", arguments: [tenantID, mailboxID]
            )
            try db.execute(sql: "DELETE FROM greetings WHERE tenant_id = ? AND mailbox_id = ?", arguments: [tenantID, mailboxID])
            for objectID in objects {
                try ObjectRecord.owned(by: tenantID).filter(key: objectID).deleteAll(db)
            }
            return objects
        }
    }
}
