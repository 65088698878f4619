import Foundation
import HushboxTestSupport
import Logging
import Media
import SIPCore
import Testing
import Vault
import Voicemail

/// A message on its way into the vault, as a call's runtime drives it:
/// sealed as it is spoken, committed with everything about the call in one
/// transaction, and recovered after the process died mid-message.
@Suite("Messages into the vault: one transaction at the end, recovery after a crash")
struct MessageStorageTests {
    let directory: TemporaryDirectory
    let vault: Vault
    let tenant: TenantVault
    let mailbox: Mailbox

    init() throws {
        (directory, vault, tenant, mailbox) = try MailboxVault.make()
    }

    func startCall(caller: String = "+4930123456") throws -> Call {
        let number = try PhoneNumber(caller)
        let call = Call(mailboxID: mailbox.id, direction: .inbound, startedAt: Date(), counterparty: number, subjectID: try tenant.subject(for: number))
        try tenant.insert(call)
        return call
    }

    /// A G.711 caller speaking for `seconds`, taken frame by frame as the runtime does.
    static let consentGiven = Consent(kind: .priorExpress, language: "de", promptVersion: "v1")

    /// A message being written straight into its sealed object, and what the vault needs to end it.
    struct Recorded {
        let voicemail: Voicemail
        let writer: SealedObjectWriter
        let message: MessageRecording<SealedRecordingSink>

        var silence: SilenceDetector { message.silence }
        func take(_ frame: [Int16], received: [UInt8]?) throws { try message.take(frame, received: received) }
        func finish() throws -> Duration { try message.finish() }
    }

    func record(_ call: Call, seconds: Double, chunkSize: Int = 4096) throws -> Recorded {
        let (voicemail, writer) = try tenant.beginRecording(call: call.id, mailboxID: mailbox.id, chunkSize: chunkSize, consent: Self.consentGiven)
        let recording = Recorded(
            voicemail: voicemail, writer: writer, message: try MessageRecording(sink: SealedRecordingSink(writer: writer), codec: .pcmu, sampleRate: 8_000)
        )
        let samples = Int(seconds * 8_000)
        for start in stride(from: 0, to: samples, by: 160) {
            let frame = (start..<start + 160).map { index in Int16(8_000 * sin(2 * .pi * 300 * Double(index) / 8_000)) }
            try recording.take(frame, received: nil)
        }
        return recording
    }

    func objectFiles() -> [String] {
        (FileManager.default.enumerator(atPath: directory.child("vault"))?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".hbx") }
    }

    @Test("A kept message commits with its call, consent, audit entry and outbox entry; until then it is not listed")
    func kept() throws {
        var call = try startCall()
        let recording = try record(call, seconds: 4)
        #expect(try tenant.voicemails(mailboxID: mailbox.id).isEmpty, "not listed while it is being recorded")
        #expect(recording.silence.speech == .seconds(4))
        let duration = try recording.finish()
        call.endedAt = Date()
        call.outcome = .recorded
        let consent = Self.consentGiven
        try tenant.completeCall(
            call, consent: consent, recording: .keep(recording.voicemail, recording.writer, duration: duration),
            outboxDestinations: ["eu-backend"], actor: "test"
        )
        let listed = try tenant.voicemails(mailboxID: mailbox.id)
        #expect(listed.map(\.id) == [recording.voicemail.id])
        #expect(duration == .seconds(4))
        #expect(listed.first?.duration == duration)
        #expect(try tenant.call(call.id)?.outcome == .recorded)
        #expect(try tenant.consents(call: call.id) == [consent], "stored once, when the recording began")
        #expect(try tenant.outboxEntries(reference: recording.voicemail.id).map(\.destination) == ["eu-backend"])
        #expect(try tenant.auditEntries().contains { $0.action == "call.completed" && $0.subjectID == call.subjectID })
        let stored = try tenant.openObject(try #require(recording.voicemail.objectID)).readAll()
        #expect(stored.completeness == .complete)
        #expect(try OggOpusReader.read(stored.bytes).duration == .seconds(4))
    }

    @Test("A discarded message leaves its call row and nothing else: no voicemail, no object, no file, nothing queued")
    func discarded() throws {
        var call = try startCall()
        let recording = try record(call, seconds: 0.5)
        _ = try recording.finish()
        call.endedAt = Date()
        call.outcome = .noMessage
        try tenant.completeCall(
            call, consent: Consent(kind: .notRequired, language: "en", promptVersion: "v1"),
            recording: .discard(recording.voicemail, recording.writer), outboxDestinations: ["eu-backend"], actor: "test"
        )
        #expect(try tenant.voicemails(mailboxID: mailbox.id, includingDeleted: true).isEmpty)
        #expect(try tenant.object(try #require(recording.voicemail.objectID)) == nil)
        #expect(objectFiles().isEmpty)
        #expect(try tenant.call(call.id)?.outcome == .noMessage)
        #expect(try tenant.outboxEntries(reference: recording.voicemail.id).isEmpty)
    }

    @Test("A recording whose writer died is recovered up to its last whole chunk, listed as cut, its call recorded; once")
    func recovered() throws {
        let call = try startCall()
        let other = try startCall(caller: "+33123456789")
        // The process dies here: no finish, the writer's file ends after its last whole chunk.
        let recording = try record(call, seconds: 6, chunkSize: 1024)
        let recovered = try VoicemailRecovery.recover(tenant, outboxDestinations: ["eu-backend"], logger: Logger(label: "test"))
        #expect(recovered == 1)
        let listed = try tenant.voicemails(mailboxID: mailbox.id)
        #expect(listed.map(\.id) == [recording.voicemail.id])
        let duration = try #require(listed.first?.duration)
        #expect(duration >= .seconds(3) && duration < .seconds(6), "whole pages of whole chunks: \(duration)")
        #expect(try tenant.object(try #require(listed.first?.objectID))?.state == .cut)
        #expect(try tenant.call(call.id)?.outcome == .recorded)
        #expect(try tenant.consents(call: call.id) == [Self.consentGiven], "the proof of consent survives the crash with the message")
        #expect(try tenant.call(other.id)?.outcome == .failed, "a call cut off before any message is closed, not left in progress")
        #expect(try tenant.outboxEntries(reference: recording.voicemail.id).map(\.destination) == ["eu-backend"])
        #expect(try tenant.auditEntries().contains { $0.action == "voicemail.recovered" && $0.subjectID == call.subjectID })
        #expect(try VoicemailRecovery.recover(tenant, outboxDestinations: ["eu-backend"], logger: Logger(label: "test")) == 0)
        #expect(try tenant.outboxEntries(reference: recording.voicemail.id).count == 1, "a second start queues nothing twice")
    }
}
