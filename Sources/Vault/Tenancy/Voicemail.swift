public import Foundation
import GRDB

/// A message a caller left: a row pointing at its call and its sealed audio object.
public struct Voicemail: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, Codable {
        case active
        case softDeleted = "soft_deleted"
        case purged
    }

    public enum Codec: String, Sendable, Hashable, Codable {
        case opus
    }

    public let id: String
    public var mailboxID: String
    public var callID: String
    public var duration: Duration
    public var codec: Codec
    public var objectID: String?
    public var state: State
    public var heard: Bool
    public var createdAt: Date

    public init(
        id: String = UUID().uuidString.lowercased(), mailboxID: String, callID: String, duration: Duration,
        codec: Codec = .opus, objectID: String?, state: State = .active, heard: Bool = false, createdAt: Date
    ) {
        self.id = id
        self.mailboxID = mailboxID
        self.callID = callID
        self.duration = duration
        self.codec = codec
        self.objectID = objectID
        self.state = state
        self.heard = heard
        self.createdAt = createdAt
    }
}

/// A row of `voicemails`.
struct VoicemailRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "voicemails"

    var id: String
    var tenantID: String
    var mailboxID: String
    var callID: String
    var durationMs: Int64
    var codec: Voicemail.Codec
    var objectID: String?
    var state: Voicemail.State
    var heard: Bool
    var createdAt: Int64
    var softDeletedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case mailboxID = "mailbox_id"
        case callID = "call_id"
        case durationMs = "duration_ms"
        case codec
        case objectID = "object_id"
        case state, heard
        case createdAt = "created_at"
        case softDeletedAt = "soft_deleted_at"
    }

    init(_ voicemail: Voicemail, tenantID: String, softDeletedAt: Int64?) {
        id = voicemail.id
        self.tenantID = tenantID
        mailboxID = voicemail.mailboxID
        callID = voicemail.callID
        durationMs = voicemail.duration.milliseconds
        codec = voicemail.codec
        objectID = voicemail.objectID
        state = voicemail.state
        heard = voicemail.heard
        createdAt = voicemail.createdAt.milliseconds
        self.softDeletedAt = softDeletedAt
    }

    var voicemail: Voicemail {
        Voicemail(
            id: id, mailboxID: mailboxID, callID: callID, duration: .milliseconds(durationMs), codec: codec, objectID: objectID,
            state: state, heard: heard, createdAt: Date(milliseconds: createdAt)
        )
    }
}

extension Duration {
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

extension TenantVault {
    /// Stores a voicemail row. Its mailbox, call and object must be this
    /// tenant's: the schema's composite foreign keys refuse anything else.
    public func insert(_ voicemail: Voicemail) throws(VaultError) {
        try write("storing voicemail \(voicemail.id)") { db, _ throws(VaultError) in
            try insert(voicemail, in: db)
        }
    }

    func insert(_ voicemail: Voicemail, in db: Database) throws(VaultError) {
        do {
            try VoicemailRecord(voicemail, tenantID: tenantID, softDeletedAt: nil).insert(db)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw VaultError(.crossTenant, "voicemail \(voicemail.id) refers to a mailbox, call or object this tenant does not have")
        } catch {
            throw VaultError(.databaseFailure, "storing voicemail \(voicemail.id): \(error)")
        }
    }

    public func voicemail(_ id: String) throws(VaultError) -> Voicemail? {
        try read("reading voicemail \(id)") { db, _ throws(VaultError) in
            try VaultError.guarding("reading voicemail \(id)") { try VoicemailRecord.owned(by: tenantID).filter(key: id).fetchOne(db) }?.voicemail
        }
    }

    /// A mailbox's messages, newest first, once recorded (or recovered); soft-deleted ones only when asked.
    public func voicemails(mailboxID: String, includingDeleted: Bool = false) throws(VaultError) -> [Voicemail] {
        try read("listing voicemails") { db, _ throws(VaultError) in
            try VaultError.guarding("listing voicemails") {
                try listed(mailboxID: mailboxID, includingDeleted: includingDeleted)
                    .order(Column("created_at").desc, Column("id")).fetchAll(db).map(\.voicemail)
            }
        }
    }

    /// How many messages ``voicemails(mailboxID:includingDeleted:)`` would list,
    /// counted in SQLite: a call checks it to know whether the mailbox is full.
    public func voicemailCount(mailboxID: String) throws(VaultError) -> Int {
        try read("counting voicemails") { db, _ throws(VaultError) in
            try VaultError.guarding("counting voicemails") { try listed(mailboxID: mailboxID, includingDeleted: false).fetchCount(db) }
        }
    }

    /// A message still being recorded (its object still `writing`) is not listed yet.
    private func listed(mailboxID: String, includingDeleted: Bool) -> QueryInterfaceRequest<VoicemailRecord> {
        let request = VoicemailRecord.owned(by: tenantID).filter(Column("mailbox_id") == mailboxID)
            .filter(sql: "object_id IS NULL OR object_id IN (SELECT id FROM objects WHERE tenant_id = ? AND state != 'writing')", arguments: [tenantID])
        return includingDeleted ? request : request.filter(Column("state") == Voicemail.State.active.rawValue)
    }

    @discardableResult
    public func markHeard(_ id: String) throws(VaultError) -> Bool {
        try write("marking voicemail \(id) heard") { db, _ throws(VaultError) in
            try VaultError.guarding("marking voicemail \(id) heard") {
                try VoicemailRecord.owned(by: tenantID).filter(key: id).updateAll(db, Column("heard").set(to: true)) > 0
            }
        }
    }

    /// Hides a voicemail from every listing; the purge deletes it later. It
    /// must not leave the box now: a copy waiting in the uplink spool goes at once.
    @discardableResult
    public func softDelete(voicemail id: String) throws(VaultError) -> Bool {
        let spooled = try write("deleting voicemail \(id)") { db, _ throws(VaultError) -> [String]? in
            try VaultError.guarding("deleting voicemail \(id)") {
                let deleted = try VoicemailRecord.owned(by: tenantID).filter(key: id).filter(Column("state") == Voicemail.State.active.rawValue)
                    .updateAll(db, Column("state").set(to: Voicemail.State.softDeleted.rawValue), Column("soft_deleted_at").set(to: timestamp())) > 0
                guard deleted else { return nil }
                // Only this message's entries can have spooled copies to remove now.
                return try String.fetchAll(db, sql: "SELECT id FROM outbox WHERE tenant_id = ? AND reference_id = ?", arguments: [tenantID, id])
            }
        }
        for entry in spooled ?? [] { vault.removeSpooledFiles(ofEntry: entry) }
        return spooled != nil
    }
}
