import Crypto
import Foundation
import GRDB
import HushboxTestSupport
import Logging
import Testing
@testable import Vault

@Suite("Durability and safe opening")
struct DurabilityTests {
    private func digest(_ path: String) throws -> Data {
        Data(SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    @Test("a damaged database is refused by name and left exactly as it was")
    func corruptDatabaseRefused() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        for index in 0..<200 {
            try tenant.insert(Call(direction: .inbound, startedAt: Date(), counterparty: try PhoneNumber("+4930\(2_000_000 + index)")))
        }
        try box.vault.checkpointAndTruncateWAL()
        let path = box.vault.databasePath
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // Scribble over the headers of the b-tree pages after the schema page:
        // record payloads are not checked by integrity_check, page structure is.
        let pageSize = 4096
        for page in stride(from: 2, to: bytes.count / pageSize, by: 3) {
            for offset in (page * pageSize)..<(page * pageSize + 64) { bytes[offset] = 0x5A }
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        let before = try digest(path)
        do {
            _ = try box.reopen()
            Issue.record("a damaged database opened")
        } catch {
            #expect(error.code == .corruptDatabase)
            #expect(error.description.contains("backup"))
        }
        #expect(try digest(path) == before)
    }

    @Test("a file that is not a database is refused by name")
    func garbageRefused() throws {
        let box = try TestVault()
        let directory = box.directory.child("garbage")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try box.directory.write(String(repeating: "not a database ", count: 500), to: "garbage/hushbox.sqlite")
        do {
            _ = try Vault.open(directory: directory, deviceKEK: try DeviceKEK(bytes: box.kekBytes), logger: Logger(label: "test"))
            Issue.record("garbage opened as a vault")
        } catch {
            #expect(error.code == .corruptDatabase)
        }
    }

    @Test("a database from a newer Hushbox is refused, not downgraded")
    func newerSchemaRefused() throws {
        let box = try TestVault()
        try box.vault.database.write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9: from the future')")
        }
        do {
            _ = try box.reopen()
            Issue.record("a newer schema opened")
        } catch {
            #expect(error.code == .newerSchema)
            #expect(error.description.contains("v9: from the future"))
        }
    }

    @Test("the database and its WAL are 0600; every connection has secure_delete, synchronous=FULL and foreign keys")
    func connectionSettings() throws {
        let box = try TestVault()
        _ = try box.vault.createTenant(name: "A")
        #expect(FileStatus.of(box.vault.databasePath)?.permissions == 0o600)
        #expect(FileStatus.of(box.vault.databasePath + "-wal")?.permissions == 0o600)
        let settings = try box.vault.database.read { db in
            (
                try Int.fetchOne(db, sql: "PRAGMA secure_delete"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try Int.fetchOne(db, sql: "PRAGMA foreign_keys"), try String.fetchOne(db, sql: "PRAGMA journal_mode")
            )
        }
        #expect(settings.0 == 1)
        #expect(settings.1 == 2)
        #expect(settings.2 == 1)
        #expect(settings.3 == "wal")
    }

    @Test("a backup is a consistent copy, still sealed, created 0600, and never overwrites a file")
    func backup() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "Praxis")
        let number = try PhoneNumber("+49 30 1234567")
        let call = Call(direction: .inbound, startedAt: Date(), counterparty: number)
        try tenant.insert(call)
        let target = box.directory.child("backup.sqlite")
        try box.vault.backup(to: target, actor: "technician")
        #expect(FileStatus.of(target)?.permissions == 0o600)
        let raw = try Data(contentsOf: URL(fileURLWithPath: target))
        #expect(raw.range(of: Data(number.e164.utf8)) == nil)
        #expect(raw.range(of: Data("Praxis".utf8)) == nil)

        // Restoring the copy with the device key gives the same data.
        let restored = box.directory.child("restored")
        try FileManager.default.createDirectory(atPath: restored, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try FileManager.default.copyItem(atPath: target, toPath: restored + "/hushbox.sqlite")
        let vault = try Vault.open(directory: restored, deviceKEK: try DeviceKEK(bytes: box.kekBytes), logger: Logger(label: "test"))
        #expect(try vault.tenant(tenant.tenantID).call(call.id)?.counterparty == number)
        if case .intact = try vault.verifyAuditChain() {} else { Issue.record("the backup's audit chain is broken") }

        do {
            try box.vault.backup(to: target, actor: "technician")
            Issue.record("a backup overwrote a file")
        } catch {
            #expect(error.code == .backupFailed)
        }
    }
}
