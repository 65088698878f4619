import Foundation
import HushboxTestSupport
import Privacy
import Testing
import Vault

/// Backups hold data that may have been erased since: the purge removes the
/// ones the box wrote after 30 days, and nothing else.
@Suite("Backup expiry")
struct BackupExpiryTests {
    @Test("A backup is kept 29 days and removed on day 30; a file that took a backup's name is left alone; each is audited")
    func expiry() async throws {
        let box = try PurgeFixture()
        let kept = box.directory.child("kept.sqlite")
        let replaced = box.directory.child("replaced.sqlite")
        try box.vault.backup(to: kept, actor: "test")
        try box.vault.backup(to: replaced, actor: "test")
        try FileManager.default.removeItem(atPath: replaced)
        let stranger = try box.directory.write("not a backup of ours", to: "replaced.sqlite")

        let purge = RetentionPurge(vault: box.vault)
        box.time.set(box.day(29))
        #expect(try purge.preview(at: box.time.now).backups == 0)
        #expect(try await purge.run(actor: "test", at: box.time.now).backupsRemoved == 0)
        #expect(FileStatus.of(kept) != nil)

        box.time.set(box.day(30))
        #expect(try purge.preview(at: box.time.now).backups == 2)
        #expect(try await purge.run(actor: "test", at: box.time.now).backupsRemoved == 1)
        #expect(FileStatus.of(kept) == nil)
        #expect(try String(contentsOfFile: stranger, encoding: .utf8) == "not a backup of ours")
        #expect(try purge.preview(at: box.time.now).backups == 0, "each backup is dealt with once")
        if case .intact(let entries, _) = try box.vault.verifyAuditChain() {
            #expect(entries > 0)
        } else {
            Issue.record("the audit chain should verify")
        }
    }
}
