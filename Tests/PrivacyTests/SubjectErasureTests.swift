import Foundation
import GRDB
import HushboxTestSupport
import Privacy
import Testing
import Vault

/// A person's erasure: hidden at once, destroyed 30 days later (or at once),
/// with nothing of them left on disk and the audit chain intact.
@Suite("Erasure of a person")
struct SubjectErasureTests {
    static let erika = "+49 151 23456789"

    /// Bytes an attacker with the disk would look for, read before the erasure.
    struct Traces {
        var needles: [Data] = []

        init(_ box: PurgeFixture, _ left: [PurgeFixture.Left]) throws {
            let database = try DatabaseQueue(path: box.directory.child("vault") + "/hushbox.sqlite", configuration: { var c = Configuration(); c.readonly = true; return c }())
            try database.read { db in
                for each in left {
                    needles.append(try Data.fetchOne(db, sql: "SELECT counterparty_sealed FROM calls WHERE id = ?", arguments: [each.call.id]) ?? Data())
                }
            }
            try database.close()
            for each in left {
                // A stretch of the sealed audio, past the file's header.
                needles.append(try Data(contentsOf: URL(fileURLWithPath: box.objectFile(each.objectID))).dropFirst(40).prefix(64))
            }
            needles += [Data(try PhoneNumber(SubjectErasureTests.erika).e164.utf8), Data("23456789".utf8), Data("Erika Mustermann".utf8)]
        }
    }

    @Test("Hidden at once from listings and delivery, an erase notice queued where a message went; destroyed by the purge on day 30, not day 29")
    func softThenHard() async throws {
        let box = try PurgeFixture()
        let delivered = try box.message(from: Self.erika, at: box.day(0), destinations: ["backend"], words: "Hier ist Erika Mustermann")
        let entry = try #require(try box.tenant.outboxEntries().first { $0.referenceID == delivered.voicemail.id })
        try box.tenant.recordDeliveryAttempt(entry.id, outcome: .delivered, statusCode: 201)
        let waiting = try box.message(from: Self.erika, at: box.day(1), destinations: ["backend"], words: "Hier ist Erika Mustermann")
        let other = try box.message(from: "+49 30 7777777", at: box.day(1))
        let traces = try Traces(box, [delivered, waiting])

        box.time.set(box.day(2))
        let soft = try box.tenant.requestErasure(of: .caller(try PhoneNumber(Self.erika)), actor: "owner")
        #expect(soft.calls == 2 && soft.voicemails == 2 && soft.eraseMessages == 1)
        #expect(soft.request.hardDeleteDueAt == box.day(32))
        #expect(try box.tenant.voicemails(mailboxID: box.mailbox.id).map(\.id) == [other.voicemail.id], "hidden from the listing")
        #expect(try box.tenant.calls().map(\.id) == [other.call.id], "hidden from the call list")
        #expect(try box.tenant.calls(counterparty: PhoneNumber(Self.erika)).isEmpty)
        let due = try box.tenant.dueOutboxEntries(destination: "backend", at: box.day(2), limit: 10)
        #expect(due.contains { $0.kind == OutboxEntry.eraseKind && $0.referenceID == delivered.voicemail.id }, "the destination that received it is told")
        #expect(!due.contains { $0.kind == OutboxEntry.eraseKind && $0.referenceID == waiting.voicemail.id }, "one never sent needs no notice")
        #expect(box.audible(delivered), "soft: not yet destroyed")
        #expect(throws: VaultError.self, "a second request changes nothing") {
            try box.tenant.requestErasure(of: .caller(try PhoneNumber(Self.erika)), actor: "owner")
        }

