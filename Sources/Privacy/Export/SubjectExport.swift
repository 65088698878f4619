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

    /// One file of an export: its path inside the export and its bytes.
    public struct File: Sendable, Hashable {
        public let path: String
        public let bytes: [UInt8]
    }

    /// Writes the export of `subject` into `directory`, which must not exist
    /// yet (nothing is ever overwritten), and audits it.
    public static func write(_ subject: DataSubject, of tenant: TenantVault, to directory: String, actor: String, now: Date) throws -> Written {
        guard FileStatus.of(directory) == nil else {
            throw SubjectExportError("\(directory) already exists; name a new directory (an export never overwrites anything)")
        }
        let (written, files) = try build(subject, of: tenant, actor: actor, now: now)
        try PrivateFile.ensureDirectory(directory)
        do {
            try PrivateFile.ensureDirectory(directory + "/audio")
            for file in files { try PrivateFile.create(directory + "/" + file.path, contents: file.bytes) }
            try PrivateFile.syncDirectory(directory)
        } catch {
            // Half an export is the person's data in clear for no purpose.
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        return written
    }

    /// The export of `subject` in memory, audited: `subject.json`, each
    /// message's audio under `audio/`, and `manifest.json` with every file's
    /// size and SHA-256. Nothing is written to disk (the admin API streams it).
    /// - Parameter maximumBytes: refuse (before anything is audited) an export larger than this.
    public static func build(_ subject: DataSubject, of tenant: TenantVault, actor: String, now: Date, maximumBytes: Int? = nil) throws -> (Written, [File]) {
        let records = try tenant.subjectRecords(subject)
        if let maximumBytes {
            // From the objects' recorded sizes, before any audio is decrypted into memory.
            var stored = 0
            for message in records.voicemails { stored += try message.objectID.flatMap { try tenant.object($0)?.byteCount } ?? 0 }
            if stored > maximumBytes { throw SubjectExportError(tooLarge: stored) }
        }
        var files: [File] = []
        var audio: [String: Bool] = [:]
        for message in records.voicemails {
            guard let objectID = message.objectID else { continue }
            let contents = try tenant.openObject(objectID).readAll()
            var whole = false
            if case .complete = contents.completeness { whole = true }
            audio[message.id] = whole
            files.append(File(path: audioPath(message.id), bytes: contents.bytes))
        }
        let document = SubjectExportDocument(records: records, subject: subject, tenantID: tenant.tenantID, exportedAt: now, audio: audio)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        files.insert(File(path: "subject.json", bytes: Array(try encoder.encode(document))), at: 0)
        let total = files.reduce(0) { $0 + $1.bytes.count }
        if let maximumBytes, total > maximumBytes { throw SubjectExportError(tooLarge: total) }
        let manifest = files.map { ManifestFile(path: $0.path, bytes: $0.bytes.count, sha256: SHA256.hash(data: $0.bytes).map { String(format: "%02x", $0) }.joined()) }
        files.append(File(path: "manifest.json", bytes: Array(try encoder.encode(Manifest(files: manifest)))))
        _ = try tenant.audit(AuditEvent(
            action: "subject.exported", actor: actor, subjectID: nil,
            details: ["subject_kind": document.subject.kind, "pseudonyms": records.subjectIDs.joined(separator: ","), "files": "\(manifest.count)"]
        ))
        return (Written(document: document, files: manifest), files)
    }

    struct Manifest: Encodable {
        var format = SubjectExportDocument.formatName
        var files: [ManifestFile]
    }
}

/// An export that could not be written, and what to do.
public struct SubjectExportError: Error, CustomStringConvertible {
    public let description: String
    /// How large an export refused for its size would have been.
    public let tooLargeBytes: Int?

    init(_ description: String) {
        self.description = description
        tooLargeBytes = nil
    }

    init(tooLarge bytes: Int) {
        description = "the export holds \(bytes >> 20) MiB, more than may be built in memory"
        tooLargeBytes = bytes
    }
}
