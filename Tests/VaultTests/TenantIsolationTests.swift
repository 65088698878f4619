import Foundation
import GRDB
import Testing
@testable import Vault

@Suite("Tenant isolation")
struct TenantIsolationTests {
    @Test("one tenant's handle cannot read, list, update or delete another's rows or objects, even by id")
    func isolation() throws {
        let box = try TestVault()
        let alice = try box.vault.createTenant(name: "Praxis Alice")
        let mallory = try box.vault.createTenant(name: "Mallory Ltd")
        let number = try PhoneNumber("+49 30 1234567")

        let mailbox = Mailbox(number: number, sipUser: "100", displayName: "Alice")
        try alice.insert(mailbox)
        // Whole milliseconds, as the vault stores times, so the call compares equal after a round trip.
        let call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: Date(timeIntervalSince1970: 1_795_425_600.123), counterparty: number)
        try alice.insert(call)
        let writer = try alice.createObject()
        try writer.write(probeBytes(0..<1000))
        try alice.finish(writer)
        let voicemail = Voicemail(mailboxID: mailbox.id, callID: call.id, duration: .seconds(12), objectID: writer.objectID, createdAt: Date())
        try alice.insert(voicemail)

        // Read by id.
        #expect(try mallory.call(call.id) == nil)
        #expect(try mallory.mailbox(mailbox.id) == nil)
        #expect(try mallory.voicemail(voicemail.id) == nil)
        #expect(try mallory.object(writer.objectID) == nil)
        #expect(throws: VaultError.self) { try mallory.openObject(writer.objectID) }
        // List, and look up by the same number or SIP user.
        #expect(try mallory.calls().isEmpty)
        #expect(try mallory.calls(counterparty: number).isEmpty)
        #expect(try mallory.mailboxes().isEmpty)
        #expect(try mallory.mailbox(number: number) == nil)
        #expect(try mallory.mailbox(sipUser: "100") == nil)
        #expect(try mallory.voicemails(mailboxID: mailbox.id).isEmpty)
        #expect(try mallory.objects().isEmpty)
        // Update and delete by id.
        var stolen = call
        stolen.outcome = .rejected
        #expect(try mallory.update(stolen) == false)
        var renamed = mailbox
        renamed.displayName = "Mallory"
        #expect(try mallory.update(renamed) == false)
        #expect(try mallory.markHeard(voicemail.id) == false)
        #expect(try mallory.softDelete(voicemail: voicemail.id) == false)
        #expect(try mallory.deleteCall(call.id) == false)
        #expect(try mallory.deleteMailbox(mailbox.id) == false)
        #expect(throws: VaultError.self) { try mallory.setPIN("1234", forMailbox: mailbox.id, actor: "mallory") }
        // A row of one's own may not point at another tenant's rows.
        let ownCall = Call(direction: .inbound, startedAt: Date(), counterparty: nil)
        try mallory.insert(ownCall)
        #expect {
            try mallory.insert(Voicemail(mailboxID: mailbox.id, callID: ownCall.id, duration: .seconds(1), objectID: writer.objectID, createdAt: Date()))
        } throws: { error in
            (error as? VaultError)?.code == .crossTenant
        }
        // Erasure through the wrong handle erases nothing.
        #expect(throws: VaultError.self) {
            try mallory.erase(ErasurePlan(voicemailIDs: [voicemail.id], objectIDs: [writer.objectID], actor: "mallory"))
        }

        // Alice's data is untouched.
        #expect(try alice.call(call.id) == call)
        #expect(try alice.mailbox(mailbox.id)?.displayName == "Alice")
        #expect(try alice.voicemail(voicemail.id)?.state == .active)
        #expect(try alice.openObject(writer.objectID).readAll().bytes == probeBytes(0..<1000))
    }

    @Test("a row can never be moved to another tenant, even with SQL")
    func tenantColumnFixed() throws {
        let box = try TestVault()
        let alice = try box.vault.createTenant(name: "A")
        let mallory = try box.vault.createTenant(name: "M")
        let call = Call(direction: .inbound, startedAt: Date(), counterparty: nil)
        try alice.insert(call)
        #expect {
            try box.vault.database.write { db in
                try db.execute(sql: "UPDATE calls SET tenant_id = ? WHERE id = ?", arguments: [mallory.tenantID, call.id])
            }
        } throws: { error in
            "\(error)".contains("rows never move between tenants")
        }
    }
}
