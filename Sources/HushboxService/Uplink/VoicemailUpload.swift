import Crypto
import Foundation
internal import Uplink
internal import Vault

/// What goes up for one voicemail entry: its metadata and audio, sealed to the
/// customer's key when the destination has one. Made once per entry and kept
/// in the spool directory (0600) until delivered, because sealing again would
/// pick a new ephemeral key and the receiver could not resume the upload.
struct VoicemailUpload {
    let announcement: NewUpload
    let payload: Data

    /// The entry's upload from the spool, or made now and put there.
    static func prepare(_ entry: OutboxEntry, tenant: TenantVault, recipient: Curve25519.KeyAgreement.PublicKey?, spool: String) throws -> VoicemailUpload {
        // Checked on every attempt, also for a spooled payload.
        guard let voicemail = try tenant.voicemail(entry.referenceID), voicemail.state == .active, let objectID = voicemail.objectID else {
            // The owner deleted it (or it was erased) before it went up: it must not leave the box now.
            throw UplinkPreparationError.withdrawn
        }
        let payloadPath = spool + "/" + entry.id + ".payload"
        let announcementPath = spool + "/" + entry.id + ".json"
        if let payload = FileManager.default.contents(atPath: payloadPath), let json = FileManager.default.contents(atPath: announcementPath),
            let announcement = try? JSONDecoder().decode(NewUpload.self, from: json)
        {
            return VoicemailUpload(announcement: announcement, payload: payload)
        }
        let call = try tenant.call(voicemail.callID)
        let consent = try tenant.consents(call: voicemail.callID).first
        let object = try tenant.openObject(objectID).readAll()
        let (seconds, attoseconds) = voicemail.duration.components
        var cutOff = true
        if case .complete = object.completeness { cutOff = false }
        var metadata: [String: Any] = [
            "voicemail_id": voicemail.id, "mailbox_id": voicemail.mailboxID, "tenant_id": tenant.tenantID,
            "received_at": ISO8601DateFormatter().string(from: voicemail.createdAt), "duration_ms": seconds * 1000 + attoseconds / 1_000_000_000_000_000,
            "cut_off": cutOff,
        ]
        if let caller = call?.counterparty { metadata["caller"] = caller.e164 }
        if let consent {
            metadata["consent"] = ["type": consent.kind.rawValue, "language": consent.language, "prompt_version": consent.promptVersion]
        }
        let metadataJSON = try JSONSerialization.data(withJSONObject: metadata, options: [.sortedKeys])
        let plain = UplinkPayload.compose(metadata: metadataJSON, audio: object.bytes)
        let payload: Data
        if let recipient {
            payload = try PayloadSealing.seal(plain, to: recipient, info: UplinkPayload.sealingInfo(kind: "voicemail", objectID: voicemail.id))
        } else {
            payload = plain
        }
        let announcement = NewUpload(
            objectID: voicemail.id, kind: "voicemail", length: payload.count,
            sha256: SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined(), sealing: recipient == nil ? .none : .hpke
        )
        try PrivateFile.create(payloadPath, contents: [UInt8](payload))
        try PrivateFile.create(announcementPath, contents: [UInt8](try JSONEncoder().encode(announcement)))
        return VoicemailUpload(announcement: announcement, payload: payload)
    }

    /// Once delivered, the spooled copy goes.
    static func discard(_ entry: OutboxEntry, spool: String) {
        UplinkSpool.discard(entryID: entry.id, in: spool)
    }
}

enum UplinkPreparationError: Error, CustomStringConvertible {
    /// The message was deleted or erased before delivery.
    case withdrawn

    var description: String { "the message was deleted before it was delivered" }
}
