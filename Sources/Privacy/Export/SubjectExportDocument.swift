public import Foundation
public import Vault

/// `subject.json` of a subject access export: every row tied to the person,
/// opened. The format is documented in docs/subject-export.md, with its JSON
/// Schema in docs/subject-export.schema.json.
public struct SubjectExportDocument: Encodable, Sendable, Hashable {
    public static let formatName = "hushbox-subject-export/1"

    public struct Organisation: Encodable, Sendable, Hashable {
        public var id: String
        public var name: String
    }

    public struct Subject: Encodable, Sendable, Hashable {
        /// `caller` or `user`.
        public var kind: String
        /// The number (E.164) or e-mail address the request named.
        public var identifier: String
        /// The pseudonymous ids the box files the person's data and audit entries under.
        public var pseudonyms: [String]
    }

    public struct ConsentRecord: Encodable, Sendable, Hashable {
        public var type: String
        public var language: String
        public var promptVersion: String
    }

    public struct CallRecord: Encodable, Sendable, Hashable {
        public var id: String
        public var mailboxID: String?
        public var direction: String
        public var startedAt: Date
        public var endedAt: Date?
        public var durationMs: Int64?
        public var counterparty: String?
        public var outcome: String
        public var consents: [ConsentRecord]
    }

    public struct VoicemailRecord: Encodable, Sendable, Hashable {
        public var id: String
        public var callID: String
        public var mailboxID: String
        public var createdAt: Date
        public var durationMs: Int64
        public var codec: String
        public var state: String
        public var heard: Bool
        /// The audio file in the export (`audio/<id>.opus`); null once purged.
        public var audio: String?
        /// False when the recording was cut off (the file holds what was kept).
        public var audioComplete: Bool?
    }

    public struct MailboxRecord: Encodable, Sendable, Hashable {
        public var id: String
        public var number: String?
        public var sipUser: String?
        public var displayName: String?
        public var language: String
    }

    public struct DeliveryRecord: Encodable, Sendable, Hashable {
        public var id: String
        public var voicemailID: String
        /// `voicemail` (the message) or `erasure` (a notice to erase it).
        public var kind: String
        public var destination: String
        public var state: String
        public var attempts: Int
        public var createdAt: Date
    }

    public struct ErasureRecord: Encodable, Sendable, Hashable {
        public var id: String
        public var state: String
        public var requestedAt: Date
        public var hardDeleteDueAt: Date
        public var completedAt: Date?
    }

    public struct AuditRecord: Encodable, Sendable, Hashable {
        public var sequence: Int64
        public var at: Date
        public var actor: String
        public var action: String
        /// Null when the entry has none, or when they were sealed under a key since destroyed.
        public var details: [String: String]?
        public var detailsErased: Bool
    }

    public struct UserRecord: Encodable, Sendable, Hashable {
        public var id: String
        public var email: String
        public var displayName: String?
        public var role: String
        public var createdAt: Date
        public var disabledAt: Date?
    }

    public struct SessionRecord: Encodable, Sendable, Hashable {
        public var id: String
        public var createdAt: Date
        public var expiresAt: Date
        public var revokedAt: Date?
    }

    public struct APIKeyRecord: Encodable, Sendable, Hashable {
        public var id: String
        public var label: String?
        public var createdAt: Date
        public var lastUsedAt: Date?
        public var revokedAt: Date?
    }

    public var format = Self.formatName
    public var exportedAt: Date
    public var organisation: Organisation
    public var subject: Subject
    public var calls: [CallRecord]
    public var voicemails: [VoicemailRecord]
    public var mailboxes: [MailboxRecord]
    public var deliveries: [DeliveryRecord]
    public var erasureRequests: [ErasureRecord]
    public var auditEntries: [AuditRecord]
    public var user: UserRecord?
    public var sessions: [SessionRecord]
    public var apiKeys: [APIKeyRecord]

    /// The document for `records`; `audio` says which messages have a file in the export and whether it is whole.
    public init(records: SubjectRecords, subject: DataSubject, tenantID: String, exportedAt: Date, audio: [String: Bool]) {
        self.exportedAt = exportedAt
        organisation = Organisation(id: tenantID, name: records.organisationName)
        switch subject {
        case .caller(let number): self.subject = Subject(kind: "caller", identifier: number.e164, pseudonyms: records.subjectIDs)
        case .user(let email): self.subject = Subject(kind: "user", identifier: email, pseudonyms: records.subjectIDs)
        }
        calls = records.calls.map { call in
            CallRecord(
                id: call.id, mailboxID: call.mailboxID, direction: call.direction.rawValue, startedAt: call.startedAt, endedAt: call.endedAt,
                durationMs: call.duration.map { $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000 },
                counterparty: call.counterparty?.e164, outcome: call.outcome.rawValue,
                consents: (records.consents[call.id] ?? []).map { ConsentRecord(type: $0.kind.rawValue, language: $0.language, promptVersion: $0.promptVersion) }
            )
        }
        voicemails = records.voicemails.map { message in
            VoicemailRecord(
                id: message.id, callID: message.callID, mailboxID: message.mailboxID, createdAt: message.createdAt,
                durationMs: message.duration.components.seconds * 1000 + message.duration.components.attoseconds / 1_000_000_000_000_000,
                codec: message.codec.rawValue, state: message.state.rawValue, heard: message.heard,
                audio: audio[message.id] == nil ? nil : SubjectExport.audioPath(message.id), audioComplete: audio[message.id]
            )
        }
        mailboxes = records.mailboxes.map {
            MailboxRecord(id: $0.id, number: $0.number?.e164, sipUser: $0.sipUser, displayName: $0.displayName, language: $0.language)
        }
        deliveries = records.deliveries.map {
            DeliveryRecord(
                id: $0.id, voicemailID: $0.referenceID, kind: $0.kind, destination: $0.destination, state: $0.state.rawValue, attempts: $0.attempts,
                createdAt: $0.createdAt
            )
        }
        erasureRequests = records.erasureRequests.map {
            ErasureRecord(id: $0.id, state: $0.state.rawValue, requestedAt: $0.requestedAt, hardDeleteDueAt: $0.hardDeleteDueAt, completedAt: $0.completedAt)
        }
        auditEntries = records.auditEntries.map { entry in
            var details: [String: String]?
            if case .readable(let readable) = entry.details { details = readable }
            return AuditRecord(sequence: entry.sequence, at: entry.at, actor: entry.actor, action: entry.action, details: details, detailsErased: entry.details == .erased)
        }
        user = records.user.map {
            UserRecord(id: $0.id, email: $0.email, displayName: $0.displayName, role: $0.role.rawValue, createdAt: $0.createdAt, disabledAt: $0.disabledAt)
        }
        sessions = records.sessions.map { SessionRecord(id: $0.id, createdAt: $0.createdAt, expiresAt: $0.expiresAt, revokedAt: $0.revokedAt) }
        apiKeys = records.apiKeys.map { APIKeyRecord(id: $0.id, label: $0.label, createdAt: $0.createdAt, lastUsedAt: $0.lastUsedAt, revokedAt: $0.revokedAt) }
    }
}
