import Crypto
import Foundation
import HushboxTestSupport
import Privacy
import Testing
import Vault

/// Subject access and portability: everything tied to a person, opened, with
/// their audio and a manifest; no sealed column left out.
@Suite("Subject export")
struct SubjectExportTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// A caller and a user with a value in every sealed column a person's export can show.
    struct Seeded {
        let box: PurgeFixture
        let caller: PurgeFixture.Left
        let user: User
        /// What each sealed column holds for them.
        let expected: [SealedColumn: String]

        init() throws {
            box = try PurgeFixture()
            var mailbox = box.mailbox
            mailbox.sipUser = "empfang-weber"
            try box.tenant.update(mailbox)
            caller = try box.message(from: "+49 151 23456789", at: box.day(0), destinations: ["backend"], words: "Hier ist Erika")
            user = try box.tenant.createUser(email: "erika@praxis.example", displayName: "Erika Mustermann", role: .admin, password: nil, actor: "owner")
            _ = try box.tenant.createAPIKey(label: "Erikas Laptop", userID: user.id, actor: "owner")
            try box.tenant.audit(AuditEvent(action: "mailbox.viewed", actor: user.id, details: ["what": "greeting of Empfang"]))
            expected = [
                .tenantName: "Praxis Dr. Weber", .userEmail: "erika@praxis.example", .userDisplayName: "Erika Mustermann", .apiKeyLabel: "Erikas Laptop",
                .mailboxNumber: "+49305550000", .mailboxSIPUser: "empfang-weber", .mailboxDisplayName: "Empfang", .callCounterparty: "+4915123456789",
                .auditDetails: "+49 151 23456789",
            ]
        }
    }

    func json(_ directory: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/subject.json"))) as? [String: Any] ?? [:]
    }

    /// The values at a coverage path (`a.b`, `a[].b`).
    func values(at path: String, in value: Any) -> [Any] {
        var current: [Any] = [value]
        for step in path.split(separator: ".") {
            let isArray = step.hasSuffix("[]")
            let key = String(isArray ? step.dropLast(2) : step)
            current = current.compactMap { ($0 as? [String: Any])?[key] }
            if isArray { current = current.flatMap { $0 as? [Any] ?? [] } }
        }
        return current
    }

    @Test("Every sealed column of the schema is either in a person's export, where a seeded value is found, or named as about no person")
    func completeness() async throws {
        #expect(Set(SubjectExport.sealedColumns.keys) == Set(SealedColumn.all), "a sealed column the export has not decided on")
        let seeded = try Seeded()
        let callerExport = seeded.box.directory.child("caller-export")
        let userExport = seeded.box.directory.child("user-export")
        _ = try SubjectExport.write(.caller(try PhoneNumber("+49 151 23456789")), of: seeded.box.tenant, to: callerExport, actor: "owner", now: seeded.box.day(1))
        _ = try SubjectExport.write(.user(email: "erika@praxis.example"), of: seeded.box.tenant, to: userExport, actor: "owner", now: seeded.box.day(1))
        let documents = [try json(callerExport), try json(userExport)]
        for column in SealedColumn.all {
            guard case .exported(let path) = SubjectExport.sealedColumns[column] else { continue }
            let expected = try #require(seeded.expected[column], "no seeded value for \(column): add one to this test")
            let found = documents.flatMap { values(at: path, in: $0) }.map { "\($0)" }
            #expect(found.contains { $0.contains(expected) }, "\(column) at \(path): \(found)")
        }
    }

    @Test("The export holds the person's rows opened, their audio byte for byte, a manifest whose SHA-256s match, all private; it matches the documented schema")
    func files() async throws {
        let seeded = try Seeded()
        let out = seeded.box.directory.child("export")
        let written = try SubjectExport.write(.caller(try PhoneNumber("+49 151 23456789")), of: seeded.box.tenant, to: out, actor: "owner", now: seeded.box.day(1))
        #expect(written.files.map(\.path) == ["subject.json", "audio/\(seeded.caller.voicemail.id).opus"])
        let audio = try Data(contentsOf: URL(fileURLWithPath: out + "/audio/\(seeded.caller.voicemail.id).opus"))
        #expect(audio == Data(try seeded.box.tenant.openObject(seeded.caller.objectID).readAll().bytes))
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/manifest.json"))) as? [String: Any]
        let listed = manifest?["files"] as? [[String: Any]] ?? []
        #expect(listed.count == 2)
        for file in listed {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: out + "/" + (file["path"] as? String ?? "")))
            #expect(file["sha256"] as? String == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            #expect(file["bytes"] as? Int == bytes.count)
        }
        #expect(FileStatus.of(out)?.permissions == 0o700 && FileStatus.of(out + "/subject.json")?.permissions == 0o600)
        #expect(FileStatus.of(out + "/audio/\(seeded.caller.voicemail.id).opus")?.permissions == 0o600)

        let document = try json(out)
        #expect(values(at: "calls[].consents[].type", in: document).map { "\($0)" } == ["prior_express"])
        #expect(values(at: "deliveries[].destination", in: document).map { "\($0)" } == ["backend"])
        #expect(values(at: "voicemails[].audio", in: document).map { "\($0)" } == ["audio/\(seeded.caller.voicemail.id).opus"])
        #expect(values(at: "subject.pseudonyms[]", in: document).map { "\($0)" } == [seeded.caller.subjectID])
        let schema = try JSONSchemaCheck(file: Self.repository + "/docs/subject-export.schema.json")
        let violations = schema.violations(of: document)
        #expect(violations.isEmpty, "\(violations)")
        let userExport = seeded.box.directory.child("user-export")
        _ = try SubjectExport.write(.user(email: "erika@praxis.example"), of: seeded.box.tenant, to: userExport, actor: "owner", now: seeded.box.day(1))
        let userViolations = schema.violations(of: try json(userExport))
        #expect(userViolations.isEmpty, "\(userViolations)")
        #expect(try seeded.box.tenant.auditEntries().contains { $0.action == "subject.exported" })
    }

    @Test("An existing directory is refused; an unknown user leaves no directory; nothing is overwritten")
    func refusals() async throws {
        let seeded = try Seeded()
        let taken = seeded.box.directory.child("taken")
        try FileManager.default.createDirectory(atPath: taken, withIntermediateDirectories: false)
        #expect(throws: SubjectExportError.self) { try SubjectExport.write(.user(email: "erika@praxis.example"), of: seeded.box.tenant, to: taken, actor: "o", now: Date()) }
        let nobody = seeded.box.directory.child("nobody")
        #expect(throws: VaultError.self) { try SubjectExport.write(.user(email: "nobody@praxis.example"), of: seeded.box.tenant, to: nobody, actor: "o", now: Date()) }
        #expect(FileStatus.of(nobody) == nil)
    }
}
