public import Foundation
import GRDB

/// One queued delivery: a record (a voicemail) for one uplink destination.
/// Entries are written in the same transaction as what they carry
/// (``TenantVault/completeCall(_:consent:recording:outboxDestinations:actor:)``)
/// and leave the queue only as `delivered`; nothing here deletes one.
public struct OutboxEntry: Sendable, Hashable {
    /// An entry that tells a destination to erase a message it received
    /// (its reference is the message's id, which the destination knows it by).
    public static let eraseKind = "erasure"

    public enum State: String, Sendable, Hashable {
        case pending
        /// An attempt is under way, or was when the box stopped: it resumes.
        case delivering
        case delivered
        /// The receiver gave an answer retrying cannot change: kept for a person to look at.
        case abandoned
        /// Its message was deleted by its owner before delivery: never sent, closed.
        case withdrawn
    }

    public let id: String
    public let kind: String
    public let referenceID: String
    public let destination: String
    public let state: State
    public let attempts: Int
    public let nextAttemptAt: Date
    public let createdAt: Date
}

/// How one delivery attempt ended, as the delivery log records it (no personal data).
public enum DeliveryOutcome: String, Sendable, Hashable {
    case delivered
    /// Unreachable or busy: try again at the time given.
    case retry
    /// 401/403: credentials or clock to fix; tried again at the time given.
    case refused
    /// An answer retrying will not change; the entry is abandoned, not deleted.
    case failed
    /// The message was deleted before it was delivered; the entry is closed unsent.
    case withdrawn
}

extension TenantVault {
    /// Entries for `destination` that are due at `now`, oldest first: pending
    /// ones whose time has come and any a stop left `delivering`.
    public func dueOutboxEntries(destination: String, at now: Date, limit: Int) throws(VaultError) -> [OutboxEntry] {
        try read("reading the outbox") { db, _ throws(VaultError) in
            try VaultError.guarding("reading the outbox") {
                try Row.fetchAll(
                    db,
                    sql: """
                        \(Self.selectEntries)
                        WHERE tenant_id = ? AND destination = ? AND (state = 'delivering' OR (state = 'pending' AND next_attempt_at <= ?))
                        ORDER BY created_at, id LIMIT ?
                        """,
                    arguments: [tenantID, destination, now.milliseconds, limit]
                ).map(Self.entry)
            }
        }
    }

    public func outboxEntry(_ id: String) throws(VaultError) -> OutboxEntry? {
        try read("reading outbox entry \(id)") { db, _ throws(VaultError) in
            try VaultError.guarding("reading outbox entry \(id)") {
                try Row.fetchOne(
                    db,
                    sql: "\(Self.selectEntries) WHERE tenant_id = ? AND id = ?",
                    arguments: [tenantID, id]
                ).map(Self.entry)
            }
        }
    }

    /// Marks an entry as being delivered, before the first byte leaves.
    public func markDelivering(_ id: String) throws(VaultError) {
        try write("starting delivery of \(id)") { db, _ throws(VaultError) in
            try VaultError.guarding("starting delivery of \(id)") {
                try db.execute(
                    sql: "UPDATE outbox SET state = 'delivering' WHERE tenant_id = ? AND id = ? AND state IN ('pending', 'delivering')",
                    arguments: [tenantID, id]
                )
            }
        }
    }

