import Crypto
import Foundation
import GRDB
import HushboxTestSupport
import Logging
import Testing
@testable import Vault

@Suite("The key hierarchy")
struct KeyHierarchyTests {
    let number = try! PhoneNumber("+49 30 1234567")

    @Test("a device key of the wrong length is refused by name")
    func invalidKEK() {
        #expect(throws: VaultError.self) { try DeviceKEK(bytes: [UInt8](repeating: 1, count: 31)) }
        do {
            _ = try DeviceKEK(bytes: [UInt8](repeating: 1, count: 33))
        } catch {
            #expect(error.code == .invalidDeviceKey)
        }
    }

    @Test("another device key is refused before any data is touched")
    func wrongKEK() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "Praxis Dr. Beispiel")
        try tenant.insert(Call(direction: .inbound, startedAt: Date(), counterparty: number))
        do {
            _ = try box.reopen(kek: DeviceKEK.generate().bytes)
            Issue.record("a wrong device key opened the vault")
        } catch {
            #expect(error.code == .wrongDeviceKey)
            #expect(error.description.contains("does not match"))
        }
        // The right key still works afterwards.
        #expect(try box.reopen().tenant(tenant.tenantID).calls().first?.counterparty == number)
    }

    @Test("the device key is never stored; tenant keys are stored only wrapped")
    func keysNeverInClear() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "Kanzlei Muster")
        try tenant.insert(Call(direction: .inbound, startedAt: Date(), counterparty: number))
        try box.vault.checkpointAndTruncateWAL()
        #expect(try box.filesContaining(Data(box.kekBytes)).isEmpty)
        // Unwrap each stored key and look for its raw bytes on disk.
        let rawKeys = try box.vault.database.read { db in
            try WrappedKeyRecord.fetchAll(db).map { record in
                try box.vault.keys.key(id: record.id, in: db).withUnsafeBytes { Data($0) }
            }
        }
        #expect(rawKeys.count >= 5)
        for raw in rawKeys {
            #expect(try box.filesContaining(raw).isEmpty)
        }
    }

    @Test("a wrapped key copied to another row does not unwrap")
    func wrappedKeyBoundToRow() throws {
        let box = try TestVault()
        let first = try box.vault.createTenant(name: "A")
        let second = try box.vault.createTenant(name: "B")
        try box.vault.database.write { db in
            let source = try Data.fetchOne(db, sql: "SELECT sealed_key FROM wrapped_keys WHERE tenant_id = ? AND purpose = 'tenant_data'", arguments: [first.tenantID])
            try db.execute(sql: "UPDATE wrapped_keys SET sealed_key = ? WHERE tenant_id = ? AND purpose = 'tenant_data'", arguments: [source, second.tenantID])
        }
        let reopened = try box.reopen()
        do {
            _ = try reopened.tenant(second.tenantID).name()
            Issue.record("a moved wrapped key unwrapped")
        } catch {
            #expect(error.code == .tampered)
        }
        #expect(try reopened.tenant(first.tenantID).name() == "A")
    }

    @Test("rotate-kek re-wraps every device-level key without touching data; only the new key opens the vault")
    func rotateKEK() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "Praxis")
        let call = Call(direction: .inbound, startedAt: Date(), counterparty: number)
        try tenant.insert(call)
        let writer = try tenant.createObject()
        try writer.write(probeBytes(0..<100_000))
        try tenant.finish(writer)
        let rowBytes = { () throws -> Data? in
            try box.vault.database.read { db in try Data.fetchOne(db, sql: "SELECT counterparty_sealed FROM calls") }
        }
        let before = try rowBytes()
        let objectFile = box.path + "/objects/\(tenant.tenantID)/\(writer.objectID).hbx"
        let objectBefore = try Data(contentsOf: URL(fileURLWithPath: objectFile))

        let next = DeviceKEK.generate()
        let rewrapped = try box.vault.rotateDeviceKEK(to: next.kek, actor: "test")
        #expect(rewrapped == 4)  // pepper, system audit, tenant data, tenant index
        #expect(try rowBytes() == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: objectFile)) == objectBefore)
        // The old vault handle refuses to wrap new keys under the retired KEK.
        #expect(throws: VaultError.self) { _ = try box.vault.createTenant(name: "late") }

        let reopened = try box.reopen(kek: next.bytes)
        let again = try reopened.tenant(tenant.tenantID)
        #expect(try again.call(call.id)?.counterparty == number)
        #expect(try again.openObject(writer.objectID).readAll().bytes == probeBytes(0..<100_000))
        #expect(throws: VaultError.self) { _ = try box.reopen() }
        #expect(try Vault.deviceKEK(next.kek, matchesVaultIn: box.path))
        if case .intact = try reopened.verifyAuditChain() {} else { Issue.record("the audit chain broke") }
    }

    @Test("a data-key rotation re-seals lazily, survives a restart half-way and then destroys the old key")
    func rotateDataKey() throws {
        let box = try TestVault()
        var tenant = try box.vault.createTenant(name: "Praxis")
        var calls: [Call] = []
        for index in 0..<25 {
            let call = Call(direction: .inbound, startedAt: Date(), counterparty: try PhoneNumber("+4930\(1_000_000 + index)"))
            try tenant.insert(call)
            calls.append(call)
        }
        try tenant.insert(Mailbox(number: number, sipUser: "100", displayName: "Empfang"))
        let writer = try tenant.createObject()
        try writer.write(probeBytes(0..<70_000))
        try tenant.finish(writer)
        let subject = try tenant.subject(for: number)
        try tenant.audit(AuditEvent(action: "test.event", actor: "test", subjectID: subject, details: ["note": "before rotation"]))

        let started = try tenant.startDataKeyRotation(actor: "test")
        #expect(started.activeVersion == 2)
        #expect(started.remaining == 29)  // the tenant's name, 25 numbers, the mailbox's number, SIP user and name
        let first = try #require(try tenant.continueDataKeyRotation(batchSize: 10))
        #expect(first.remaining == 19)
        // A value written during the rotation is sealed under the new key at once.
        try tenant.insert(Call(direction: .outbound, startedAt: Date(), counterparty: number))
        #expect(try tenant.continueDataKeyRotation(batchSize: 0)?.remaining == 19)

        // "Restart": a new process opens the vault and carries on.
        let reopened = try box.reopen()
        tenant = try reopened.tenant(tenant.tenantID)
        #expect(try tenant.calls().count == 26)
        var status = try tenant.continueDataKeyRotation(batchSize: 10)
        while let current = status, !current.isFinished {
            status = try tenant.continueDataKeyRotation(batchSize: 10)
        }
        #expect(status?.isFinished == true)
        #expect(try tenant.continueDataKeyRotation() == nil)

        for call in calls {
            #expect(try tenant.call(call.id)?.counterparty == call.counterparty)
        }
        #expect(try tenant.mailbox(number: number)?.displayName == "Empfang")
        #expect(try tenant.openObject(writer.objectID).readAll().bytes == probeBytes(0..<70_000))
        #expect(try tenant.auditEntries().first { $0.action == "test.event" }?.details == .readable(["note": "before rotation"]))
        let versions = try reopened.database.read { db in
            try Int.fetchAll(db, sql: "SELECT version FROM wrapped_keys WHERE tenant_id = ? AND purpose = 'tenant_data'", arguments: [tenant.tenantID])
        }
        #expect(versions == [2])
    }
}
