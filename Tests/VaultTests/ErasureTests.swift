import Foundation
import GRDB
import Testing
@testable import Vault

@Suite("Crypto-shredding erasure")
struct ErasureTests {
    @Test("after erasure neither the plaintext nor the ciphertext of the subject is in the database, its WAL or the object files")
    func nothingRemains() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "Praxis")
        let number = try PhoneNumber("+49 151 23456789")
        let mailbox = Mailbox(number: try PhoneNumber("+49 30 5550000"), displayName: "Empfang")
        try tenant.insert(mailbox)
        let subject = try tenant.subject(for: number)
        let call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: Date(), counterparty: number, outcome: .recorded, subjectID: subject)
        try tenant.insert(call)
        let audio = Array("Hallo, hier ist Erika, bitte rufen Sie mich zurück.".utf8) + probeBytes(0..<150_000)
        let writer = try tenant.createObject()
        try writer.write(audio)
        try tenant.finish(writer)
        let voicemail = Voicemail(mailboxID: mailbox.id, callID: call.id, duration: .seconds(9), objectID: writer.objectID, createdAt: Date())
        try tenant.insert(voicemail)
        try tenant.audit(AuditEvent(action: "voicemail.stored", actor: "system", subjectID: subject, details: ["caller": "Erika Mustermann"]))
        // Something of another person's that must survive.
        let keeper = Call(direction: .inbound, startedAt: Date(), counterparty: try PhoneNumber("+49 30 7777777"))
        try tenant.insert(keeper)

        // What an attacker with the disk would look for.
        let (counterpartyCiphertext, detailsCiphertext) = try box.vault.database.read { db in
            (
                try Data.fetchOne(db, sql: "SELECT counterparty_sealed FROM calls WHERE id = ?", arguments: [call.id]) ?? Data(),
                try Data.fetchOne(db, sql: "SELECT details_sealed FROM audit_log WHERE subject_id = ?", arguments: [subject]) ?? Data()
            )
        }
        let objectFile = box.path + "/objects/\(tenant.tenantID)/\(writer.objectID).hbx"
        let objectCiphertext = try Data(contentsOf: URL(fileURLWithPath: objectFile)).dropFirst(19).prefix(64)
        #expect(try !box.filesContaining(counterpartyCiphertext).isEmpty, "the ciphertext should be on disk before erasure")

        let report = try tenant.erase(
            ErasurePlan(voicemailIDs: [voicemail.id], callIDs: [call.id], objectIDs: [writer.objectID], subjectIDs: [subject], actor: "owner-1")
        )
        #expect(report == ErasureReport(voicemails: 1, calls: 1, objects: 1, subjects: 1))

        for needle in [
            Data(number.e164.utf8), Data("23456789".utf8), Data(audio.prefix(40)), Data("Erika".utf8),
            counterpartyCiphertext, Data(objectCiphertext),
        ] {
            #expect(try box.filesContaining(needle).isEmpty, "found \(needle.count) bytes that should be gone")
        }
        #expect(FileStatus.of(objectFile) == nil)
        #expect(FileStatus.of(box.vault.databasePath + "-wal")?.size ?? 0 == 0)
        // The audit entry's sealed details remain (the chain covers them) but open to nothing.
        #expect(try tenant.auditEntries().first { $0.subjectID == subject }?.details == .erased)
        #expect(try !box.filesContaining(detailsCiphertext).isEmpty)
        if case .intact = try box.vault.verifyAuditChain() {} else { Issue.record("erasure broke the audit chain") }
        #expect(try tenant.call(keeper.id)?.counterparty == keeper.counterparty)
        #expect(try tenant.calls(counterparty: number).isEmpty)
    }
}
