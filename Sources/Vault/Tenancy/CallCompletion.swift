import Foundation
import GRDB

/// What the caller agreed to before anything was recorded.
public struct Consent: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The caller pressed 1 after the disclaimer and the question.
        case priorExpress = "prior_express"
        case declined
        /// The caller's country and the mailbox ask for none; the disclaimer was played.
        case notRequired = "not_required"
    }

    public var kind: Kind
    /// The language the disclaimer (and question) was played in.
    public var language: String
    /// Which recording of the disclaimer the caller heard (a digest of the prompt files).
    public var promptVersion: String

    public init(kind: Kind, language: String, promptVersion: String) {
        self.kind = kind
        self.language = language
        self.promptVersion = promptVersion
    }
}

/// How a recording started with ``TenantVault/beginRecording(call:mailboxID:chunkSize:consent:)`` ends.
public enum FinishedRecording {
    /// Keep it: the sealed object is finished and the message lasts this long.
    case keep(Voicemail, SealedObjectWriter, duration: Duration)
    /// Too short, or the caller declined after all: the object and its row go.
    case discard(Voicemail, SealedObjectWriter)
}

/// A recording whose writer died (power cut, SIGKILL) before the message ended.
public struct InterruptedRecording: Sendable, Hashable {
    public let voicemailID: String
    public let callID: String
    public let objectID: String
}

extension TenantVault {
    /// Starts a message for a call in progress: a sealed object, its
    /// voicemail row (which listings show only once the object is complete
    /// or recovered) and the consent it is recorded under. All exist from
    /// the first byte, so that a crash leaves a message to recover, with the
    /// proof of its consent, rather than an orphaned file.
    public func beginRecording(
        call callID: String, mailboxID: String, chunkSize: Int, consent: Consent
    ) throws(VaultError) -> (Voicemail, SealedObjectWriter) {
        let writer = try createObject(chunkSize: chunkSize)
        let voicemail = Voicemail(mailboxID: mailboxID, callID: callID, duration: .zero, objectID: writer.objectID, createdAt: vault.now())
        try write("starting voicemail \(voicemail.id)") { db, _ throws(VaultError) in
            try insert(voicemail, in: db)
            try insert(consent, call: callID, in: db)
        }
        return (voicemail, writer)
    }

    /// A call's consent row; once per call (a recording stores it when it begins).
    private func insert(_ consent: Consent, call callID: String, in db: Database) throws(VaultError) {
        try VaultError.guarding("recording the consent of call \(callID)") {
            try db.execute(
                sql: """
                    INSERT INTO consents (id, tenant_id, call_id, consent_type, language, prompt_version, at)
                    SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM consents WHERE tenant_id = ? AND call_id = ?)
                    """,
                arguments: [Self.newID(), tenantID, callID, consent.kind.rawValue, consent.language, consent.promptVersion, timestamp(), tenantID, callID]
            )
        }
    }

    /// Ends a call in one transaction: its final row, the consent it was
    /// given under, the message (completed with its length, or discarded),
    /// an audit entry, and for a kept message an outbox entry per uplink
    /// destination. Nothing of it is visible until all of it is.
    public func completeCall(
        _ call: Call, consent: Consent?, recording: FinishedRecording?, outboxDestinations: [String], actor: String
    ) throws(VaultError) {
        var summary: SealedObjectWriter.Summary?
        if case .keep(_, let writer, _) = recording {
            summary = try writer.finish()
        }
        try write("completing call \(call.id)") { db, sealer throws(VaultError) in
            guard try exists(CallRecord.self, call.id, in: db) else {
                throw VaultError(.notFound, "there is no call \(call.id) for this tenant")
            }
            let record = try CallRecord(call, tenantID: tenantID, sealer: sealer)
            try VaultError.guarding("updating call \(call.id)") { try record.update(db) }
            if let consent { try insert(consent, call: call.id, in: db) }
            var details = ["call_id": call.id, "outcome": call.outcome.rawValue]
            switch recording {
            case .keep(let voicemail, let writer, let duration):
                _ = try recordComplete(writer.objectID, summary: summary ?? .init(byteCount: 0, chunkCount: 0), in: db)
                _ = try VaultError.guarding("completing voicemail \(voicemail.id)") {
                    try VoicemailRecord.owned(by: tenantID).filter(key: voicemail.id)
                        .updateAll(db, Column("duration_ms").set(to: duration.milliseconds))
                }
                for destination in outboxDestinations {
                    try enqueue(kind: "voicemail", reference: voicemail.id, destination: destination, in: db)
                }
                details["voicemail_id"] = voicemail.id
            case .discard(let voicemail, _):
                try VaultError.guarding("discarding voicemail \(voicemail.id)") {
                    try VoicemailRecord.owned(by: tenantID).filter(key: voicemail.id).deleteAll(db)
                    try ObjectRecord.owned(by: tenantID).filter(key: voicemail.objectID).deleteAll(db)
                }
            case nil:
                break
            }
            _ = try audit(AuditEvent(action: "call.completed", actor: actor, subjectID: call.subjectID, details: details), in: db)
        }
        if case .discard(let voicemail, _) = recording, let objectID = voicemail.objectID {
            // The rows are gone; the file follows (a crash in between leaves a file no row names, which the purge removes).
            try vault.objects.remove(tenantID: tenantID, objectID: objectID)
        }
    }

