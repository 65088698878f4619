import Crypto
import Foundation
import HushboxTestSupport
import Logging
import Testing
import Uplink
import Vault

@testable import HushboxService

/// What the delivery worker sends for a voicemail, and what it must not send.
@Suite("Voicemail upload payloads")
struct VoicemailUploadTests {
    let directory: TemporaryDirectory
    let tenant: TenantVault
    let customer = Curve25519.KeyAgreement.PrivateKey()

    init() throws {
        directory = try TemporaryDirectory()
        let vault = try Vault.open(directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, logger: Logger(label: "test"))
        tenant = try vault.createTenant(name: "Praxis")
    }

    /// A kept 3 s message from +49 30 901820, queued for "backend".
    func queued() throws -> OutboxEntry {
        let mailbox = Mailbox(sipUser: "100")
        try tenant.insert(mailbox)
        let caller = try PhoneNumber("+4930901820")
        var call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: Date(), counterparty: caller, subjectID: try tenant.subject(for: caller))
        try tenant.insert(call)
        let (voicemail, writer) = try tenant.beginRecording(
            call: call.id, mailboxID: mailbox.id, chunkSize: 1024, consent: Consent(kind: .priorExpress, language: "de", promptVersion: "v1")
        )
        try writer.write(Array(repeating: 42, count: 5000))
        call.endedAt = Date()
        call.outcome = .recorded
        try tenant.completeCall(call, consent: nil, recording: .keep(voicemail, writer, duration: .seconds(3)), outboxDestinations: ["backend"], actor: "test")
        return try #require(try tenant.dueOutboxEntries(destination: "backend", at: Date().addingTimeInterval(1), limit: 1).first)
    }

    @Test("The payload is sealed to the customer's key and opens to the metadata and the stored audio; it is made once and reused")
    func sealedPayload() throws {
        let entry = try queued()
        let spool = directory.child("spool")
        try PrivateFile.ensureDirectory(spool)
        let upload = try VoicemailUpload.prepare(entry, tenant: tenant, recipient: customer.publicKey, spool: spool)
        #expect(upload.announcement.sealing == .hpke)
        #expect(upload.payload.range(of: Data("+4930901820".utf8)) == nil)
        let opened = try PayloadSealing.open(upload.payload, with: customer, info: UplinkPayload.sealingInfo(kind: "voicemail", objectID: entry.referenceID))
        let (metadata, audio) = try #require(UplinkPayload.split(opened))
        #expect(audio == Data(repeating: 42, count: 5000))
        let fields = try JSONSerialization.jsonObject(with: metadata) as? [String: Any]
        #expect(fields?["caller"] as? String == "+4930901820")
        #expect((fields?["consent"] as? [String: Any])?["type"] as? String == "prior_express")
        #expect(fields?["duration_ms"] as? Int == 3000)
        let again = try VoicemailUpload.prepare(entry, tenant: tenant, recipient: customer.publicKey, spool: spool)
        #expect(again.payload == upload.payload, "the same bytes on every attempt, so an upload can resume")
    }

    @Test("A message its owner deleted before delivery is never sent, even when its payload was already made")
    func deletedIsWithdrawn() throws {
        let entry = try queued()
        let spool = directory.child("spool")
        try PrivateFile.ensureDirectory(spool)
        _ = try VoicemailUpload.prepare(entry, tenant: tenant, recipient: customer.publicKey, spool: spool)
        #expect(try tenant.softDelete(voicemail: entry.referenceID))
        #expect(throws: UplinkPreparationError.self) { try VoicemailUpload.prepare(entry, tenant: tenant, recipient: customer.publicKey, spool: spool) }
    }
}
