import Foundation
import GRDB
import Logging

/// Opens the vault's SQLite database safely: refuses a damaged file or one from
/// a newer Hushbox before writing a byte to it, then migrates and configures
/// every connection (WAL, synchronous=FULL, secure_delete, foreign keys).
enum VaultDatabase {
    static let fileName = "hushbox.sqlite"

    static func open(path: String, logger: Logger) throws(VaultError) -> DatabasePool {
        try createPrivateFileIfMissing(path)
        try checkBeforeWriting(path)
        var configuration = Configuration()
        configuration.label = "hushbox-vault"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // Deleted content is overwritten, so erasure leaves no readable remnant.
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // A committed voicemail survives power loss, not only a crash. Writes
            // are rare on a voice box; the cost of FULL is a few fsyncs.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try VaultSchema.migrator.migrate(pool)
        } catch {
            throw VaultError(.databaseFailure, "cannot open the vault database \(path): \(error)")
        }
        logger.debug("vault database open", metadata: ["path": "\(path)"])
        return pool
    }

    /// Integrity and schema checks on a read-only connection, so that a damaged
    /// database is never written to (SQLite's own recovery, a VACUUM, or a
    /// migration could make the damage worse). Repair is a person's decision.
    private static func checkBeforeWriting(_ path: String) throws(VaultError) {
        var configuration = Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.read { db in
                let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check(10)")
                guard problems == ["ok"] else {
                    throw VaultError(.corruptDatabase, "the vault database \(path) is damaged (\(problems.prefix(3).joined(separator: "; "))). Hushbox will not run on it and does not repair it automatically: restore the latest backup (hushbox backup) or keep the file for analysis.")
                }
                if try db.tableExists("grdb_migrations"), try VaultSchema.migrator.hasBeenSuperseded(db) {
                    let applied = try VaultSchema.migrator.appliedIdentifiers(db).sorted()
                    throw VaultError(.newerSchema, "the vault database \(path) was written by a newer Hushbox (its migrations: \(applied.joined(separator: ", "))). Upgrade this box's Hushbox; it will not downgrade the database.")
                }
            }
            try queue.close()
        } catch let error as VaultError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            throw VaultError(.corruptDatabase, "the vault database \(path) is not a readable SQLite database (\(error.message ?? "\(error)")). Restore the latest backup; Hushbox does not repair it automatically.")
        } catch {
            throw VaultError(.databaseFailure, "cannot check the vault database \(path): \(error)")
        }
    }

    /// SQLite gives its WAL and shared-memory files the database file's mode, so
    /// making the database 0600 before SQLite first opens it covers all three.
    private static func createPrivateFileIfMissing(_ path: String) throws(VaultError) {
        if let status = FileStatus.of(path) {
            guard status.type == .regular else {
                throw VaultError(.databaseFailure, "the vault database \(path) is not a regular file")
            }
            guard status.isPrivate else {
                throw VaultError(.databaseFailure, "the vault database \(path) has mode \(status.octalPermissions); it must be readable by its owner only: chmod 600 \(path)")
            }
            return
        }
        do {
            try PrivateFile.create(path, contents: [])
        } catch {
            throw VaultError(.databaseFailure, "cannot create the vault database: \(error)")
        }
    }
}

extension VaultDatabase {
    /// The device-KEK check value recorded in a database, read without writing.
    static func storedDeviceKEKCheck(path: String) throws(VaultError) -> Data? {
        guard FileStatus.of(path) != nil else { return nil }
        var configuration = Configuration()
        configuration.readonly = true
        return try VaultError.guarding("reading the device key check of \(path)") {
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                guard try db.tableExists("vault_meta") else { return nil }
                return try Data.fetchOne(db, sql: "SELECT value FROM vault_meta WHERE name = 'device_kek_check'")
            }
        }
    }
}
