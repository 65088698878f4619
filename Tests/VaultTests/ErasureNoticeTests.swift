import Foundation
import Testing
import Vault

/// Who is told to erase: every destination that may hold bytes of the person's
/// messages, whatever the box learnt of the upload's end.
@Suite("Erase notices")
struct ErasureNoticeTests {
    static let caller = "+49 151 23456789"

    /// A message of ``caller`` queued for `destinations`, through the path a call takes.
    func message(in tenant: TenantVault, destinations: [String]) throws -> Voicemail {
        let mailbox = Mailbox(sipUser: "100")
        try tenant.insert(mailbox)
        let number = try PhoneNumber(Self.caller)
        let subject = try tenant.subject(for: number)
        var call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: Date(), counterparty: number, subjectID: subject)
        try tenant.insert(call)
        let (voicemail, writer) = try tenant.beginRecording(
            call: call.id, mailboxID: mailbox.id, chunkSize: 1024, consent: Consent(kind: .notRequired, language: "en", promptVersion: "v1")
        )
        try writer.write(Array(repeating: 7, count: 3000))
        call.endedAt = Date()
        call.outcome = .recorded
        try tenant.completeCall(call, consent: nil, recording: .keep(voicemail, writer, duration: .seconds(3)), outboxDestinations: destinations, actor: "test")
        return voicemail
    }

    func entry(_ tenant: TenantVault, _ voicemail: Voicemail, _ destination: String) throws -> OutboxEntry {
        try #require(try tenant.outboxEntries(includingClosed: true).first { $0.referenceID == voicemail.id && $0.destination == destination })
    }

    @Test("An upload whose answer was lost (back to pending), or attempted and then withdrawn, is told; one never attempted is not")
    func everyAttemptedDestination() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "Praxis")
        let voicemail = try message(in: tenant, destinations: ["lost-answer", "withdrawn", "crashed", "never"])
        // The receiver stored it, but its 201 never arrived: the box retries later.
        let lost = try entry(tenant, voicemail, "lost-answer")
        try tenant.markDelivering(lost.id)
        try tenant.recordDeliveryAttempt(lost.id, outcome: .retry, statusCode: nil, nextAttempt: Date().addingTimeInterval(60))
        #expect(try tenant.outboxEntry(lost.id)?.state == .pending)
        // Sent once without an answer, then the owner deleted the message and the worker withdrew the entry.
        let withdrawn = try entry(tenant, voicemail, "withdrawn")
        try tenant.markDelivering(withdrawn.id)
        try tenant.recordDeliveryAttempt(withdrawn.id, outcome: .retry, statusCode: 503, nextAttempt: Date())
        #expect(try tenant.softDelete(voicemail: voicemail.id))
        try tenant.recordDeliveryAttempt(withdrawn.id, outcome: .withdrawn, statusCode: nil)
        // The box died in its first attempt (bytes may have left); after the restart the worker found the message deleted.
        // Before the fix this withdrawal kept attempts at 0, and the receiver was never told.
        let crashed = try entry(tenant, voicemail, "crashed")
        try tenant.markDelivering(crashed.id)
        try tenant.recordDeliveryAttempt(crashed.id, outcome: .withdrawn, statusCode: nil)
        // Never left the box; its withdrawal is logged, but no byte went anywhere.
        try tenant.recordDeliveryAttempt(try entry(tenant, voicemail, "never").id, outcome: .withdrawn, statusCode: nil)

        let soft = try tenant.requestErasure(of: .caller(try PhoneNumber(Self.caller)), actor: "owner")

        let notices = try tenant.outboxEntries().filter { $0.kind == OutboxEntry.eraseKind }
        #expect(notices.allSatisfy { $0.referenceID == voicemail.id })
        #expect(Set(notices.map(\.destination)) == ["lost-answer", "withdrawn", "crashed"], "every destination that may hold the message, and only those")
        #expect(soft.eraseMessages == 3)
    }

    @Test("A message queued and never attempted gets no erase notice")
    func neverAttempted() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "Praxis")
        _ = try message(in: tenant, destinations: ["backend"])
        let soft = try tenant.requestErasure(of: .caller(try PhoneNumber(Self.caller)), actor: "owner")
        #expect(soft.eraseMessages == 0)
        #expect(try tenant.outboxEntries().allSatisfy { $0.kind != OutboxEntry.eraseKind })
    }
}
