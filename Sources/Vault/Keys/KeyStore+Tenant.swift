import Crypto
import GRDB

extension KeyStore {
    /// A tenant's row keys: all its data-key versions and its index key.
    func tenantKeys(_ tenantID: String, in db: Database) throws(VaultError) -> TenantKeys {
        let records = try VaultError.guarding("reading tenant \(tenantID)'s keys") {
            try WrappedKeyRecord
                .filter(Column("tenant_id") == tenantID)
                .filter([KeyPurpose.tenantData.rawValue, KeyPurpose.tenantIndex.rawValue].contains(Column("purpose")))
                .fetchAll(db)
        }
        var dataKeys: [Int: SymmetricKey] = [:]
        var indexKey: SymmetricKey?
        for record in records {
            let key = try key(id: record.id, in: db)
            if record.purpose == KeyPurpose.tenantData.rawValue {
                dataKeys[record.version] = key
            } else {
                indexKey = key
            }
        }
        guard let active = dataKeys.keys.max(), let indexKey else {
            throw VaultError(.keyMissing, "tenant \(tenantID) has no data or index key: it does not exist, or its keys were destroyed")
        }
        return TenantKeys(tenantID: tenantID, dataKeys: dataKeys, activeDataVersion: active, indexKey: indexKey)
    }

    /// The id of a tenant's newest data key, under which child keys are wrapped.
    func activeDataKeyID(_ tenantID: String, in db: Database) throws(VaultError) -> String {
        guard let record = try latestKey(.tenantData, tenantID: tenantID, in: db) else {
            throw VaultError(.keyMissing, "tenant \(tenantID) has no data key")
        }
        return record.id
    }

    /// Re-wraps every key held directly by the device KEK under `newKEK`, in the
    /// caller's transaction, and records the new KEK's check value. Nothing
    /// sealed under those keys changes.
    func rewrapDeviceKeys(to newKEK: DeviceKEK, in db: Database) throws(VaultError) -> Int {
        _ = try deviceKEKAfterCheck(in: db)
        let records = try VaultError.guarding("listing device-wrapped keys") {
            try WrappedKeyRecord.filter(Column("wrapped_by") == nil).fetchAll(db)
        }
        for var record in records {
            let key = try key(id: record.id, in: db)
            record.sealedKey = try Self.wrap(key, under: newKEK.key, associatedData: record.associatedData)
            try VaultError.guarding("re-wrapping key \(record.id)") { try record.update(db) }
        }
        try VaultError.guarding("recording the new device key check") {
            try db.execute(sql: "UPDATE vault_meta SET value = ? WHERE name = 'device_kek_check'", arguments: [newKEK.checkValue])
        }
        return records.count
    }
}
