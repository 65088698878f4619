import Crypto
public import Foundation
import GRDB
public import Logging
// Vault hands its callers private files and their status (keys, exports, spools): one import for both.
@_exported public import PrivateFiles

/// The box's storage: one SQLite database of rows with sealed personal values,
/// a directory of sealed audio objects, the key tree, and the audit chain. Open
/// it once per process with the device KEK; reach a tenant's data only through
/// ``tenant(_:)``.
public final class Vault: Sendable {
    public let directory: String
    public var databasePath: String { directory + "/" + VaultDatabase.fileName }
    let database: DatabasePool
    let keys: KeyStore
    let objects: ObjectStore
    let now: @Sendable () -> Date
    let logger: Logger

    /// Opens (creating on first use) the vault in `directory`, which must be
    /// private. Fails by name on a wrong device key, a damaged database or one
    /// from a newer Hushbox, before anything is written.
    /// - Parameter beforeEachObjectSync: runs before every fsync of a sealed
    ///   object's file; tests make a slow SD card with it.
    public static func open(
        directory: String, deviceKEK: DeviceKEK, now: @escaping @Sendable () -> Date = { Date() }, logger: Logger,
        beforeEachObjectSync: (@Sendable () -> Void)? = nil
    ) throws(VaultError) -> Vault {
        do {
            try PrivateFile.ensureDirectory(directory)
        } catch {
            throw VaultError(.databaseFailure, "cannot create the vault directory: \(error)")
        }
        guard let status = FileStatus.of(directory), status.isPrivate else {
            throw VaultError(.databaseFailure, "the vault directory \(directory) lets other users in; it must be private: chmod 700 \(directory)")
        }
        let database = try VaultDatabase.open(path: directory + "/" + VaultDatabase.fileName, logger: logger)
        let keys = KeyStore(deviceKEK: deviceKEK, now: now)
        let vault = Vault(
            directory: directory, database: database, keys: keys,
            objects: try ObjectStore(directory: directory + "/objects", beforeEachSync: beforeEachObjectSync), now: now, logger: logger
        )
        try vault.adoptDeviceKEK(deviceKEK)
        return vault
    }

    private init(directory: String, database: DatabasePool, keys: KeyStore, objects: ObjectStore, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.directory = directory
        self.database = database
        self.keys = keys
        self.objects = objects
        self.now = now
        self.logger = logger
    }

    /// On first open, records the KEK's check value and makes the device-level
    /// keys; afterwards, refuses any other KEK.
    private func adoptDeviceKEK(_ kek: DeviceKEK) throws(VaultError) {
        try write("checking the device key") { db throws(VaultError) in
            let stored = try VaultError.guarding("reading the device key check") {
                try Data.fetchOne(db, sql: "SELECT value FROM vault_meta WHERE name = 'device_kek_check'")
            }
            if let stored {
                guard stored == kek.checkValue else {
                    throw VaultError(.wrongDeviceKey, "the device key does not match this vault: it was made with another device-kek. Restore the right key (the data cannot be read without it).")
                }
            } else {
                try VaultError.guarding("recording the device key check") {
                    try db.execute(sql: "INSERT INTO vault_meta (name, value) VALUES ('device_kek_check', ?)", arguments: [kek.checkValue])
                }
            }
            for purpose in [KeyPurpose.pepper, .systemAudit] where try keys.latestKey(purpose, tenantID: nil, in: db) == nil {
                _ = try keys.create(purpose, tenantID: nil, under: nil, in: db)
            }
        }
    }

    /// Runs `body` in one write transaction, with errors kept typed.
    func write<T>(_ what: String, _ body: (Database) throws(VaultError) -> T) throws(VaultError) -> T {
        try VaultError.guarding(what) {
            try database.write { db in try body(db) }
        }
    }

    func read<T>(_ what: String, _ body: (Database) throws(VaultError) -> T) throws(VaultError) -> T {
        try VaultError.guarding(what) {
            try database.read { db in try body(db) }
        }
    }
}
