import Foundation
import GRDB
import Testing
@testable import Vault

@Suite("The append-only audit chain")
struct AuditChainTests {
    @Test("entries link into a chain that verifies, and SQLite refuses to change or delete them")
    func appendOnly() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        for index in 0..<5 {
            try tenant.audit(AuditEvent(action: "test.event", actor: "user-1", details: ["index": "\(index)"]))
        }
        guard case .intact(let entries, let head) = try box.vault.verifyAuditChain() else {
            Issue.record("a fresh chain did not verify")
            return
        }
        #expect(entries == 5)
        #expect(head.count == 32)
        for sql in ["UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2", "DELETE FROM audit_log WHERE seq = 5"] {
            #expect {
                try box.vault.database.write { db in try db.execute(sql: sql) }
            } throws: { error in
                "\(error)".contains("append-only")
            }
        }
    }

    @Test("an entry altered behind the triggers' back is named by seq")
    func alteredEntryNamed() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        for _ in 0..<6 { try tenant.audit(AuditEvent(action: "test.event", actor: "user-1")) }
        try box.vault.database.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET action = 'nothing.happened' WHERE seq = 4")
        }
        #expect(try box.vault.verifyAuditChain() == .broken(sequence: 0, reason: "the append-only trigger audit_log_no_update was removed from the database"))
        try box.vault.database.write { db in
            try db.execute(sql: """
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: entries cannot be changed'); END;
                """)
        }
        guard case .broken(let sequence, let reason) = try box.vault.verifyAuditChain() else {
            Issue.record("an altered entry went unnoticed")
            return
        }
        #expect(sequence == 4)
        #expect(reason.contains("altered"))
    }

    @Test("a deleted entry is named as missing")
    func deletedEntryNamed() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        for _ in 0..<6 { try tenant.audit(AuditEvent(action: "test.event", actor: "user-1")) }
        try box.vault.database.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_delete")
            try db.execute(sql: "DELETE FROM audit_log WHERE seq = 3")
            try db.execute(sql: "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'append-only'); END;")
        }
        guard case .broken(let sequence, let reason) = try box.vault.verifyAuditChain() else {
            Issue.record("a deleted entry went unnoticed")
            return
        }
        // Creating the tenant wrote no entry, so the tenant's six are 1…6.
        #expect(sequence == 4)
        #expect(reason.contains("missing"))
    }

    @Test("destroying a subject's key anonymises their entries while the chain still verifies")
    func cryptoShreddedSubject() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let caller = try tenant.subject(for: try PhoneNumber("+49 30 1234567"))
        let bystander = try tenant.subject(for: try PhoneNumber("+49 30 7654321"))
        try tenant.audit(AuditEvent(action: "voicemail.stored", actor: "system", subjectID: caller, details: ["caller_name": "Erika Mustermann"]))
        try tenant.audit(AuditEvent(action: "voicemail.stored", actor: "system", subjectID: bystander, details: ["caller_name": "Max Muster"]))
        try tenant.audit(AuditEvent(action: "purge.ran", actor: "system", details: ["rows": "0"]))

        _ = try tenant.erase(ErasurePlan(subjectIDs: [caller], actor: "owner-1"))

        let entries = try tenant.auditEntries()
        #expect(entries.first { $0.subjectID == caller }?.details == .erased)
        #expect(entries.first { $0.subjectID == bystander }?.details == .readable(["caller_name": "Max Muster"]))
        #expect(entries.first { $0.action == "purge.ran" }?.details == .readable(["rows": "0"]))
        guard case .intact(let count, _) = try box.vault.verifyAuditChain() else {
            Issue.record("crypto-shredding broke the chain")
            return
        }
        #expect(count == 4)
        // Details of an erased subject can no longer be written either.
        #expect(throws: VaultError.self) {
            try tenant.audit(AuditEvent(action: "late", actor: "x", subjectID: caller, details: ["a": "b"]))
        }
    }
}
