import Foundation
import GRDB
import Testing
@testable import Vault

/// A retired device key must open nothing that is still on the disk: the keys
/// it wrapped may not survive the rotation in the database file or its WAL.
@Suite("Device key rotation leaves no old wrapping")
struct DeviceKeyRotationRemnantTests {
    @Test("after rotate-kek neither hushbox.sqlite nor its -wal holds a key wrapped under the old device key")
    func noOldWrappingOnDisk() throws {
        let box = try TestVault()
        _ = try box.vault.createTenant(name: "Praxis")
        _ = try box.vault.createTenant(name: "Kanzlei")
        let oldWrappings = try box.vault.database.read { db in
            try Data.fetchAll(db, sql: "SELECT sealed_key FROM wrapped_keys WHERE wrapped_by IS NULL")
        }
        try #require(oldWrappings.count == 6, "pepper, system audit, and two keys per tenant")
        let files = [box.vault.databasePath, box.vault.databasePath + "-wal"]
        #expect(try files.contains { file in try oldWrappings.contains { try Data(contentsOf: URL(fileURLWithPath: file)).range(of: $0) != nil } },
                "the old wrappings should be on disk before the rotation, or this test proves nothing")

        try box.vault.rotateDeviceKEK(to: DeviceKEK.generate().kek, actor: "test")

        // The vault stays open, as it does in the CLI until it exits: nothing may depend on a checkpoint at close.
        for file in files {
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: file))) ?? Data()
            for (index, wrapping) in oldWrappings.enumerated() {
                #expect(bytes.range(of: wrapping) == nil, "\(file) still holds old wrapping \(index)")
            }
        }
    }
}
