public import Foundation
import GRDB

/// A company the organisation has data processed by (here: a destination the
/// box delivers messages to), as its customers were told: who, what for,
/// where, and from when. Customers get 30 days' notice before one may
/// receive data.
public struct SubProcessor: Sendable, Hashable {
    public let id: String
    /// The name the box's configuration gives the destination (`uplink.destinations.NAME`).
    public let name: String
    public let purpose: String
    /// Where it processes the data: an ISO 3166 country code.
    public let region: String
    /// When customers were notified.
    public let noticeAt: Date
    /// From when it may receive data.
    public let goLiveAt: Date

    public func isLive(at now: Date) -> Bool { goLiveAt <= now }
}

extension TenantVault {
    /// The notice customers get before a new sub-processor may receive data.
    public static let subProcessorNoticePeriod: TimeInterval = 30 * 86_400

    /// Registers a sub-processor and schedules its go-live: 30 days after
    /// the customer notice (given now, or on `noticeGiven` when customers were
    /// told before), or later when `goLive` says so. Audited.
    public func registerSubProcessor(
        name: String, purpose: String, region: String, goLive: Date? = nil, noticeGiven: Date? = nil, actor: String
    ) throws(VaultError) -> SubProcessor {
        let now = vault.now()
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw VaultError(.invalidInput, "a sub-processor's name is its destination's name in the configuration: 1 to 64 letters, digits, - or _")
        }
        guard !purpose.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw VaultError(.invalidInput, "say what the sub-processor does with the data (--purpose); customers are told")
        }
        let notice = noticeGiven ?? now
        guard notice <= now else { throw VaultError(.invalidInput, "a notice cannot have been given in the future; nothing was registered") }
        let earliest = notice.addingTimeInterval(Self.subProcessorNoticePeriod)
        let live = goLive ?? earliest
        guard live >= earliest else {
            throw VaultError(
                .invalidInput,
                "\(name) may receive data from \(ISO8601DateFormatter().string(from: earliest)) at the earliest: 30 days after the customer notice; nothing was registered"
            )
        }
        let id = Self.newID()
        return try write("registering sub-processor \(name)") { db, _ throws(VaultError) in
            guard try subProcessor(named: name, in: db) == nil else {
                throw VaultError(.conflict, "\(name) is already registered; remove it first to register it anew")
            }
            try VaultError.guarding("registering sub-processor \(name)") {
                try db.execute(
                    sql: "INSERT INTO subprocessors (id, tenant_id, name, purpose, region, go_live_at, notice_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [id, tenantID, name, purpose, region, live.milliseconds, notice.milliseconds]
                )
            }
            _ = try audit(
                AuditEvent(
                    action: "subprocessor.registered", actor: actor,
                    details: [
                        "name": name, "region": region, "notice": ISO8601DateFormatter().string(from: notice),
                        "go_live": ISO8601DateFormatter().string(from: live),
                    ]
                ),
                in: db
            )
            return SubProcessor(id: id, name: name, purpose: purpose, region: region, noticeAt: notice, goLiveAt: live)
        }
    }

    /// The register, by go-live date.
    public func subProcessors() throws(VaultError) -> [SubProcessor] {
        try read("reading the sub-processor register") { db, _ throws(VaultError) in
            try VaultError.guarding("reading the sub-processor register") {
                try Row.fetchAll(
                    db, sql: "SELECT id, name, purpose, region, notice_at, go_live_at FROM subprocessors WHERE tenant_id = ? ORDER BY go_live_at, name",
                    arguments: [tenantID]
                ).map(Self.subProcessor)
            }
        }
    }

    /// The sub-processor a destination name is registered as, if it is.
    public func subProcessor(named name: String) throws(VaultError) -> SubProcessor? {
        try read("reading the sub-processor register") { db, _ throws(VaultError) in
            try subProcessor(named: name, in: db)
        }
    }

    /// Takes a sub-processor off the register: the box delivers nothing more to it. Audited.
    public func removeSubProcessor(named name: String, actor: String) throws(VaultError) {
        try write("removing sub-processor \(name)") { db, _ throws(VaultError) in
            let removed = try VaultError.guarding("removing sub-processor \(name)") {
                try db.execute(sql: "DELETE FROM subprocessors WHERE tenant_id = ? AND name = ?", arguments: [tenantID, name])
                return db.changesCount
            }
            guard removed > 0 else { throw VaultError(.notFound, "\(name) is not on the register") }
            _ = try audit(AuditEvent(action: "subprocessor.removed", actor: actor, details: ["name": name]), in: db)
        }
    }

    private func subProcessor(named name: String, in db: Database) throws(VaultError) -> SubProcessor? {
        try VaultError.guarding("reading the sub-processor register") {
            try Row.fetchOne(
                db, sql: "SELECT id, name, purpose, region, notice_at, go_live_at FROM subprocessors WHERE tenant_id = ? AND name = ?",
                arguments: [tenantID, name]
            ).map(Self.subProcessor)
        }
    }

    private static func subProcessor(_ row: Row) -> SubProcessor {
        SubProcessor(
            id: row["id"], name: row["name"], purpose: row["purpose"], region: row["region"], noticeAt: Date(milliseconds: row["notice_at"]),
            goLiveAt: Date(milliseconds: row["go_live_at"])
        )
    }
}
