public import Foundation
import GRDB

/// A voice mailbox, reached by an E.164 number or a SIP user. Its number, SIP
/// user and display name are sealed; routing finds it by blind index.
public struct Mailbox: Sendable, Hashable {
    public let id: String
    public var number: PhoneNumber?
    public var sipUser: String?
    public var displayName: String?
    /// The language of its prompts, e.g. "de".
    public var language: String
    public var maxMessageSeconds: Int
    public var maxMessages: Int
    public var recordingEnabled: Bool
    /// Whether callers from countries that require it are asked for DTMF consent.
    public var consentRequired: Bool
    public var greetingID: String?

    public init(
        id: String = UUID().uuidString.lowercased(), number: PhoneNumber? = nil, sipUser: String? = nil,
        displayName: String? = nil, language: String = "en", maxMessageSeconds: Int = 180, maxMessages: Int = 100,
        recordingEnabled: Bool = true, consentRequired: Bool = true, greetingID: String? = nil
    ) {
        self.id = id
        self.number = number
        self.sipUser = sipUser
        self.displayName = displayName
        self.language = language
        self.maxMessageSeconds = maxMessageSeconds
        self.maxMessages = maxMessages
        self.recordingEnabled = recordingEnabled
        self.consentRequired = consentRequired
        self.greetingID = greetingID
    }
}

/// A row of `mailboxes`.
struct MailboxRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "mailboxes"

    var id: String
    var tenantID: String
    var numberSealed: Sealed<String>?
    var numberIndex: Data?
    var sipUserSealed: Sealed<String>?
    var sipUserIndex: Data?
    var displayNameSealed: Sealed<String>?
    var language: String
    var pinHash: String?
    var maxMessageSeconds: Int
    var maxMessages: Int
    var recordingEnabled: Bool
    var consentRequired: Bool
    var greetingID: String?
    var createdAt: Int64

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case numberSealed = "number_sealed"
        case numberIndex = "number_index"
        case sipUserSealed = "sip_user_sealed"
        case sipUserIndex = "sip_user_index"
        case displayNameSealed = "display_name_sealed"
        case language
        case pinHash = "pin_hash"
        case maxMessageSeconds = "max_message_seconds"
        case maxMessages = "max_messages"
        case recordingEnabled = "recording_enabled"
        case consentRequired = "consent_required"
        case greetingID = "greeting_id"
        case createdAt = "created_at"
    }

    init(_ mailbox: Mailbox, tenantID: String, pinHash: String?, createdAt: Int64, sealer: ColumnSealer) throws(VaultError) {
        id = mailbox.id
        self.tenantID = tenantID
        numberSealed = try mailbox.number.map { number throws(VaultError) in try sealer.seal(number.e164, .mailboxNumber, rowID: mailbox.id) }
        numberIndex = mailbox.number.map(sealer.blindIndex)
        sipUserSealed = try mailbox.sipUser.map { user throws(VaultError) in try sealer.seal(user, .mailboxSIPUser, rowID: mailbox.id) }
        sipUserIndex = mailbox.sipUser.map { sealer.blindIndex(sipUser: $0) }
        displayNameSealed = try mailbox.displayName.map { name throws(VaultError) in try sealer.seal(name, .mailboxDisplayName, rowID: mailbox.id) }
        language = mailbox.language
        self.pinHash = pinHash
        maxMessageSeconds = mailbox.maxMessageSeconds
        maxMessages = mailbox.maxMessages
        recordingEnabled = mailbox.recordingEnabled
        consentRequired = mailbox.consentRequired
        greetingID = mailbox.greetingID
        self.createdAt = createdAt
    }

    func mailbox(sealer: ColumnSealer) throws(VaultError) -> Mailbox {
        Mailbox(
            id: id,
            number: try numberSealed.map { sealed throws(VaultError) in try PhoneNumber(try sealer.open(sealed, .mailboxNumber, rowID: id)) },
            sipUser: try sipUserSealed.map { sealed throws(VaultError) in try sealer.open(sealed, .mailboxSIPUser, rowID: id) },
            displayName: try displayNameSealed.map { sealed throws(VaultError) in try sealer.open(sealed, .mailboxDisplayName, rowID: id) },
            language: language, maxMessageSeconds: maxMessageSeconds, maxMessages: maxMessages,
            recordingEnabled: recordingEnabled, consentRequired: consentRequired, greetingID: greetingID
        )
    }
}

extension ColumnSealer {
    /// SIP user parts compare case-sensitively (RFC 3261 §19.1.4), so no folding.
    func blindIndex(sipUser: String) -> Data {
        blindIndex(label: "sip-user", sipUser)
    }
}

