import Foundation
import GRDB

/// One tenant's view of the vault. Every query it runs is filtered by its
/// tenant id, and every value it seals is bound to it, so no id, guessed or
/// leaked, reaches another tenant's rows, objects or keys.
public struct TenantVault: Sendable {
    public let tenantID: String
    let vault: Vault

    init(vault: Vault, tenantID: String) {
        self.vault = vault
        self.tenantID = tenantID
    }

    /// Runs `body` in a write transaction with this tenant's current keys.
    func write<T>(_ what: String, _ body: (Database, ColumnSealer) throws(VaultError) -> T) throws(VaultError) -> T {
        try vault.write(what) { db throws(VaultError) in
            try body(db, ColumnSealer(keys: try vault.keys.tenantKeys(tenantID, in: db)))
        }
    }

    func read<T>(_ what: String, _ body: (Database, ColumnSealer) throws(VaultError) -> T) throws(VaultError) -> T {
        try vault.read(what) { db throws(VaultError) in
            try body(db, ColumnSealer(keys: try vault.keys.tenantKeys(tenantID, in: db)))
        }
    }

    /// The organisation's name.
    public func name() throws(VaultError) -> String {
        try read("reading the tenant's name") { db, sealer throws(VaultError) in
            guard let record = try VaultError.guarding("reading tenant", { try TenantRecord.fetchOne(db, key: tenantID) }) else {
                throw VaultError(.notFound, "there is no tenant \(tenantID)")
            }
            return try sealer.open(record.nameSealed, .tenantName, rowID: tenantID)
        }
    }

    /// A new random row id.
    static func newID() -> String {
        UUID().uuidString.lowercased()
    }

    func timestamp() -> Int64 {
        Int64(vault.now().timeIntervalSince1970 * 1000)
    }
}

extension Date {
    init(milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}

/// Scoping for tenant-owned tables: every lookup by id also matches the tenant.
extension TableRecord {
    static func owned(by tenantID: String) -> QueryInterfaceRequest<Self> {
        all().filter(Column("tenant_id") == tenantID)
    }
}

extension TenantVault {
    /// Whether this tenant owns a row with this id: the gate before any write by id.
    func exists<Record: TableRecord>(_ type: Record.Type, _ id: String, in db: Database) throws(VaultError) -> Bool {
        try VaultError.guarding("looking up \(Record.databaseTableName) \(id)") {
            try Record.owned(by: tenantID).filter(key: id).fetchCount(db) == 1
        }
    }
}