    /// Recordings whose writer died before the message ended.
    public func interruptedRecordings() throws(VaultError) -> [InterruptedRecording] {
        try read("finding interrupted recordings") { db, _ throws(VaultError) in
            try VaultError.guarding("finding interrupted recordings") {
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT v.id, v.call_id, v.object_id FROM voicemails v JOIN objects o ON o.tenant_id = v.tenant_id AND o.id = v.object_id
                        WHERE v.tenant_id = ? AND o.state = 'writing' ORDER BY v.created_at
                        """,
                    arguments: [tenantID]
                ).map { InterruptedRecording(voicemailID: $0[0], callID: $0[1], objectID: $0[2]) }
            }
        }
    }

    /// Keeps what survived of an interrupted recording: the object cut after
    /// its last whole chunk, the message with the length recovered, its call
    /// ended as recorded, and an audit entry, in one transaction.
    public func recoverRecording(
        _ recording: InterruptedRecording, wholeChunks: Int, byteCount: Int, duration: Duration, outboxDestinations: [String], actor: String
    ) throws(VaultError) {
        try write("recovering voicemail \(recording.voicemailID)") { db, _ throws(VaultError) in
            guard var object = try fetchObject(recording.objectID, in: db) else {
                throw VaultError(.notFound, "there is no object \(recording.objectID) for this tenant")
            }
            object.state = .cut
            object.chunkCount = wholeChunks
            object.byteCount = byteCount
            let now = timestamp()
            try VaultError.guarding("recovering voicemail \(recording.voicemailID)") {
                try object.update(db)
                try VoicemailRecord.owned(by: tenantID).filter(key: recording.voicemailID)
                    .updateAll(db, Column("duration_ms").set(to: duration.milliseconds))
                try db.execute(
                    sql: """
                        UPDATE calls SET outcome = 'recorded', ended_at = ?, duration_ms = max(0, ? - started_at)
                        WHERE tenant_id = ? AND id = ? AND outcome = 'in_progress'
                        """,
                    arguments: [now, now, tenantID, recording.callID]
                )
            }
            for destination in outboxDestinations {
                try enqueue(kind: "voicemail", reference: recording.voicemailID, destination: destination, in: db)
            }
            let subjectID = try VaultError.guarding("reading call \(recording.callID)") {
                try String.fetchOne(db, sql: "SELECT subject_id FROM calls WHERE tenant_id = ? AND id = ?", arguments: [tenantID, recording.callID])
            }
            _ = try audit(
                AuditEvent(
                    action: "voicemail.recovered", actor: actor, subjectID: subjectID,
                    details: ["voicemail_id": recording.voicemailID, "whole_chunks": "\(wholeChunks)"]
                ),
                in: db
            )
        }
    }

    /// Calls still marked in progress: the box stopped during them.
    /// Ends them as failed, keeping their rows.
    @discardableResult
    public func failCallsInProgress() throws(VaultError) -> Int {
        try write("closing calls cut off by a stop") { db, _ throws(VaultError) in
            try VaultError.guarding("closing calls cut off by a stop") {
                try db.execute(
                    sql: "UPDATE calls SET outcome = 'failed', ended_at = coalesce(ended_at, started_at) WHERE tenant_id = ? AND outcome = 'in_progress'",
                    arguments: [tenantID]
                )
                return db.changesCount
            }
        }
    }

    func enqueue(kind: String, reference: String, destination: String, in db: Database) throws(VaultError) {
        let now = timestamp()
        try VaultError.guarding("queueing \(kind) \(reference) for \(destination)") {
            try db.execute(
                sql: """
                    INSERT INTO outbox (id, tenant_id, kind, reference_id, destination, state, attempts, next_attempt_at, created_at)
                    VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)
                    """,
                arguments: [Self.newID(), tenantID, kind, reference, destination, now, now]
            )
        }
    }

    /// Outbox entries for a record, as (destination, state): what the uplink has still to send.
    public func outboxEntries(reference: String) throws(VaultError) -> [(destination: String, state: String)] {
        try read("reading the outbox") { db, _ throws(VaultError) in
            try VaultError.guarding("reading the outbox") {
                try Row.fetchAll(
                    db, sql: "SELECT destination, state FROM outbox WHERE tenant_id = ? AND reference_id = ? ORDER BY destination",
                    arguments: [tenantID, reference]
                ).map { (destination: $0[0], state: $0[1]) }
            }
        }
    }

    /// The consents recorded for a call, oldest first.
    public func consents(call callID: String) throws(VaultError) -> [Consent] {
        try read("reading consents") { db, _ throws(VaultError) in
            try consents(call: callID, in: db)
        }
    }

    func consents(call callID: String, in db: Database) throws(VaultError) -> [Consent] {
        try VaultError.guarding("reading consents") {
            try Row.fetchAll(
                db, sql: "SELECT consent_type, language, prompt_version FROM consents WHERE tenant_id = ? AND call_id = ? ORDER BY at, id",
                arguments: [tenantID, callID]
            ).map { Consent(kind: Consent.Kind(rawValue: $0[0]) ?? .declined, language: $0[1], promptVersion: $0[2]) }
        }
    }
}
