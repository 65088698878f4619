import Foundation
import HushboxTestSupport
import Privacy
import Testing
import Vault

/// A run cut off part-way (a crash, a shutdown) and the run that resumes it.
@Suite("Retention purge, interrupted and resumed")
struct PurgeResumeTests {
    struct CutOff: Error {}

    @Test("Cut off after a batch committed and before its files went: the next run, hours later, resumes with the first run's cut-offs, removes the files, and writes one audit entry counting everything once")
    func resumed() async throws {
        let box = try PurgeFixture()
        var left: [PurgeFixture.Left] = []
        for index in 0..<5 {
            left.append(try box.message(from: "+49 151 1000000\(index)", at: box.day(0)))
        }
        // 90 days old only by the time the resumed run starts: not the first run's to remove.
        let borderline = try box.message(from: "+49 151 20000000", at: box.day(0.5))
        box.time.set(box.day(90.25))
        let started = box.time.now

        let cutting = RetentionPurge(vault: box.vault, batchSize: 2) { _, batch in
            if batch.kind == .voicemailAudio { throw CutOff() }
        }
        await #expect(throws: CutOff.self) { try await cutting.run(actor: "hushboxd", at: box.time.now) }
        let open = try #require(try box.tenant.openPurgeRun())
        #expect(open.removed[.voicemailAudio] == 2, "the committed batch is counted")
        let shredded = left.filter { !box.audible($0) }
        #expect(shredded.count == 2)
        #expect(shredded.allSatisfy { box.objectFileExists($0.objectID) }, "the cut came before the files were unlinked")
        #expect(try box.purgeEntries().isEmpty, "no audit entry for a run that did not complete")
        #expect(try RetentionPurge(vault: box.vault).isOwed(DailySchedule(), at: box.time.now), "a cut-off run is owed")

        box.time.set(box.day(90.75))
        let reopened = try box.reopened()
        let outcome = try await RetentionPurge(vault: reopened, batchSize: 2).run(actor: "hushboxd", at: box.time.now)
        let run = try #require(outcome.runs[box.tenant.tenantID])
        #expect(run.id == open.id && run.resumed)
        #expect(run.referenceAt == started, "the first run's reference time, so its cut-offs")
        #expect(run.removed[.voicemailAudio] == 5)
        #expect(left.allSatisfy { !box.objectFileExists($0.objectID) })
        let tenant = try reopened.tenant(box.tenant.tenantID)
        #expect((try? tenant.openObject(borderline.objectID).readAll()) != nil, "younger than 90 days at the run's reference time")
        let entries = try tenant.auditEntries().filter { $0.action == "retention.purged" }
        #expect(entries.count == 1)
        if case .readable(let details) = entries.first?.details {
            #expect(details["voicemail_audio"] == "5" && details["resumed"] == "true" && details["run"] == open.id)
        } else {
            Issue.record("the purge's audit entry should be readable")
        }
        #expect(try !RetentionPurge(vault: reopened).isOwed(DailySchedule(), at: box.time.now), "nothing owed until tomorrow's 03:00")
        if case .intact = try reopened.verifyAuditChain() {} else { Issue.record("the audit chain should verify") }
    }

    @Test("A shutdown (task cancellation) stops a run between batches; the next run resumes it")
    func cancelled() async throws {
        let box = try PurgeFixture()
        for index in 0..<4 { try box.message(from: "+49 151 3000000\(index)", at: box.day(0)) }
        box.time.set(box.day(100))
        let purge = RetentionPurge(vault: box.vault, batchSize: 1) { _, batch in
            if batch.removed > 0 { withUnsafeCurrentTask { $0?.cancel() } }
        }
        let now = box.time.now
        let task = Task { try await purge.run(actor: "hushboxd", at: now) }
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(try box.tenant.openPurgeRun()?.removed[.voicemailAudio] == 1)
        let run = try #require(try await RetentionPurge(vault: box.vault).run(actor: "hushboxd", at: now).runs[box.tenant.tenantID])
        #expect(run.resumed && run.removed[.voicemailAudio] == 4)
    }
}