        let purge = RetentionPurge(vault: box.vault)
        box.time.set(box.day(31))
        #expect(try await purge.run(actor: "hushboxd", at: box.time.now).runs[box.tenant.tenantID]?.removed[.dueErasures] == nil)
        #expect(box.audible(delivered))
        box.time.set(box.day(32))
        let run = try #require(try await purge.run(actor: "hushboxd", at: box.time.now).runs[box.tenant.tenantID])
        #expect(run.removed[.dueErasures] == 1)
        #expect(try box.tenant.call(delivered.call.id) == nil && box.tenant.voicemail(waiting.voicemail.id) == nil)
        #expect(try box.tenant.erasureRequests().first?.state == .completed)
        #expect(try box.tenant.outboxEntries(includingClosed: true).contains { $0.kind == OutboxEntry.eraseKind }, "the erase notice outlives the data")
        for needle in traces.needles {
            #expect(try box.filesContaining(needle).isEmpty, "found \(needle.count) bytes of the person that should be gone")
        }
        #expect(box.audible(other), "someone else's message stays")
        let entries = try box.tenant.auditEntries()
        #expect(entries.filter { $0.subjectID == delivered.subjectID }.allSatisfy { $0.details == .erased || $0.details == .none })
        #expect(entries.contains { $0.action == "erasure.requested" } && entries.contains { $0.action == "erasure.completed" })
        if case .intact = try box.vault.verifyAuditChain() {} else { Issue.record("erasure broke the audit chain") }
    }

    @Test("At once: nothing of the person in the database, its WAL or the object files; the audit chain verifies")
    func now() async throws {
        let box = try PurgeFixture()
        let left = try box.message(from: Self.erika, at: box.day(0), words: "Hier ist Erika Mustermann")
        let traces = try Traces(box, [left])
        #expect(try !box.filesContaining(traces.needles[0]).isEmpty, "the sealed number is on disk before")
        let soft = try box.tenant.requestErasure(of: .caller(try PhoneNumber(Self.erika)), actor: "owner")
        let report = try box.tenant.completeErasure(soft.request.id, actor: "owner")
        #expect(report.voicemails == 1 && report.calls == 1 && report.objects == 1 && report.subjects == 1)
        for needle in traces.needles {
            #expect(try box.filesContaining(needle).isEmpty, "found \(needle.count) bytes of the person that should be gone")
        }
        #expect(FileStatus.of(box.directory.child("vault") + "/hushbox.sqlite-wal")?.size ?? 0 == 0)
        #expect(try box.tenant.auditEntries().first { $0.subjectID == left.subjectID }?.details == .erased)
        #expect(throws: VaultError.self, "a completed erasure is not completed twice") { try box.tenant.completeErasure(soft.request.id, actor: "owner") }
        if case .intact = try box.vault.verifyAuditChain() {} else { Issue.record("erasure broke the audit chain") }
    }

    @Test("A caller who calls again after asking is a new person's data: not hidden, not destroyed with the old")
    func callsAgain() async throws {
        let box = try PurgeFixture()
        let before = try box.message(from: Self.erika, at: box.day(0))
        box.time.set(box.day(1))
        let soft = try box.tenant.requestErasure(of: .caller(try PhoneNumber(Self.erika)), actor: "owner")
        let after = try box.message(from: Self.erika, at: box.day(5))
        #expect(after.subjectID != before.subjectID)
        #expect(try box.tenant.voicemails(mailboxID: box.mailbox.id).map(\.id) == [after.voicemail.id])
        #expect(try box.tenant.openErasures(of: .caller(try PhoneNumber(Self.erika))).map(\.id) == [soft.request.id])
        try box.tenant.completeErasure(soft.request.id, actor: "owner")
        #expect(box.audible(after) && !box.audible(before))
        let again = try box.tenant.requestErasure(of: .caller(try PhoneNumber(Self.erika)), actor: "owner")
        #expect(again.calls == 1 && again.voicemails == 1)
    }

    @Test("A user: disabled at once (password and API key refused, sessions revoked); on the hard delete their row and address are gone")
    func user() async throws {
        let box = try PurgeFixture()
        let user = try box.tenant.createUser(email: "erika@praxis.example", displayName: "Erika Mustermann", role: .admin, password: "correct horse battery", actor: "owner")
        let key = try box.tenant.createAPIKey(label: "Erika's laptop", userID: user.id, actor: "owner")
        #expect(try box.tenant.verifyPassword(email: "erika@praxis.example", password: "correct horse battery") != nil)
        let soft = try box.tenant.requestErasure(of: .user(email: "erika@praxis.example"), actor: "owner")
        #expect(try box.tenant.verifyPassword(email: "erika@praxis.example", password: "correct horse battery") == nil)
        #expect(try box.vault.authenticate(apiKey: key.token) == nil)
        try box.tenant.completeErasure(soft.request.id, actor: "owner")
        for needle in ["erika@praxis.example", "Erika Mustermann", "Erika's laptop"] {
            #expect(try box.filesContaining(Data(needle.utf8)).isEmpty)
        }
        #expect(throws: VaultError.self, "an address no user has") { try box.tenant.requestErasure(of: .user(email: "nobody@praxis.example"), actor: "owner") }
        if case .intact = try box.vault.verifyAuditChain() {} else { Issue.record("erasure broke the audit chain") }
    }
}
