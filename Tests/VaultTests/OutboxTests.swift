import Foundation
import HushboxTestSupport
import Logging
import Synchronization
import Testing
import Vault

/// The outbox as the delivery worker uses it: due entries, attempts logged
/// without personal data, nothing ever removed undelivered.
@Suite("Outbox and delivery log")
struct OutboxTests {
    let directory: TemporaryDirectory
    /// The vault's clock, moved by the tests.
    final class TestClock: Sendable {
        let now = Mutex(Date(timeIntervalSince1970: 1_795_000_000))
    }

    let clock = TestClock()
    let vault: Vault
    let tenant: TenantVault

    init() throws {
        directory = try TemporaryDirectory()
        let clock = self.clock
        vault = try Vault.open(
            directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, now: { clock.now.withLock { $0 } }, logger: Logger(label: "test")
        )
        tenant = try vault.createTenant(name: "Praxis")
    }

    /// A kept voicemail queued for `destinations`; returns its id.
    func queuedVoicemail(for destinations: [String]) throws -> String {
        let mailbox = Mailbox(sipUser: "100")
        if try tenant.mailbox(sipUser: "100") == nil { try tenant.insert(mailbox) }
        let mailboxID = try #require(try tenant.mailbox(sipUser: "100")).id
        var call = Call(mailboxID: mailboxID, direction: .inbound, startedAt: Date(), counterparty: nil, subjectID: nil)
        try tenant.insert(call)
        let (voicemail, writer) = try tenant.beginRecording(
            call: call.id, mailboxID: mailboxID, chunkSize: 1024, consent: Consent(kind: .notRequired, language: "en", promptVersion: "v1")
        )
        try writer.write(Array(repeating: 7, count: 3000))
        call.endedAt = Date()
        call.outcome = .recorded
        try tenant.completeCall(call, consent: nil, recording: .keep(voicemail, writer, duration: .seconds(3)), outboxDestinations: destinations, actor: "test")
        return voicemail.id
    }