extension TenantVault {
    public func insert(_ mailbox: Mailbox) throws(VaultError) {
        try write("creating mailbox \(mailbox.id)") { db, sealer throws(VaultError) in
            let record = try MailboxRecord(mailbox, tenantID: tenantID, pinHash: nil, createdAt: timestamp(), sealer: sealer)
            do {
                try record.insert(db)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw VaultError(.invalidInput, "a mailbox with this number or SIP user already exists, or a value is out of range (\(error.message ?? "constraint"))")
            } catch {
                throw VaultError(.databaseFailure, "creating mailbox \(mailbox.id): \(error)")
            }
        }
    }

    public func mailbox(_ id: String) throws(VaultError) -> Mailbox? {
        try read("reading mailbox \(id)") { db, sealer throws(VaultError) in
            try fetchMailbox(id, in: db)?.mailbox(sealer: sealer)
        }
    }

    /// The mailbox reached by this number, found by blind index.
    public func mailbox(number: PhoneNumber) throws(VaultError) -> Mailbox? {
        try read("finding a mailbox by number") { db, sealer throws(VaultError) in
            try VaultError.guarding("finding a mailbox by number") {
                try MailboxRecord.owned(by: tenantID).filter(Column("number_index") == sealer.blindIndex(number)).fetchOne(db)
            }?.mailbox(sealer: sealer)
        }
    }

    /// The mailbox reached by this SIP user, found by blind index.
    public func mailbox(sipUser: String) throws(VaultError) -> Mailbox? {
        try read("finding a mailbox by SIP user") { db, sealer throws(VaultError) in
            try VaultError.guarding("finding a mailbox by SIP user") {
                try MailboxRecord.owned(by: tenantID).filter(Column("sip_user_index") == sealer.blindIndex(sipUser: sipUser)).fetchOne(db)
            }?.mailbox(sealer: sealer)
        }
    }

    public func mailboxes() throws(VaultError) -> [Mailbox] {
        try read("listing mailboxes") { db, sealer throws(VaultError) in
            let records = try VaultError.guarding("listing mailboxes") {
                try MailboxRecord.owned(by: tenantID).order(Column("created_at"), Column("id")).fetchAll(db)
            }
            var mailboxes: [Mailbox] = []
            for record in records { mailboxes.append(try record.mailbox(sealer: sealer)) }
            return mailboxes
        }
    }

    /// Replaces a mailbox's settings, keeping its PIN. False when this tenant has no such mailbox.
    @discardableResult
    public func update(_ mailbox: Mailbox) throws(VaultError) -> Bool {
        try write("updating mailbox \(mailbox.id)") { db, sealer throws(VaultError) in
            guard let existing = try fetchMailbox(mailbox.id, in: db) else { return false }
            let record = try MailboxRecord(mailbox, tenantID: tenantID, pinHash: existing.pinHash, createdAt: existing.createdAt, sealer: sealer)
            do {
                try record.update(db)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw VaultError(.conflict, "another mailbox has this number or SIP user, or a value is out of range (\(error.message ?? "constraint")); nothing was changed")
            } catch {
                throw VaultError(.databaseFailure, "updating mailbox \(mailbox.id): \(error)")
            }
            return true
        }
    }

    /// Deletes a mailbox and its own greeting. False when this tenant has no such mailbox.
    @discardableResult
    public func deleteMailbox(_ id: String) throws(VaultError) -> Bool {
        let (deleted, greetings) = try write("deleting mailbox \(id)") { db, _ throws(VaultError) in
            let greetings = try removeGreetingRows(mailboxID: id, in: db)
            let deleted = try VaultError.guarding("deleting mailbox \(id)") { try MailboxRecord.owned(by: tenantID).filter(key: id).deleteAll(db) > 0 }
            return (deleted, greetings)
        }
        for objectID in greetings { try vault.objects.remove(tenantID: tenantID, objectID: objectID) }
        return deleted
    }

    func fetchMailbox(_ id: String, in db: Database) throws(VaultError) -> MailboxRecord? {
        try VaultError.guarding("reading mailbox \(id)") { try MailboxRecord.owned(by: tenantID).filter(key: id).fetchOne(db) }
    }
}

extension Vault {
    /// Whether a mailbox of another organisation on this box answers to this
    /// number or SIP user. Routing takes the first organisation that has one,
    /// so a customer setting another's number would take that one's calls.
    public func mailboxAddressTaken(number: PhoneNumber?, sipUser: String?, outside tenantID: String) throws(VaultError) -> Bool {
        for other in try tenantIDs() where other != tenantID {
            let tenant = TenantVault(vault: self, tenantID: other)
            if let number, try tenant.mailbox(number: number) != nil { return true }
            if let sipUser, try tenant.mailbox(sipUser: sipUser) != nil { return true }
        }
        return false
    }
}
