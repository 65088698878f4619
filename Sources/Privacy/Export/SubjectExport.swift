import Crypto
public import Foundation
public import Vault

/// A subject access and portability export: `subject.json` (every row tied to
/// the person, opened), their messages' audio as `audio/<voicemail id>.opus`,
/// and `manifest.json` with the size and SHA-256 of each file. The directory
/// is created 0700 and every file 0600: it is the person's data in clear.
public enum SubjectExport {
    /// What a sealed column holds for a person's export: where its value
    /// appears in `subject.json`, or why it is about no person. A test holds
    /// this against ``SealedColumn/all``: a new sealed column fails it until
    /// someone decides where the export shows it.
    public enum Coverage: Sendable, Hashable {
        /// A path in `subject.json`: keys joined by `.`, `[]` for every element of an array.
        case exported(String)
        case notAboutAPerson(String)
    }

    public static let sealedColumns: [SealedColumn: Coverage] = [
        .tenantName: .exported("organisation.name"),
        .userEmail: .exported("user.email"),
        .userDisplayName: .exported("user.display_name"),
        .apiKeyLabel: .exported("api_keys[].label"),
        .mailboxNumber: .exported("mailboxes[].number"),
        .mailboxSIPUser: .exported("mailboxes[].sip_user"),
        .mailboxDisplayName: .exported("mailboxes[].display_name"),
        .callCounterparty: .exported("calls[].counterparty"),
        .incidentSummary: .notAboutAPerson("the incident register describes the box's incidents and names no person"),
        .auditDetails: .exported("audit_entries[].details"),
    ]

    static func audioPath(_ voicemailID: String) -> String { "audio/\(voicemailID).opus" }

    /// What an export wrote.
    public struct Written: Sendable, Hashable {
        public let document: SubjectExportDocument
        /// Each file, relative to the directory, with its size and SHA-256 (hex).
        public let files: [ManifestFile]
    }

    public struct ManifestFile: Codable, Sendable, Hashable {
        public let path: String
        public let bytes: Int
        public let sha256: String
    }

    /// Writes the export of `subject` into `directory`, which must not exist
    /// yet (nothing is ever overwritten), and audits it.
    public static func write(_ subject: DataSubject, of tenant: TenantVault, to directory: String, actor: String, now: Date) throws -> Written {
        guard FileStatus.of(directory) == nil else {
            throw SubjectExportError("\(directory) already exists; name a new directory (an export never overwrites anything)")
        }
        let records = try tenant.subjectRecords(subject)
        try PrivateFile.ensureDirectory(directory)
        do {
            return try write(records, of: subject, tenant: tenant, to: directory, actor: actor, now: now)
        } catch {
            // Half an export is the person's data in clear for no purpose.
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    private static func write(
        _ records: SubjectRecords, of subject: DataSubject, tenant: TenantVault, to directory: String, actor: String, now: Date
    ) throws -> Written {
        try PrivateFile.ensureDirectory(directory + "/audio")
        var files: [ManifestFile] = []
        var audio: [String: Bool] = [:]
        for message in records.voicemails {
            guard let objectID = message.objectID else { continue }
            let contents = try tenant.openObject(objectID).readAll()
            var whole = false
            if case .complete = contents.completeness { whole = true }
            audio[message.id] = whole
            files.append(try file(audioPath(message.id), contents.bytes, in: directory))
        }
        let document = SubjectExportDocument(records: records, subject: subject, tenantID: tenant.tenantID, exportedAt: now, audio: audio)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        files.insert(try file("subject.json", Array(try encoder.encode(document)), in: directory), at: 0)
        let manifest = try encoder.encode(Manifest(files: files))
        try PrivateFile.create(directory + "/manifest.json", contents: Array(manifest))
        try PrivateFile.syncDirectory(directory)
        _ = try tenant.audit(AuditEvent(
            action: "subject.exported", actor: actor, subjectID: nil,
            details: ["subject_kind": document.subject.kind, "pseudonyms": records.subjectIDs.joined(separator: ","), "files": "\(files.count)"]
        ))
        return Written(document: document, files: files)
    }

    struct Manifest: Encodable {
        var format = SubjectExportDocument.formatName
        var files: [ManifestFile]
    }

    private static func file(_ path: String, _ bytes: [UInt8], in directory: String) throws -> ManifestFile {
        try PrivateFile.create(directory + "/" + path, contents: bytes)
        return ManifestFile(path: path, bytes: bytes.count, sha256: SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
    }
}

/// An export that could not be written, and what to do.
public struct SubjectExportError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
