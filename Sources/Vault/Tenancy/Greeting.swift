import Foundation
import GRDB

/// When a mailbox's own greeting plays: the standard one, or the one for a
/// call forwarded because the line was busy, or because nobody answered or
/// the phone could not be reached ("… is not available").
public enum GreetingPurpose: String, Sendable, Hashable, CaseIterable {
    case standard
    case busy
    case unavailable

    /// The greeting a call forwarded for `reason` asks for first (the
    /// standard one is what plays when the mailbox has none for it).
    public init(for reason: Call.DiversionReason?) {
        switch reason {
        case .busy?: self = .busy
        case .noAnswer?, .unavailable?: self = .unavailable
        case .unconditional?, .other?, nil: self = .standard
        }
    }
}

/// A mailbox's own greetings: audio the customer recorded, kept as sealed
/// objects like any message. They replace the default greeting only; the
/// recording disclaimer before them is the system's and stays.
extension TenantVault {
    /// Stores `audio` as the mailbox's greeting for `purpose`, replacing the
    /// one before. The caller checks the audio is playable; the vault keeps
    /// bytes. Returns the greeting's id.
    @discardableResult
    public func setGreeting(
        _ audio: [UInt8], forMailbox mailboxID: String, purpose: GreetingPurpose = .standard, actor: String
    ) throws(VaultError) -> String {
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
        let replaced = try write("storing the \(purpose.rawValue) greeting of mailbox \(mailboxID)") { db, _ throws(VaultError) in
            _ = try recordComplete(writer.objectID, summary: summary, in: db)
            let replaced = try removeGreetingRows(mailboxID: mailboxID, purpose: purpose, in: db)
            try VaultError.guarding("storing the \(purpose.rawValue) greeting of mailbox \(mailboxID)") {
                try db.execute(
                    sql: "INSERT INTO greetings (id, tenant_id, mailbox_id, object_id, purpose, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    arguments: [greetingID, tenantID, mailboxID, writer.objectID, purpose.rawValue, timestamp()]
                )
                if purpose == .standard {
                    try db.execute(
                        sql: "UPDATE mailboxes SET greeting_id = ? WHERE tenant_id = ? AND id = ?", arguments: [greetingID, tenantID, mailboxID]
                    )
                }
            }
            _ = try audit(AuditEvent(
                action: "mailbox.greeting_set", actor: actor, details: ["mailbox_id": mailboxID, "greeting_id": greetingID, "purpose": purpose.rawValue]
            ), in: db)
            return replaced
        }
        for objectID in replaced { try vault.objects.remove(tenantID: tenantID, objectID: objectID) }
        return greetingID
    }

    /// Goes back to the default greeting for `purpose` (for busy and
    /// unavailable: the standard one). False when the mailbox had none of its own.
    @discardableResult
    public func removeGreeting(forMailbox mailboxID: String, purpose: GreetingPurpose = .standard, actor: String) throws(VaultError) -> Bool {
        let removed = try write("removing the \(purpose.rawValue) greeting of mailbox \(mailboxID)") { db, _ throws(VaultError) in
            let removed = try removeGreetingRows(mailboxID: mailboxID, purpose: purpose, in: db)
            if purpose == .standard {
                try VaultError.guarding("removing the greeting of mailbox \(mailboxID)") {
                    try db.execute(sql: "UPDATE mailboxes SET greeting_id = NULL WHERE tenant_id = ? AND id = ?", arguments: [tenantID, mailboxID])
                }
            }
            if !removed.isEmpty {
                _ = try audit(AuditEvent(
                    action: "mailbox.greeting_removed", actor: actor, details: ["mailbox_id": mailboxID, "purpose": purpose.rawValue]
                ), in: db)
            }
            return removed
        }
        for objectID in removed { try vault.objects.remove(tenantID: tenantID, objectID: objectID) }
        return !removed.isEmpty
    }

    /// The mailbox's own greeting for `purpose` as stored, or nil when it has none.
    public func greetingAudio(forMailbox mailboxID: String, purpose: GreetingPurpose = .standard) throws(VaultError) -> [UInt8]? {
        let objectID = try read("finding the \(purpose.rawValue) greeting of mailbox \(mailboxID)") { db, _ throws(VaultError) in
            try VaultError.guarding("finding the \(purpose.rawValue) greeting of mailbox \(mailboxID)") {
                try String.fetchOne(
                    db, sql: "SELECT object_id FROM greetings WHERE tenant_id = ? AND mailbox_id = ? AND purpose = ?",
                    arguments: [tenantID, mailboxID, purpose.rawValue]
                )
            }
        }
        return try objectID.map { id throws(VaultError) in try openObject(id).readAll().bytes }
    }

    /// The purposes the mailbox has its own greeting for.
    public func greetingPurposes(forMailbox mailboxID: String) throws(VaultError) -> Set<GreetingPurpose> {
        try read("listing the greetings of mailbox \(mailboxID)") { db, _ throws(VaultError) in
            try VaultError.guarding("listing the greetings of mailbox \(mailboxID)") {
                Set(try String.fetchAll(db, sql: "SELECT purpose FROM greetings WHERE tenant_id = ? AND mailbox_id = ?", arguments: [tenantID, mailboxID])
                    .compactMap(GreetingPurpose.init(rawValue:)))
            }
        }
    }

    /// Deletes a mailbox's greeting rows (of one purpose, or all) and their
    /// object rows; returns the objects whose files must go after the commit.
    func removeGreetingRows(mailboxID: String, purpose: GreetingPurpose? = nil, in db: Database) throws(VaultError) -> [String] {
        try VaultError.guarding("removing the greetings of mailbox \(mailboxID)") {
            let filter = purpose == nil ? "" : " AND purpose = ?"
            var arguments: StatementArguments = [tenantID, mailboxID]
            if let purpose { arguments += [purpose.rawValue] }
            let objects = try String.fetchAll(db, sql: "SELECT object_id FROM greetings WHERE tenant_id = ? AND mailbox_id = ?" + filter, arguments: arguments)
            try db.execute(sql: "DELETE FROM greetings WHERE tenant_id = ? AND mailbox_id = ?" + filter, arguments: arguments)
            for objectID in objects {
                try ObjectRecord.owned(by: tenantID).filter(key: objectID).deleteAll(db)
            }
            return objects
        }
    }
}