    /// Ends an attempt: the delivery log line and the entry's new state, in one transaction.
    /// - Parameter nextAttempt: when to try again, for `retry` and `refused`.
    public func recordDeliveryAttempt(
        _ id: String, outcome: DeliveryOutcome, statusCode: Int?, nextAttempt: Date? = nil
    ) throws(VaultError) {
        let now = timestamp()
        try write("recording a delivery attempt of \(id)") { db, _ throws(VaultError) in
            let found = try VaultError.guarding("reading outbox entry \(id)") {
                try Int.fetchOne(db, sql: "SELECT attempts FROM outbox WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
            }
            guard let attempts = found else { throw VaultError(.notFound, "there is no outbox entry \(id) for this tenant") }
            try VaultError.guarding("recording a delivery attempt of \(id)") {
                try db.execute(
                    sql: "INSERT INTO delivery_log (outbox_id, attempt, at, outcome, status_code) VALUES (?, ?, ?, ?, ?)",
                    arguments: [id, attempts + 1, now, outcome.rawValue, statusCode]
                )
                switch outcome {
                case .delivered:
                    try db.execute(
                        sql: "UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ? WHERE tenant_id = ? AND id = ?",
                        arguments: [now, tenantID, id]
                    )
                case .retry, .refused:
                    try db.execute(
                        sql: "UPDATE outbox SET state = 'pending', attempts = attempts + 1, next_attempt_at = ? WHERE tenant_id = ? AND id = ?",
                        arguments: [(nextAttempt?.milliseconds ?? now), tenantID, id]
                    )
                case .failed:
                    try db.execute(
                        sql: "UPDATE outbox SET state = 'abandoned', attempts = attempts + 1 WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]
                    )
                case .withdrawn:
                    // An attempt a stop interrupted (still `delivering`) may have sent bytes: it
                    // counts, so an erasure later still tells that destination (SQLite's SET sees the old state).
                    try db.execute(
                        sql: "UPDATE outbox SET state = 'withdrawn', attempts = attempts + (state = 'delivering') WHERE tenant_id = ? AND id = ?",
                        arguments: [tenantID, id]
                    )
                }
            }
        }
        // Delivered or withdrawn, the entry needs no copy any more (a crash before this, the worker's start-up sweep removes it).
        if outcome == .delivered || outcome == .withdrawn { vault.removeSpooledFiles(ofEntry: id) }
    }

    /// The queue for `destination`: undelivered entries and when the oldest was queued (for the metrics).
    public func outboxDepth(destination: String) throws(VaultError) -> (undelivered: Int, oldest: Date?) {
        try read("measuring the outbox") { db, _ throws(VaultError) in
            try VaultError.guarding("measuring the outbox") {
                let row = try Row.fetchOne(
                    db,
                    sql: "SELECT count(*), min(created_at) FROM outbox WHERE tenant_id = ? AND destination = ? AND state NOT IN ('delivered', 'withdrawn')",
                    arguments: [tenantID, destination]
                )
                return (row?[0] ?? 0, (row?[1] as Int64?).map { Date(milliseconds: $0) })
            }
        }
    }

    /// The delivery log of an entry, oldest first: (attempt, outcome, status code).
    public func deliveryLog(_ id: String) throws(VaultError) -> [(attempt: Int, outcome: DeliveryOutcome, statusCode: Int?)] {
        try read("reading the delivery log") { db, _ throws(VaultError) in
            try VaultError.guarding("reading the delivery log") {
                try Row.fetchAll(db, sql: "SELECT attempt, outcome, status_code FROM delivery_log WHERE outbox_id = ? ORDER BY id", arguments: [id]).map {
                    (attempt: $0[0], outcome: DeliveryOutcome(rawValue: $0[1]) ?? .failed, statusCode: $0[2])
                }
            }
        }
    }

    /// The columns ``entry(_:)`` reads, in its order.
    static let selectEntries = "SELECT id, kind, reference_id, destination, state, attempts, next_attempt_at, created_at FROM outbox"

    static func entry(_ row: Row) -> OutboxEntry {
        OutboxEntry(
            id: row[0], kind: row[1], referenceID: row[2], destination: row[3], state: OutboxEntry.State(rawValue: row[4]) ?? .pending,
            attempts: row[5], nextAttemptAt: Date(milliseconds: row[6]), createdAt: Date(milliseconds: row[7])
        )
    }
}

extension TenantVault {
    /// The tenant's entries, oldest first: every one not yet delivered (pending,
    /// delivering, abandoned), and with `includingClosed` the delivered and withdrawn too.
    public func outboxEntries(includingClosed: Bool = false) throws(VaultError) -> [OutboxEntry] {
        try read("listing the outbox") { db, _ throws(VaultError) in
            try VaultError.guarding("listing the outbox") {
                try Row.fetchAll(
                    db,
                    sql: """
                        \(Self.selectEntries)
                        WHERE tenant_id = ? AND (? OR state IN ('pending', 'delivering', 'abandoned'))
                        ORDER BY created_at, id
                        """,
                    arguments: [tenantID, includingClosed]
                ).map(Self.entry)
            }
        }
    }

    /// Puts an abandoned entry back in the queue, due now, audited. Its attempts
    /// and its delivery log stay; only an abandoned entry can be put back. Its
    /// spooled copy goes: the next attempt makes one from the message as it is,
    /// for the destination's key as configured now.
    public func requeue(_ id: String, actor: String) throws(VaultError) {
        let now = timestamp()
        try write("putting outbox entry \(id) back in the queue") { db, _ throws(VaultError) in
            let state = try VaultError.guarding("reading outbox entry \(id)") {
                try String.fetchOne(db, sql: "SELECT state FROM outbox WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
            }
            guard let state else { throw VaultError(.notFound, "there is no outbox entry \(id) for this tenant; see `hushbox uplink list`") }
            guard state == OutboxEntry.State.abandoned.rawValue else {
                throw VaultError(.conflict, "outbox entry \(id) is \(state); only an abandoned entry is put back (the others are on their way or done)")
            }
            try VaultError.guarding("putting outbox entry \(id) back in the queue") {
                try db.execute(
                    sql: "UPDATE outbox SET state = 'pending', next_attempt_at = ? WHERE tenant_id = ? AND id = ?", arguments: [now, tenantID, id]
                )
            }
            _ = try audit(AuditEvent(action: "uplink.requeued", actor: actor, details: ["outbox_id": id]), in: db)
        }
        vault.removeSpooledFiles(ofEntry: id)
    }
}