    func advance(_ seconds: TimeInterval) { clock.now.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var now: Date { clock.now.withLock { $0 } }

    @Test("Due entries come oldest first per destination; a retry waits its time; a delivered one leaves the queue; the log has every attempt")
    func lifecycle() throws {
        let first = try queuedVoicemail(for: ["backend", "archive"])
        advance(1)
        _ = try queuedVoicemail(for: ["backend"])
        let due = try tenant.dueOutboxEntries(destination: "backend", at: now, limit: 10)
        #expect(due.map(\.referenceID).first == first)
        #expect(due.count == 2)
        let entry = due[0]
        try tenant.markDelivering(entry.id)
        try tenant.recordDeliveryAttempt(entry.id, outcome: .retry, statusCode: 503, nextAttempt: now.addingTimeInterval(60))
        #expect(try tenant.dueOutboxEntries(destination: "backend", at: now, limit: 10).map(\.id) == [due[1].id], "waiting its retry time")
        advance(61)
        #expect(try tenant.dueOutboxEntries(destination: "backend", at: now, limit: 10).map(\.id).contains(entry.id))
        try tenant.recordDeliveryAttempt(entry.id, outcome: .delivered, statusCode: 201)
        #expect(try tenant.outboxEntry(entry.id)?.state == .delivered)
        #expect(try tenant.outboxEntry(entry.id)?.attempts == 2)
        #expect(try tenant.deliveryLog(entry.id).map(\.outcome) == [.retry, .delivered])
        #expect(try tenant.deliveryLog(entry.id).map(\.statusCode) == [503, 201])
        let depth = try tenant.outboxDepth(destination: "backend")
        #expect(depth.undelivered == 1)
        #expect(try tenant.outboxDepth(destination: "archive").undelivered == 1, "each destination has its own entry")
    }

    @Test("An entry a stop left delivering is due again at once; an abandoned one stays, out of the queue but counted")
    func resumptionAndAbandon() throws {
        _ = try queuedVoicemail(for: ["backend"])
        let entry = try #require(try tenant.dueOutboxEntries(destination: "backend", at: now, limit: 1).first)
        try tenant.markDelivering(entry.id)
        let reopened = try vault.tenant(tenant.tenantID)
        #expect(try reopened.dueOutboxEntries(destination: "backend", at: now, limit: 1).first?.state == .delivering)
        try reopened.recordDeliveryAttempt(entry.id, outcome: .failed, statusCode: 413)
        #expect(try reopened.dueOutboxEntries(destination: "backend", at: now.addingTimeInterval(86_400), limit: 1).isEmpty)
        #expect(try reopened.outboxEntry(entry.id)?.state == .abandoned)
        #expect(try reopened.outboxDepth(destination: "backend").undelivered == 1, "abandoned is still undelivered")
    }

    @Test("An entry whose message was deleted before delivery is closed as withdrawn: not due, not waiting, logged")
    func withdrawn() throws {
        _ = try queuedVoicemail(for: ["backend"])
        let entry = try #require(try tenant.dueOutboxEntries(destination: "backend", at: now, limit: 1).first)
        try tenant.recordDeliveryAttempt(entry.id, outcome: .withdrawn, statusCode: nil)
        #expect(try tenant.outboxEntry(entry.id)?.state == .withdrawn)
        #expect(try tenant.dueOutboxEntries(destination: "backend", at: now.addingTimeInterval(86_400), limit: 1).isEmpty)
        #expect(try tenant.outboxDepth(destination: "backend").undelivered == 0, "nobody waits for a withdrawn message")
        #expect(try tenant.deliveryLog(entry.id).map(\.outcome) == [.withdrawn])
    }

    @Test("A person puts an abandoned entry back: due at once, its log kept; only abandoned entries, and listed until delivered")
    func requeue() throws {
        _ = try queuedVoicemail(for: ["backend"])
        let entry = try #require(try tenant.dueOutboxEntries(destination: "backend", at: now, limit: 1).first)
        #expect(throws: VaultError.self, "a pending entry is retried on its own schedule") { try tenant.requeue(entry.id, actor: "owner") }
        #expect(throws: VaultError.self) { try tenant.requeue("no-such-entry", actor: "owner") }
        try tenant.recordDeliveryAttempt(entry.id, outcome: .failed, statusCode: 413)
        #expect(try tenant.outboxEntries().map(\.state) == [.abandoned])
        try tenant.requeue(entry.id, actor: "owner")
        #expect(try tenant.dueOutboxEntries(destination: "backend", at: now, limit: 1).map(\.id) == [entry.id])
        #expect(try tenant.deliveryLog(entry.id).map(\.statusCode) == [413], "what happened before stays in the log")
        try tenant.recordDeliveryAttempt(entry.id, outcome: .delivered, statusCode: 201)
        #expect(try tenant.outboxEntries().isEmpty)
        #expect(try tenant.outboxEntries(includingClosed: true).map(\.state) == [.delivered])
    }

    @Test("The delivery log is purged after 30 days; the entries stay")
    func purge() throws {
        _ = try queuedVoicemail(for: ["backend"])
        let entry = try #require(try tenant.dueOutboxEntries(destination: "backend", at: now, limit: 1).first)
        try tenant.recordDeliveryAttempt(entry.id, outcome: .retry, statusCode: nil, nextAttempt: now)
        let attemptAt = now
        advance(29 * 86_400)
        let run = try tenant.beginPurgeRun(reference: now, actor: "test")
        let thirtyDaysBack = { self.now.addingTimeInterval(-30 * 86_400) }
        #expect(try tenant.countExpired(.deliveryAttempts, cutoff: thirtyDaysBack()) == 0)
        #expect(try tenant.removeExpired(.deliveryAttempts, cutoff: thirtyDaysBack(), limit: 10, run: run).removed == 0)
        advance(86_400)
        #expect(thirtyDaysBack() == attemptAt)
        #expect(try tenant.countExpired(.deliveryAttempts, cutoff: thirtyDaysBack()) == 1)
        #expect(try tenant.removeExpired(.deliveryAttempts, cutoff: thirtyDaysBack(), limit: 10, run: run).removed == 1)
        #expect(try tenant.deliveryLog(entry.id).isEmpty)
        #expect(try tenant.outboxEntry(entry.id) != nil)
    }
}
