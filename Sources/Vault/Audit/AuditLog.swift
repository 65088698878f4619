import Crypto
import Foundation
import GRDB

/// Appends to and reads the audit chain. Appending happens inside the caller's
/// transaction, so an entry commits with the change it records or not at all.
enum AuditLog {
    static func append(
        _ event: AuditEvent, tenant: TenantVault?, keys: KeyStore, now: Date, in db: Database
    ) throws(VaultError) -> Int64 {
        let last = try VaultError.guarding("reading the audit chain's head") {
            try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        }
        var record = AuditRecord(
            seq: (last?["seq"] as Int64? ?? 0) + 1, at: now.milliseconds, tenantID: tenant?.tenantID, actor: event.actor,
            action: event.action, subjectID: event.subjectID, detailsKeyID: nil, detailsSealed: nil,
            prevHash: last?["hash"] ?? AuditRecord.genesisHash, hash: Data()
        )
        if !event.details.isEmpty {
            let keyID = try detailsKeyID(for: event, tenant: tenant, keys: keys, in: db)
            let key = try keys.key(id: keyID, in: db)
            record.detailsKeyID = keyID
            record.detailsSealed = try seal(event.details, key: key, associatedData: record.detailsAssociatedData)
        }
        record.hash = record.computedHash
        try VaultError.guarding("appending to the audit log") { try record.insert(db) }
        return record.seq
    }

    /// The subject's key when there is a subject, else the tenant's audit key,
    /// else the device's.
    private static func detailsKeyID(for event: AuditEvent, tenant: TenantVault?, keys: KeyStore, in db: Database) throws(VaultError) -> String {
        if let subjectID = event.subjectID {
            guard let tenant else {
                throw VaultError(.invalidInput, "an audit entry about a subject must belong to a tenant")
            }
            switch try tenant.subjectKey(subjectID, in: db) {
            case .key(let id): return id
            case .destroyed: throw VaultError(.keyDestroyed, "subject \(subjectID) was erased; entries about them carry no details")
            case .unknownSubject: throw VaultError(.crossTenant, "subject \(subjectID) is not one of this tenant's")
            }
        }
        let purpose: KeyPurpose = tenant == nil ? .systemAudit : .tenantAudit
        guard let record = try keys.latestKey(purpose, tenantID: tenant?.tenantID, in: db) else {
            throw VaultError(.keyMissing, "no \(purpose.rawValue) key")
        }
        return record.id
    }

    private static func seal(_ details: [String: String], key: SymmetricKey, associatedData: Data) throws(VaultError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // A dictionary of strings always encodes.
        let json = (try? encoder.encode(details)) ?? Data("{}".utf8)
        return try CombinedAEAD.seal(json, key: key, associatedData: associatedData, what: "audit details")
    }

    static func entry(_ record: AuditRecord, keys: KeyStore, in db: Database) throws(VaultError) -> AuditEntry {
        var details = AuditEntry.Details.none
        if let sealed = record.detailsSealed, let keyID = record.detailsKeyID {
            let key: SymmetricKey
            do {
                key = try keys.key(id: keyID, in: db)
            } catch where error.code == .keyDestroyed {
                return entry(record, details: .erased)
            }
            guard let plaintext = CombinedAEAD.open(sealed, key: key, associatedData: record.detailsAssociatedData),
                let decoded = try? JSONDecoder().decode([String: String].self, from: plaintext)
            else {
                throw VaultError(.tampered, "the details of audit entry \(record.seq) failed authentication")
            }
            details = .readable(decoded)
        }
        return entry(record, details: details)
    }

    private static func entry(_ record: AuditRecord, details: AuditEntry.Details) -> AuditEntry {
        AuditEntry(
            sequence: record.seq, at: Date(milliseconds: record.at), tenantID: record.tenantID, actor: record.actor,
            action: record.action, subjectID: record.subjectID, details: details
        )
    }
}

extension TenantVault {
    /// Records an audit entry for this tenant in its own transaction.
    @discardableResult
    public func audit(_ event: AuditEvent) throws(VaultError) -> Int64 {
        try write("auditing \(event.action)") { db, _ throws(VaultError) in
            try audit(event, in: db)
        }
    }

    func audit(_ event: AuditEvent, in db: Database) throws(VaultError) -> Int64 {
        try AuditLog.append(event, tenant: self, keys: vault.keys, now: vault.now(), in: db)
    }

    /// A page of this tenant's audit entries, newest first: `limit` of them after
    /// skipping `offset`, read and opened in SQLite's order without loading the rest.
    public func auditEntries(newestFirstOffset offset: Int, limit: Int) throws(VaultError) -> [AuditEntry] {
        try vault.read("reading the audit log") { db throws(VaultError) in
            let records = try VaultError.guarding("reading the audit log") {
                try AuditRecord.filter(Column("tenant_id") == tenantID).order(Column("seq").desc).limit(limit, offset: offset).fetchAll(db)
            }
            var entries: [AuditEntry] = []
            for record in records { entries.append(try AuditLog.entry(record, keys: vault.keys, in: db)) }
            return entries
        }
    }

    /// How many audit entries this tenant has, counted in SQLite.
    public func auditEntryCount() throws(VaultError) -> Int {
        try vault.read("counting the audit log") { db throws(VaultError) in
            try VaultError.guarding("counting the audit log") { try AuditRecord.filter(Column("tenant_id") == tenantID).fetchCount(db) }
        }
    }

    /// This tenant's audit entries, oldest first, details opened where their key survives.
    public func auditEntries() throws(VaultError) -> [AuditEntry] {
        try vault.read("reading the audit log") { db throws(VaultError) in
            let records = try VaultError.guarding("reading the audit log") {
                try AuditRecord.filter(Column("tenant_id") == tenantID).order(Column("seq")).fetchAll(db)
            }
            var entries: [AuditEntry] = []
            for record in records { entries.append(try AuditLog.entry(record, keys: vault.keys, in: db)) }
            return entries
        }
    }
}

extension Vault {
    /// Records a device-level audit entry (no tenant), such as a key rotation.
    @discardableResult
    public func audit(_ event: AuditEvent) throws(VaultError) -> Int64 {
        try write("auditing \(event.action)") { db throws(VaultError) in
            try AuditLog.append(event, tenant: nil, keys: keys, now: now(), in: db)
        }
    }
}
