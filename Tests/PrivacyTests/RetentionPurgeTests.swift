import Foundation
import HushboxTestSupport
import Privacy
import Testing
import Vault

/// The purge on a real vault and a virtual wall clock: what goes when, what
/// stays, and one audit entry per run.
@Suite("Retention purge")
struct RetentionPurgeTests {
    @Test("A message's audio is kept on day 89 and gone on day 90; the next day's run removes the one a day younger, and nothing twice")
    func audioBoundaries() async throws {
        let box = try PurgeFixture()
        let first = try box.message(from: "+49 151 11111111", at: box.day(0))
        let second = try box.message(from: "+49 151 22222222", at: box.day(1))
        let purge = RetentionPurge(vault: box.vault)

        box.time.set(box.day(89))
        var outcome = try await purge.run(actor: "test", at: box.time.now)
        #expect(outcome.runs[box.tenant.tenantID]?.removed[.voicemailAudio] == nil)
        #expect(box.audible(first) && box.audible(second))

        box.time.set(box.day(90))
        outcome = try await purge.run(actor: "test", at: box.time.now)
        #expect(outcome.runs[box.tenant.tenantID]?.removed[.voicemailAudio] == 1)
        #expect(!box.audible(first) && !box.objectFileExists(first.objectID), "the audio's key and file are gone")
        #expect(try box.tenant.voicemail(first.voicemail.id)?.state == .purged)
        #expect(try box.tenant.voicemails(mailboxID: box.mailbox.id).map(\.id) == [second.voicemail.id], "gone from the listing")
        #expect(box.audible(second), "a day younger: its day 89")
        #expect(try box.tenant.call(first.call.id) != nil, "the call's record is kept a year")

        box.time.set(box.day(91))
        outcome = try await purge.run(actor: "test", at: box.time.now)
        #expect(outcome.runs[box.tenant.tenantID]?.removed[.voicemailAudio] == 1)
        #expect(!box.audible(second))
        outcome = try await purge.run(actor: "test", at: box.time.now)
        #expect(outcome.runs[box.tenant.tenantID]?.removed.isEmpty == true, "a second run the same day finds nothing")
        #expect(try box.purgeEntries().map { $0["voicemail_audio"] } == ["0", "1", "1", "0"], "one audit entry per run, with its counts")
        if case .intact = try box.vault.verifyAuditChain() {} else { Issue.record("the purge broke the audit chain") }
    }

    @Test("An organisation's shorter audio period applies to it alone")
    func periodsPerOrganisation() async throws {
        let box = try PurgeFixture()
        let left = try box.message(from: "+49 151 11111111", at: box.day(0))
        let other = try box.vault.createTenant(name: "Kanzlei")
        let otherMailbox = Mailbox(number: try PhoneNumber("+49 40 5550000"), displayName: "Zentrale")
        try other.insert(otherMailbox)
        let otherCall = Call(mailboxID: otherMailbox.id, direction: .inbound, startedAt: box.day(0), counterparty: try PhoneNumber("+49 151 33333333"))
        try other.insert(otherCall)
        let writer = try other.createObject()
        try writer.write(Array(repeating: 7, count: 100))
        try other.finish(writer)
        try other.insert(Voicemail(mailboxID: otherMailbox.id, callID: otherCall.id, duration: .seconds(3), objectID: writer.objectID, createdAt: box.day(0)))

        var policy = RetentionPolicy(try box.tenant.retentionSettings())
        try policy.set(.voicemailAudio, to: 30)
        try box.tenant.storeRetentionSettings(policy.stored)
        box.time.set(box.day(30))
        let outcome = try await RetentionPurge(vault: box.vault).run(actor: "test", at: box.time.now)
        #expect(outcome.runs[box.tenant.tenantID]?.removed[.voicemailAudio] == 1)
        #expect(outcome.runs[other.tenantID]?.removed[.voicemailAudio] == nil)
        #expect(!box.audible(left))
        #expect((try? other.openObject(writer.objectID).readAll()) != nil, "the other organisation keeps 90 days")
    }

    @Test("A message its owner deleted is crypto-shredded 30 days after the deletion")
    func softDeleted() async throws {
        let box = try PurgeFixture()
        let left = try box.message(from: "+49 151 11111111", at: box.day(0))
        box.time.set(box.day(10))
        #expect(try box.tenant.softDelete(voicemail: left.voicemail.id))
        #expect(box.audible(left), "soft-deleted: hidden, not yet destroyed")
        let purge = RetentionPurge(vault: box.vault)
        box.time.set(box.day(39))
        #expect(try await purge.run(actor: "test", at: box.time.now).runs[box.tenant.tenantID]?.removed[.softDeletedMessages] == nil)
        box.time.set(box.day(40))
        #expect(try purge.preview(at: box.time.now).tenants[box.tenant.tenantID]?[.softDeletedMessages] == 1)
        #expect(try await purge.run(actor: "test", at: box.time.now).runs[box.tenant.tenantID]?.removed[.softDeletedMessages] == 1)
        #expect(!box.audible(left) && !box.objectFileExists(left.objectID))
    }

