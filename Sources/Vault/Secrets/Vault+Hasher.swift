import GRDB

extension Vault {
    /// The Argon2id hasher with the device's pepper.
    func hasher(in db: Database) throws(VaultError) -> Argon2idHasher {
        guard let record = try keys.latestKey(.pepper, tenantID: nil, in: db) else {
            throw VaultError(.keyMissing, "the device has no pepper key")
        }
        return Argon2idHasher(pepper: try keys.key(id: record.id, in: db))
    }
}
