public import Foundation
import GRDB

/// A call the box took or made. Its counterparty's number is personal data:
/// sealed in the row, findable only through the tenant's blind index.
public struct Call: Sendable, Hashable {
    public enum Direction: String, Sendable, Hashable, Codable {
        case inbound, outbound
    }

    /// Why the call was forwarded to the box, when it was (the reason a
    /// trunk or PBX gave in History-Info or Diversion).
    public enum DiversionReason: String, Sendable, Hashable, Codable, CaseIterable {
        case busy
        case noAnswer = "no_answer"
        case unconditional
        case unavailable
        case other
    }

    public enum Outcome: String, Sendable, Hashable, Codable {
        case inProgress = "in_progress"
        case recorded
        case noMessage = "no_message"
        case declinedConsent = "declined_consent"
        case mailboxFull = "mailbox_full"
        case rejected, failed
    }

    public let id: String
    public var mailboxID: String?
    public var direction: Direction
    public var startedAt: Date
    public var endedAt: Date?
    public var counterparty: PhoneNumber?
    public var outcome: Outcome
    /// Nil for a call that was not forwarded (or whose peer did not say).
    public var divertedBecause: DiversionReason?
    /// The pseudonymous person this call is about, for audit and erasure.
    public var subjectID: String?

    public var duration: Duration? {
        endedAt.map { .milliseconds($0.milliseconds - startedAt.milliseconds) }
    }

    public init(
        id: String = UUID().uuidString.lowercased(), mailboxID: String? = nil, direction: Direction, startedAt: Date,
        endedAt: Date? = nil, counterparty: PhoneNumber?, outcome: Outcome = .inProgress, subjectID: String? = nil,
        divertedBecause: DiversionReason? = nil
    ) {
        self.divertedBecause = divertedBecause
        self.id = id
        self.mailboxID = mailboxID
        self.direction = direction
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.counterparty = counterparty
        self.outcome = outcome
        self.subjectID = subjectID
    }
}

/// A row of `calls`.
struct CallRecord: Codable, FetchableRecord, PersistableRecord, Sendable {
    static let databaseTableName = "calls"

    var id: String
    var tenantID: String
    var mailboxID: String?
    var subjectID: String?
    var direction: Call.Direction
    var startedAt: Int64
    var endedAt: Int64?
    var durationMs: Int64?
    var counterpartySealed: Sealed<String>?
    var counterpartyIndex: Data?
    var outcome: Call.Outcome
    var divertedBecause: Call.DiversionReason?

    enum CodingKeys: String, CodingKey {
        case id
        case tenantID = "tenant_id"
        case mailboxID = "mailbox_id"
        case subjectID = "subject_id"
        case direction
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case durationMs = "duration_ms"
        case counterpartySealed = "counterparty_sealed"
        case counterpartyIndex = "counterparty_index"
        case outcome
        case divertedBecause = "diverted_because"
    }

    init(_ call: Call, tenantID: String, sealer: ColumnSealer) throws(VaultError) {
        id = call.id
        self.tenantID = tenantID
        mailboxID = call.mailboxID
        subjectID = call.subjectID
        direction = call.direction
        startedAt = call.startedAt.milliseconds
        endedAt = call.endedAt?.milliseconds
        durationMs = call.endedAt.map { $0.milliseconds - call.startedAt.milliseconds }
        counterpartySealed = try call.counterparty.map { number throws(VaultError) in try sealer.seal(number.e164, .callCounterparty, rowID: call.id) }
        counterpartyIndex = call.counterparty.map(sealer.blindIndex)
        outcome = call.outcome
        divertedBecause = call.divertedBecause
    }

    func call(sealer: ColumnSealer) throws(VaultError) -> Call {
        let counterparty = try counterpartySealed.map { sealed throws(VaultError) in
            try PhoneNumber(try sealer.open(sealed, .callCounterparty, rowID: id))
        }
        return Call(
            id: id, mailboxID: mailboxID, direction: direction, startedAt: Date(milliseconds: startedAt),
            endedAt: endedAt.map(Date.init(milliseconds:)), counterparty: counterparty, outcome: outcome, subjectID: subjectID,
            divertedBecause: divertedBecause
        )
    }
}

extension TenantVault {
    public func insert(_ call: Call) throws(VaultError) {
        try write("recording call \(call.id)") { db, sealer throws(VaultError) in
            try insert(call, in: db, sealer: sealer)
        }
    }

    /// Records many calls in one transaction (an import, a benchmark).
    public func insert(contentsOf calls: [Call]) throws(VaultError) {
        try write("recording \(calls.count) calls") { db, sealer throws(VaultError) in
            for call in calls { try insert(call, in: db, sealer: sealer) }
        }
    }

    func insert(_ call: Call, in db: Database, sealer: ColumnSealer) throws(VaultError) {
        let record = try CallRecord(call, tenantID: tenantID, sealer: sealer)
        try VaultError.guarding("recording call \(call.id)") { try record.insert(db) }
    }

    public func call(_ id: String) throws(VaultError) -> Call? {
        try read("reading call \(id)") { db, sealer throws(VaultError) in
            try VaultError.guarding("reading call \(id)") { try CallRecord.owned(by: tenantID).filter(key: id).fetchOne(db) }?
                .call(sealer: sealer)
        }
    }

    /// Calls, newest first; with `counterparty`, only that number's (by blind
    /// index). The calls of a person whose erasure is under way are not listed.
    public func calls(counterparty: PhoneNumber? = nil, limit: Int = 1000) throws(VaultError) -> [Call] {
        try read("listing calls") { db, sealer throws(VaultError) in
            var request = CallRecord.owned(by: tenantID).filter(
                sql: "subject_id IS NULL OR subject_id NOT IN (SELECT subject_id FROM deletion_requests WHERE tenant_id = ? AND state != 'completed')",
                arguments: [tenantID]
            )
            if let counterparty {
                request = request.filter(Column("counterparty_index") == sealer.blindIndex(counterparty))
            }
            let records = try VaultError.guarding("listing calls") {
                try request.order(Column("started_at").desc, Column("id")).limit(limit).fetchAll(db)
            }
            var calls: [Call] = []
            for record in records { calls.append(try record.call(sealer: sealer)) }
            return calls
        }
    }

    /// Replaces a call's row. Returns false when this tenant has no such call.
    @discardableResult
    public func update(_ call: Call) throws(VaultError) -> Bool {
        try write("updating call \(call.id)") { db, sealer throws(VaultError) in
            guard try exists(CallRecord.self, call.id, in: db) else { return false }
            let record = try CallRecord(call, tenantID: tenantID, sealer: sealer)
            try VaultError.guarding("updating call \(call.id)") { try record.update(db) }
            return true
        }
    }

    /// Deletes a call's row (and its consent rows). Returns false when this
    /// tenant has no such call.
    @discardableResult
    public func deleteCall(_ id: String) throws(VaultError) -> Bool {
        try write("deleting call \(id)") { db, _ throws(VaultError) in
            try VaultError.guarding("deleting call \(id)") { try CallRecord.owned(by: tenantID).filter(key: id).deleteAll(db) > 0 }
        }
    }
}
