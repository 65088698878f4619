import Foundation

extension Vault {
    /// Re-wraps every key held by the device KEK under `newKEK` in one
    /// transaction; no sealed value or object changes. This vault keeps the old
    /// KEK and refuses to wrap new keys afterwards: reopen it with the new one.
    ///
    /// The caller must have the new KEK stored durably before calling, and must
    /// put it in place of the old one after: `hushbox keys rotate-kek` does both.
    @discardableResult
    public func rotateDeviceKEK(to newKEK: DeviceKEK, actor: String) throws(VaultError) -> Int {
        let count = try write("rotating the device key") { db throws(VaultError) in
            let count = try keys.rewrapDeviceKeys(to: newKEK, in: db)
            _ = try AuditLog.append(
                AuditEvent(action: "keys.device_kek_rotated", actor: actor, details: ["keys_rewrapped": "\(count)"]),
                tenant: nil, keys: keys, now: now(), in: db
            )
            return count
        }
        // The old wrappings are still in the database file's pages (and the WAL
        // holds their replacements): checkpointing writes the new pages over them
        // (secure_delete zeroes what is freed) and empties the WAL, so a copy of
        // the old device key opens nothing that is on the disk now.
        try checkpointAndTruncateWAL()
        return count
    }

    /// Whether `kek` is the key this vault's database was last used with, without
    /// opening it as the vault (used to finish an interrupted rotation).
    public static func deviceKEK(_ kek: DeviceKEK, matchesVaultIn directory: String) throws(VaultError) -> Bool {
        try VaultDatabase.storedDeviceKEKCheck(path: directory + "/" + VaultDatabase.fileName) == kek.checkValue
    }
}