    @Test("After a year the call goes with its message row and outbox entries; the caller with no call left is forgotten, the audit chain still verifies")
    func callMetadata() async throws {
        let box = try PurgeFixture()
        let old = try box.message(from: "+49 151 11111111", at: box.day(0), destinations: ["backend"])
        let entry = try #require(try box.tenant.outboxEntries().first)
        try box.tenant.recordDeliveryAttempt(entry.id, outcome: .delivered, statusCode: 201)
        let repeatCaller = try box.message(from: "+49 151 22222222", at: box.day(0))
        try box.message(from: "+49 151 22222222", at: box.day(200))
        let purge = RetentionPurge(vault: box.vault)

        box.time.set(box.day(364))
        _ = try await purge.run(actor: "test", at: box.time.now)
        #expect(try box.tenant.call(old.call.id) != nil)
        box.time.set(box.day(365))
        let run = try #require(try await purge.run(actor: "test", at: box.time.now).runs[box.tenant.tenantID])
        #expect(run.removed[.callRecords] == 2)
        #expect(try box.tenant.calls(counterparty: PhoneNumber("+49 151 22222222")).count == 1, "the call from day 200 stays")
        #expect(try box.tenant.call(old.call.id) == nil && box.tenant.voicemail(old.voicemail.id) == nil)
        #expect(try box.tenant.outboxEntries(includingClosed: true).isEmpty)
        #expect(try box.tenant.calls(counterparty: PhoneNumber("+49 151 11111111")).isEmpty)
        let entries = try box.tenant.auditEntries()
        #expect(entries.first { $0.subjectID == old.subjectID }?.details == .erased, "the caller with nothing left is anonymised in the audit log")
        #expect(entries.first { $0.subjectID == repeatCaller.subjectID }?.details != .erased, "a caller with a younger call is not")
        if case .intact = try box.vault.verifyAuditChain() {} else { Issue.record("the purge broke the audit chain") }
    }

    @Test("With call records kept 30 days and audio 90, a call with a message stays until its message is purged")
    func callKeptForItsMessage() async throws {
        let box = try PurgeFixture()
        let left = try box.message(from: "+49 151 11111111", at: box.day(0))
        let missed = Call(mailboxID: box.mailbox.id, direction: .inbound, startedAt: box.day(0), counterparty: try PhoneNumber("+49 151 44444444"), outcome: .noMessage)
        try box.tenant.insert(missed)
        var policy = RetentionPolicy(try box.tenant.retentionSettings())
        try policy.set(.callMetadata, to: 30)
        try box.tenant.storeRetentionSettings(policy.stored)
        let purge = RetentionPurge(vault: box.vault)
        box.time.set(box.day(30))
        _ = try await purge.run(actor: "test", at: box.time.now)
        #expect(try box.tenant.call(missed.id) == nil)
        #expect(try box.tenant.call(left.call.id) != nil && box.audible(left))
        box.time.set(box.day(90))
        let run = try #require(try await purge.run(actor: "test", at: box.time.now).runs[box.tenant.tenantID])
        #expect(run.removed[.voicemailAudio] == 1 && run.removed[.callRecords] == 1)
        #expect(try box.tenant.call(left.call.id) == nil)
    }

    @Test("Delivery attempts go after 30 days; the outbox entry they belong to stays with its message")
    func deliveryLog() async throws {
        let box = try PurgeFixture()
        try box.message(from: "+49 151 11111111", at: box.day(0), destinations: ["backend"])
        let entry = try #require(try box.tenant.outboxEntries().first)
        try box.tenant.recordDeliveryAttempt(entry.id, outcome: .retry, statusCode: 503, nextAttempt: box.day(0))
        try box.tenant.recordDeliveryAttempt(entry.id, outcome: .delivered, statusCode: 201)
        box.time.set(box.day(30))
        let run = try #require(try await RetentionPurge(vault: box.vault).run(actor: "test", at: box.time.now).runs[box.tenant.tenantID])
        #expect(run.removed[.deliveryAttempts] == 2)
        #expect(try box.tenant.deliveryLog(entry.id).isEmpty)
        #expect(try box.tenant.outboxEntry(entry.id)?.state == .delivered)
    }

    @Test("The dry run counts exactly what the run then removes, and changes nothing")
    func dryRun() async throws {
        let box = try PurgeFixture()
        for index in 0..<3 { try box.message(from: "+49 151 1111111\(index)", at: box.day(Double(index))) }
        box.time.set(box.day(91))
        let purge = RetentionPurge(vault: box.vault)
        let preview = try purge.preview(at: box.time.now)
        #expect(preview.tenants[box.tenant.tenantID]?[.voicemailAudio] == 2)
        #expect(try purge.preview(at: box.time.now) == preview, "a preview changes nothing")
        #expect(try box.tenant.voicemails(mailboxID: box.mailbox.id).count == 3)
        #expect(try box.tenant.lastCompletedPurgeRun() == nil)
        let run = try #require(try await purge.run(actor: "test", at: box.time.now).runs[box.tenant.tenantID])
        #expect(run.removed[.voicemailAudio] == 2)
    }
}
