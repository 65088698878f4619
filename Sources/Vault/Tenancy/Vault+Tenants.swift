import Foundation
import GRDB

extension Vault {
    /// Creates an organisation with its own data, index and audit keys.
    public func createTenant(name: String) throws(VaultError) -> TenantVault {
        let tenantID = UUID().uuidString.lowercased()
        try write("creating a tenant") { db throws(VaultError) in
            // The tenant row must exist before keys reference it, and its name is
            // sealed under its own key: insert, make keys, then seal the name.
            try VaultError.guarding("creating tenant \(tenantID)") {
                try db.execute(
                    sql: "INSERT INTO tenants (id, name_sealed, created_at) VALUES (?, X'', ?)",
                    arguments: [tenantID, Int64(now().timeIntervalSince1970 * 1000)]
                )
            }
            let dataKey = try keys.create(.tenantData, tenantID: tenantID, under: nil, in: db)
            _ = try keys.create(.tenantIndex, tenantID: tenantID, under: nil, in: db)
            _ = try keys.create(.tenantAudit, tenantID: tenantID, under: dataKey.id, in: db)
            let sealer = ColumnSealer(keys: try keys.tenantKeys(tenantID, in: db))
            let name = try sealer.seal(name, .tenantName, rowID: tenantID)
            try VaultError.guarding("sealing tenant \(tenantID)'s name") {
                try db.execute(sql: "UPDATE tenants SET name_sealed = ? WHERE id = ?", arguments: [name, tenantID])
            }
        }
        return TenantVault(vault: self, tenantID: tenantID)
    }

    /// The handle through which all of one tenant's data is read and written.
    public func tenant(_ tenantID: String) throws(VaultError) -> TenantVault {
        let exists = try read("finding tenant \(tenantID)") { db throws(VaultError) in
            try VaultError.guarding("finding tenant \(tenantID)") { try TenantRecord.exists(db, key: tenantID) }
        }
        guard exists else {
            throw VaultError(.notFound, "there is no tenant \(tenantID)")
        }
        return TenantVault(vault: self, tenantID: tenantID)
    }

    /// Every tenant's id, oldest first.
    public func tenantIDs() throws(VaultError) -> [String] {
        try read("listing tenants") { db throws(VaultError) in
            try VaultError.guarding("listing tenants") {
                try String.fetchAll(db, sql: "SELECT id FROM tenants ORDER BY created_at, id")
            }
        }
    }
}
