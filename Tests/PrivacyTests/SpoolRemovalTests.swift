import Foundation
import HushboxTestSupport
import Privacy
import Testing
import Vault

/// A payload waiting in the uplink spool is a copy of the message (in clear
/// when its destination has no public key): it goes with its outbox entry,
/// whoever removes that entry.
@Suite("Spooled payloads go with their entries")
struct SpoolRemovalTests {
    static let erika = "+49 151 23456789"

    /// The spool as the uplink worker fills it: `<data>/uplink/<entry>.payload` and `.json`.
    struct Spooled {
        let payload: String
        let announcement: String

        var exists: Bool { FileManager.default.fileExists(atPath: payload) || FileManager.default.fileExists(atPath: announcement) }
    }

    /// Writes what ``VoicemailUpload`` spools for a destination without a public key: the number and audio in clear.
    func spool(_ left: PurgeFixture.Left, of box: PurgeFixture) throws -> Spooled {
        let entry = try #require(try box.tenant.outboxEntries(includingClosed: true).first { $0.referenceID == left.voicemail.id && $0.kind == "voicemail" })
        let directory = box.directory.child("vault") + "/uplink"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let spooled = Spooled(payload: directory + "/" + entry.id + ".payload", announcement: directory + "/" + entry.id + ".json")
        #expect(FileManager.default.createFile(atPath: spooled.payload, contents: Data("{\"caller\":\"+4915123456789\"} Hier ist Erika".utf8)))
        #expect(FileManager.default.createFile(atPath: spooled.announcement, contents: Data("{\"object_id\":\"\(left.voicemail.id)\"}".utf8)))
        return spooled
    }

    @Test("Erasing a person removes their spooled payloads at once (soft delete), and leaves others' alone")
    func erasure() async throws {
        let box = try PurgeFixture()
        let hers = try box.message(from: Self.erika, at: box.day(0), destinations: ["backend"], words: "Hier ist Erika")
        let other = try box.message(from: "+49 30 7777777", at: box.day(0), destinations: ["backend"])
        let herSpool = try spool(hers, of: box)
        let otherSpool = try spool(other, of: box)

        let soft = try box.tenant.requestErasure(of: .caller(try PhoneNumber(Self.erika)), actor: "owner")
        #expect(!herSpool.exists, "her payload can never be sent now; its copy must not wait 30 days for the hard delete")
        #expect(otherSpool.exists, "another caller's payload is still on its way")

        // Spooled again by a worker that was preparing it at that moment: the hard delete removes it.
        let again = try spool(hers, of: box)
        try box.tenant.completeErasure(soft.request.id, actor: "owner")
        #expect(!again.exists)
        #expect(otherSpool.exists)
    }

    @Test("The retention purge removes the spooled payload of a message whose audio expired")
    func purge() async throws {
        let box = try PurgeFixture()
        let old = try box.message(from: Self.erika, at: box.day(0), destinations: ["backend"])
        let young = try box.message(from: "+49 30 7777777", at: box.day(60), destinations: ["backend"])
        let oldSpool = try spool(old, of: box)
        let youngSpool = try spool(young, of: box)

        let run = try await RetentionPurge(vault: box.vault).run(actor: "hushboxd", at: box.day(90))
        #expect(run.runs[box.tenant.tenantID]?.removed[.voicemailAudio] == 1)
        #expect(!oldSpool.exists, "the audio is destroyed; its clear copy in the spool must go too")
        #expect(youngSpool.exists)
    }

    @Test("A message its owner deletes before delivery loses its spooled payload; so does an entry the worker withdraws")
    func withdrawal() async throws {
        let box = try PurgeFixture()
        let deleted = try box.message(from: Self.erika, at: box.day(0), destinations: ["backend"])
        let deletedSpool = try spool(deleted, of: box)
        #expect(try box.tenant.softDelete(voicemail: deleted.voicemail.id))
        #expect(!deletedSpool.exists, "deleted by its owner: it must not leave the box, and no copy waits for a worker that may never come")

        let respooled = try spool(deleted, of: box)
        let entry = try #require(try box.tenant.outboxEntries().first { $0.referenceID == deleted.voicemail.id })
        try box.tenant.recordDeliveryAttempt(entry.id, outcome: .withdrawn, statusCode: nil)
        #expect(!respooled.exists, "withdrawing the entry removes what the worker spooled meanwhile")
    }

    @Test("A delivered entry's payload goes with the delivery's record, not only when the worker gets to it")
    func delivery() async throws {
        let box = try PurgeFixture()
        let left = try box.message(from: Self.erika, at: box.day(0), destinations: ["backend"])
        let spooled = try spool(left, of: box)
        let entry = try #require(try box.tenant.outboxEntries().first { $0.referenceID == left.voicemail.id })
        try box.tenant.recordDeliveryAttempt(entry.id, outcome: .retry, statusCode: 503, nextAttempt: box.day(0))
        #expect(spooled.exists, "a retry resumes from the spooled payload")
        try box.tenant.recordDeliveryAttempt(entry.id, outcome: .delivered, statusCode: 201)
        #expect(!spooled.exists)
    }

    @Test("The start-up sweep removes what a crash left between an entry's end and the unlink, and nothing else")
    func sweepAfterCrash() async throws {
        let box = try PurgeFixture()
        let delivered = try box.message(from: Self.erika, at: box.day(0), destinations: ["backend"])
        let waiting = try box.message(from: "+49 30 7777777", at: box.day(0), destinations: ["backend"])
        let entry = try #require(try box.tenant.outboxEntries().first { $0.referenceID == delivered.voicemail.id })
        try box.tenant.recordDeliveryAttempt(entry.id, outcome: .delivered, statusCode: 201)
        // The crash: the files of the delivered entry were still there (written again here).
        let left = try spool(delivered, of: box)
        let waitingSpool = try spool(waiting, of: box)
        let stranger = box.vault.spoolDirectory + "/notes.txt"
        #expect(FileManager.default.createFile(atPath: stranger, contents: Data("not an entry's".utf8)))
        // Temporaries a crash left mid-write where the filesystem has no O_TMPFILE: each goes with its file.
        func temporary(of path: String) -> String {
            box.vault.spoolDirectory + "/" + PrivateFile.temporaryName(for: PrivateFile.fileName(of: path))
        }
        let leftTemporary = temporary(of: left.payload)
        let waitingTemporary = temporary(of: waitingSpool.payload)
        #expect(FileManager.default.createFile(atPath: leftTemporary, contents: Data("Hier ist".utf8)))
        #expect(FileManager.default.createFile(atPath: waitingTemporary, contents: Data("Hier ist".utf8)))

        #expect(try box.reopened().sweepSpool() == 3)
        #expect(!left.exists)
        #expect(!FileManager.default.fileExists(atPath: leftTemporary))
        #expect(waitingSpool.exists, "still on its way")
        #expect(FileManager.default.fileExists(atPath: waitingTemporary), "its writer may still be at work")
        #expect(FileManager.default.fileExists(atPath: stranger), "a file that is not an entry's is not the sweep's to remove")
    }
}
