import Foundation
import GRDB
import HushboxTestSupport
import Testing
@testable import Vault

/// A factory reset's second step: with the device key already gone, every
/// wrapped key is deleted from the database and its WAL, so no copy of the
/// files holds a key that opens anything.
@Suite("Crypto-erase of the wrapped keys")
struct CryptoEraseTests {
    @Test("destroyWrappedKeys leaves no wrapped key in hushbox.sqlite or its -wal, while a copy taken before still holds them all")
    func noWrappedKeyRemains() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "Praxis")
        _ = try tenant.createAPIKey(label: "scripts", actor: "test")
        let wrappings = try box.vault.database.read { db in try Data.fetchAll(db, sql: "SELECT sealed_key FROM wrapped_keys") }
        try #require(wrappings.count >= 4)
        let files = [box.vault.databasePath, box.vault.databasePath + "-wal"]
        func remaining(in files: [String]) -> Int {
            let contents = files.map { (try? Data(contentsOf: URL(fileURLWithPath: $0))) ?? Data() }
            return wrappings.filter { wrapping in contents.contains { $0.range(of: wrapping) != nil } }.count
        }
        try box.vault.checkpointAndTruncateWAL()
        let copy = box.directory.child("copy.sqlite")
        try FileManager.default.copyItem(atPath: box.vault.databasePath, toPath: copy)
        #expect(remaining(in: [copy]) == wrappings.count, "the copy holds every wrapping, or this test proves nothing")

        let destroyed = try Vault.destroyWrappedKeys(inDirectory: box.vault.directory)
        #expect(destroyed == wrappings.count)
        #expect(remaining(in: files) == 0)
        #expect(try !Vault.deviceKEK(DeviceKEK(bytes: box.kekBytes), matchesVaultIn: box.vault.directory), "the device key check value is gone with them")
    }
}
