import Foundation
import GRDB
import HushboxTestSupport
import Testing

/// The vault's commands as a technician runs them against a provisioned box.
@Suite("Vault commands")
struct VaultCommandTests {
    let directory: TemporaryDirectory
    let file: String

    init() async throws {
        directory = try TemporaryDirectory()
        file = try directory.write(
            "storage:\n  data_directory: \(directory.child("data"))\nsecrets:\n  directory: \(directory.child("credentials"))\n",
            to: "hushbox.yaml"
        )
        let provisioned = try await hushbox(["provision", "init"])
        #expect(provisioned.status == 0)
    }

    @discardableResult
    private func hushbox(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        try await ChildProcess.run(
            try BuiltProducts.path(of: "hushbox"), arguments + ["--config", file], directory: directory.path,
            environment: HushboxdLifecycleTests.environment()
        )
    }

    private var keyPath: String { directory.child("credentials/device-kek") }

    @Test("retention: shown with the allowed periods; an allowed one is set and audited, others are refused with the choices")
    func retention() async throws {
        #expect(try await hushbox(["tenant", "create", "Praxis"]).status == 0)
        let shown = try await hushbox(["retention", "show"])
        #expect(shown.output.contains("voicemail_audio  90 days  (allowed: 30, 90, 180 or 365)"), "\(shown)")
        #expect(shown.output.contains("delivery_logs  30 days  (allowed: 30 (fixed))"))
        #expect(shown.output.contains("audit_log  kept indefinitely"))

        let set = try await hushbox(["retention", "set", "voicemail_audio", "180"])
        #expect(set.status == 0 && set.output.contains("voicemail_audio kept 180 days"), "\(set)")
        #expect(try await hushbox(["retention", "show"]).output.contains("voicemail_audio  180 days"))
        let refused = try await hushbox(["retention", "set", "voicemail_audio", "100"])
        #expect(refused.status != 0 && refused.errors.contains("choose 30, 90, 180 or 365 days"), "\(refused)")
        #expect(try await hushbox(["retention", "set", "delivery_logs", "365"]).errors.contains("kept 30 days on every box"))
        #expect(try await hushbox(["retention", "set", "voicemails", "30"]).errors.contains("not a kind of data"))
        #expect(try await hushbox(["retention", "show"]).output.contains("voicemail_audio  180 days"), "nothing refused changed anything")
        let audit = try await hushbox(["audit", "verify"])
        #expect(audit.status == 0, "\(audit)")
    }

    @Test("purge: the dry run shows what would go and changes nothing; the run counts what went and adds one audit entry; a fresh backup stays")
    func purge() async throws {
        #expect(try await hushbox(["tenant", "create", "Praxis"]).status == 0)
        let backup = directory.child("backup.sqlite")
        #expect(try await hushbox(["backup", "--out", backup]).status == 0)
        let entriesBefore = try await auditEntryCount()

        let preview = try await hushbox(["purge", "--dry-run"])
        #expect(preview.status == 0 && preview.output.contains("voicemail_audio  0  (older than 90 days)"), "\(preview)")
        #expect(preview.output.contains("backups  0  (older than 30 days)") && preview.output.contains("nothing was changed"))
        #expect(try await auditEntryCount() == entriesBefore, "a dry run writes nothing")

        let run = try await hushbox(["purge"])
        #expect(run.status == 0 && run.output.contains("call_records  0") && run.output.contains("backups  0"), "\(run)")
        #expect(FileManager.default.fileExists(atPath: backup))
        #expect(try await auditEntryCount() == entriesBefore + 1, "one entry for the organisation's run")
    }

    @Test("erase: a person is soft-deleted with the hard-delete date; --now asks first and destroys nothing unconfirmed; --yes destroys; bad input is named")
    func erase() async throws {
        #expect(try await hushbox(["tenant", "create", "Praxis"]).status == 0)
        let soft = try await hushbox(["erase", "--subject", "+49 151 23456789"])
        #expect(soft.status == 0 && soft.output.contains("hidden now: 0 calls, 0 messages") && soft.output.contains("hard delete due"), "\(soft)")
        #expect(!soft.output.contains("23456789") && !soft.errors.contains("23456789"), "the number is not echoed")
        let again = try await hushbox(["erase", "--subject", "+49 151 23456789"])
        #expect(again.status != 0 && again.errors.contains("already under way"), "\(again)")
        let unconfirmed = try await hushbox(["erase", "--subject", "+49 151 23456789", "--now"])
        #expect(unconfirmed.status != 0 && unconfirmed.errors.contains("not confirmed: nothing was destroyed"), "\(unconfirmed)")
        let destroyed = try await hushbox(["erase", "--subject", "+49 151 23456789", "--now", "--yes"])
        #expect(destroyed.status == 0 && destroyed.output.contains("done: destroyed 0 calls"), "\(destroyed)")
        #expect(try await hushbox(["erase", "--subject", "not-a-number"]).errors.contains("neither a phone number nor an e-mail address"))
        #expect(try await hushbox(["erase", "--subject", "nobody@example.org"]).errors.contains("no user of this organisation"))
        #expect(try await hushbox(["audit", "verify"]).status == 0)
    }

