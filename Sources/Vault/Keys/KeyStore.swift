import Crypto
import Foundation
import GRDB
import Synchronization

/// Makes, unwraps, re-wraps and destroys the keys of the key tree stored in
/// `wrapped_keys`. Unwrapped keys are cached in memory for the life of the
/// process; a destroyed key leaves the cache at once.
final class KeyStore: Sendable {
    private let deviceKEK: DeviceKEK
    private let cache = Mutex<[String: SymmetricKey]>([:])
    private let now: @Sendable () -> Date

    init(deviceKEK: DeviceKEK, now: @escaping @Sendable () -> Date) {
        self.deviceKEK = deviceKEK
        self.now = now
    }

    /// Creates a random key under `parentID` (or under the device KEK when nil).
    func create(
        _ purpose: KeyPurpose, tenantID: String?, version: Int = 1, under parentID: String?, in db: Database
    ) throws(VaultError) -> (id: String, key: SymmetricKey) {
        precondition((parentID == nil) == purpose.isWrappedByDeviceKEK, "\(purpose) keys are wrapped by \(purpose.isWrappedByDeviceKEK ? "the device KEK" : "a parent key")")
        let wrappingKey = try wrappingKey(parentID, in: db)
        let newKey = SymmetricKey(size: .bits256)
        var record = WrappedKeyRecord(
            id: UUID().uuidString.lowercased(), tenantID: tenantID, purpose: purpose.rawValue, version: version,
            wrappedBy: parentID, sealedKey: Data(), createdAt: Int64(now().timeIntervalSince1970 * 1000)
        )
        record.sealedKey = try Self.wrap(newKey, under: wrappingKey, associatedData: record.associatedData)
        try VaultError.guarding("storing a new \(purpose.rawValue) key") { try record.insert(db) }
        cache.withLock { $0[record.id] = newKey }
        return (record.id, newKey)
    }

    /// The unwrapped key with this id, unwrapping its ancestors as needed.
    func key(id: String, in db: Database) throws(VaultError) -> SymmetricKey {
        if let cached = cache.withLock({ $0[id] }) { return cached }
        guard let record = try VaultError.guarding("reading key \(id)", { try WrappedKeyRecord.fetchOne(db, key: id) }) else {
            throw VaultError(.keyDestroyed, "key \(id) no longer exists: what it sealed was erased")
        }
        let wrappingKey = try record.wrappedBy.map { parent throws(VaultError) in try key(id: parent, in: db) } ?? deviceKEK.key
        let unwrapped = try Self.unwrap(record, under: wrappingKey)
        cache.withLock { $0[id] = unwrapped }
        return unwrapped
    }

    /// The newest key of a purpose for a tenant (nil tenant: device-level).
    func latestKey(_ purpose: KeyPurpose, tenantID: String?, in db: Database) throws(VaultError) -> WrappedKeyRecord? {
        try VaultError.guarding("finding the \(purpose.rawValue) key") {
            try WrappedKeyRecord
                .filter(Column("purpose") == purpose.rawValue)
                .filter(tenantID == nil ? Column("tenant_id") == nil : Column("tenant_id") == tenantID)
                .order(Column("version").desc)
                .fetchOne(db)
        }
    }

    /// Destroys a key: its row is deleted and it leaves the cache, so every value
    /// sealed under it, and every key wrapped by it, can no longer be opened.
    func destroy(id: String, in db: Database) throws(VaultError) {
        _ = try VaultError.guarding("destroying key \(id)") { try WrappedKeyRecord.deleteOne(db, key: id) }
        cache.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// Re-wraps one key under another parent, leaving the key itself (and
    /// everything sealed under it) unchanged.
    func rewrap(id: String, under newParentID: String?, in db: Database) throws(VaultError) {
        let unwrapped = try key(id: id, in: db)
        guard var record = try VaultError.guarding("reading key \(id)", { try WrappedKeyRecord.fetchOne(db, key: id) }) else {
            throw VaultError(.keyMissing, "key \(id) vanished while being re-wrapped")
        }
        let wrappingKey = try wrappingKey(newParentID, in: db)
        record.wrappedBy = newParentID
        record.sealedKey = try Self.wrap(unwrapped, under: wrappingKey, associatedData: record.associatedData)
        try VaultError.guarding("re-wrapping key \(id)") { try record.update(db) }
    }

    /// The key that wraps children of `parentID`: that key, or the device KEK.
    private func wrappingKey(_ parentID: String?, in db: Database) throws(VaultError) -> SymmetricKey {
        if let parentID { return try key(id: parentID, in: db) }
        return try deviceKEKAfterCheck(in: db)
    }

    /// The device KEK, after checking it is still the one the database was last
    /// used with: a `rotate-kek` run by another process must not lead this one to
    /// wrap new keys under a retired KEK.
    func deviceKEKAfterCheck(in db: Database) throws(VaultError) -> SymmetricKey {
        let stored = try VaultError.guarding("reading the device key check") {
            try Data.fetchOne(db, sql: "SELECT value FROM vault_meta WHERE name = 'device_kek_check'")
        }
        guard stored == deviceKEK.checkValue else {
            throw VaultError(.wrongDeviceKey, "the device key was changed by another process (hushbox keys rotate-kek?); restart to load the new key")
        }
        return deviceKEK.key
    }

    static func wrap(_ key: SymmetricKey, under wrappingKey: SymmetricKey, associatedData: Data) throws(VaultError) -> Data {
        try CombinedAEAD.seal(key.withUnsafeBytes { Data($0) }, key: wrappingKey, associatedData: associatedData, what: "a key")
    }

    static func unwrap(_ record: WrappedKeyRecord, under wrappingKey: SymmetricKey) throws(VaultError) -> SymmetricKey {
        guard let bytes = CombinedAEAD.open(record.sealedKey, key: wrappingKey, associatedData: record.associatedData) else {
            throw VaultError(.tampered, "the wrapped \(record.purpose) key \(record.id) failed authentication: it was altered or moved")
        }
        return SymmetricKey(data: bytes)
    }
}