    @Test("incident: opened with its deadline, listed, updated, notified and closed; bad severities, times and an unnotified close are refused by name")
    func incident() async throws {
        #expect(try await hushbox(["tenant", "create", "Praxis"]).status == 0)
        let awareSince = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-(10 * 3600 + 30 * 60)))
        let opened = try await hushbox(["incident", "open", "--severity", "high", "--summary", "Backup disk missing from the server room", "--aware-since", awareSince])
        #expect(opened.status == 0 && opened.output.contains("notify the supervisory authority by") && opened.output.contains("61 h"), "\(opened)")
        let id = try #require(opened.output.split(separator: " ").dropFirst().first.map(String.init))
        let listed = try await hushbox(["incident", "list"])
        #expect(listed.output.contains("\(id)  high  aware since \(awareSince)  NOT NOTIFIED: deadline") && listed.output.contains("Backup disk missing"), "\(listed)")

        #expect(try await hushbox(["incident", "update", id, "--severity", "critical"]).status == 0)
        #expect(try await hushbox(["incident", "open", "--severity", "grave", "--summary", "x"]).errors.contains("grave"))
        #expect(try await hushbox(["incident", "open", "--severity", "low", "--summary", "x", "--aware-since", "yesterday"]).errors.contains("is not a time"))
        let unnotified = try await hushbox(["incident", "close", id])
        #expect(unnotified.status != 0 && unnotified.errors.contains("never notified"), "\(unnotified)")
        // A time written with its offset, as in Berlin in winter.
        let berlin = ISO8601DateFormatter()
        berlin.timeZone = TimeZone(secondsFromGMT: 3600)
        let inBerlin = berlin.string(from: Date().addingTimeInterval(-3600))
        #expect(inBerlin.hasSuffix("+01:00"))
        let notified = try await hushbox(["incident", "notify", id, "--at", inBerlin])
        #expect(notified.status == 0 && notified.output.contains("within 72 hours"), "\(notified)")
        #expect(try await hushbox(["incident", "close", id]).status == 0)
        #expect(try await hushbox(["incident", "list"]).output.contains("no open incidents"))
        let all = try await hushbox(["incident", "list", "--all"])
        #expect(all.output.contains("\(id)  critical") && all.output.contains("closed ") && all.output.contains("notified "), "\(all)")
        #expect(all.output.contains("notified " + ISO8601DateFormatter().string(from: try #require(berlin.date(from: inBerlin)))), "stored as the instant given")
        #expect(try await hushbox(["incident", "update", id, "--summary", "late change"]).errors.contains("was closed"))

        // From a file, so the text is in no process list; closed without notification, with the reason.
        let text = try directory.write("Phishing mail opened at reception; no credentials entered", to: "summary.txt")
        let minor = try await hushbox(["incident", "open", "--severity", "low", "--summary-file", text])
        let minorID = try #require(minor.output.split(separator: " ").dropFirst().first.map(String.init), "\(minor)")
        let reasonless = try await hushbox(["incident", "close", minorID, "--without-notification"])
        #expect(reasonless.status != 0 && reasonless.errors.contains("--reason"), "\(reasonless)")
        #expect(try await hushbox(["incident", "close", minorID, "--without-notification", "--reason", "no personal data reached anyone"]).status == 0)
        let closedMinor = try await hushbox(["incident", "list", "--all"])
        #expect(closedMinor.output.contains("Phishing mail opened") && closedMinor.output.contains("closed without notification because: no personal data reached anyone"), "\(closedMinor)")
        let audit = try await hushbox(["audit", "verify"])
        #expect(audit.status == 0, "\(audit)")
    }

    /// The number of entries `hushbox audit verify` walked (the chain must be intact).
    private func auditEntryCount() async throws -> Int {
        let verified = try await hushbox(["audit", "verify"])
        let count = verified.output.split(separator: " ").firstIndex(of: "entries,").flatMap { index in
            Int(verified.output.split(separator: " ")[index - 1])
        }
        return try #require(count, "\(verified)")
    }

    @Test("tenants are created and listed; the audit chain verifies; tampering is named by entry")
    func tenantsAndAudit() async throws {
        let created = try await hushbox(["tenant", "create", "Praxis Dr. Beispiel"])
        #expect(created.status == 0, "\(created.errors)")
        let tenantID = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try await hushbox(["tenant", "list"])
        #expect(listed.output.contains("\(tenantID)  Praxis Dr. Beispiel"))
        try await hushbox(["tenant", "create", "Kanzlei Muster"])

        let verified = try await hushbox(["audit", "verify"])
        #expect(verified.status == 0)
        #expect(verified.output.contains("audit chain intact: 2 entries"))

        let database = try DatabaseQueue(path: directory.child("data/hushbox.sqlite"))
        try await database.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1")
            try db.execute(sql: "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'no'); END;")
        }
        try database.close()
        let broken = try await hushbox(["audit", "verify"])
        #expect(broken.status == 1)
        #expect(broken.errors.contains("audit chain BROKEN at entry 1"))
    }

    @Test("rotate-kek replaces the device key; the data stays readable and the chain intact")
    func rotateKEK() async throws {
        let tenantID = try await hushbox(["tenant", "create", "Praxis"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let before = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        let rotated = try await hushbox(["keys", "rotate-kek"])
        #expect(rotated.status == 0, "\(rotated.errors)")
        #expect(rotated.output.contains("keys re-wrapped"))
        let after = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        #expect(after != before)
        #expect(after.count == 32)
        #expect(HushboxdLifecycleTests.mode(of: keyPath) == 0o600)
        #expect(!FileManager.default.fileExists(atPath: keyPath + ".next"))
        #expect(try await hushbox(["tenant", "list"]).output.contains("\(tenantID)  Praxis"))
        #expect(try await hushbox(["audit", "verify"]).status == 0)

        // The old key no longer opens the vault.
        try before.write(to: URL(fileURLWithPath: keyPath))
        let refused = try await hushbox(["tenant", "list"])
        #expect(refused.status == 1)
        #expect(refused.errors.contains("does not match"))
    }

    @Test("rotate-dek rotates a tenant's data key to completion")
    func rotateDEK() async throws {
        let tenantID = try await hushbox(["tenant", "create", "Praxis"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        let rotated = try await hushbox(["keys", "rotate-dek", "--tenant", tenantID, "--batch", "1"])
        #expect(rotated.status == 0, "\(rotated.errors)")
        #expect(rotated.output.contains("data key version 2 is active"))
        #expect(rotated.output.contains("data key rotated"))
        #expect(try await hushbox(["tenant", "list"]).output.contains("Praxis"))
        let unknown = try await hushbox(["keys", "rotate-dek", "--tenant", "no-such-tenant"])
        #expect(unknown.status == 1)
        #expect(unknown.errors.contains("there is no tenant no-such-tenant"))
    }

    @Test("backup writes a private copy once and refuses to overwrite it")
    func backup() async throws {
        try await hushbox(["tenant", "create", "Praxis Geheim"])
        let target = directory.child("copy.sqlite")
        let first = try await hushbox(["backup", "--out", target])
        #expect(first.status == 0, "\(first.errors)")
        #expect(HushboxdLifecycleTests.mode(of: target) == 0o600)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: target))
        #expect(bytes.range(of: Data("Praxis Geheim".utf8)) == nil)
        let second = try await hushbox(["backup", "--out", target])
        #expect(second.status == 1)
        #expect(second.errors.contains("already exists"))
    }

    @Test("the daemon refuses a damaged database and a wrong device key before it listens")
    func daemonRefusesBadVault() async throws {
        try await hushbox(["tenant", "create", "Praxis"])
        let daemon = try BuiltProducts.path(of: "hushboxd")
        try Data((0..<32).map { UInt8($0) }).write(to: URL(fileURLWithPath: keyPath))
        let wrongKey = try await ChildProcess.run(daemon, ["--config", file], environment: HushboxdLifecycleTests.environment(["HUSHBOX_OPS_PORT": "0"]))
        #expect(wrongKey.status == 78)
        #expect(wrongKey.errors.contains("device key does not match"))

        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: directory.child("data/hushbox.sqlite")))
        let damaged = try await ChildProcess.run(daemon, ["--config", file], environment: HushboxdLifecycleTests.environment(["HUSHBOX_OPS_PORT": "0"]))
        #expect(damaged.status == 78)
        #expect(damaged.errors.contains("damaged") || damaged.errors.contains("not a readable SQLite database"))
    }
}
