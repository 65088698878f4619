import Foundation
import HushboxTestSupport
import Privacy
import Synchronization
import Testing
import Vault

/// hushboxd's daily purge loop on virtual time: every sleep ends at once and
/// the wall clock jumps with it, so days of schedule run in milliseconds.
@Suite("Daily purge schedule")
struct DailyJobSchedulerTests {
    /// Runs the real purge under the scheduler from `start` until `runs` runs
    /// happened; returns each run's reference time.
    func references(from start: Date, runs: Int, prepare: (PurgeFixture) async throws -> Void = { _ in }) async throws -> [Date] {
        let box = try PurgeFixture(start: start)
        try await prepare(box)
        let clock = SkippingClock()
        let time = box.time
        let now: @Sendable () -> Date = {
            let offset = clock.now.offset.components
            time.set(start.addingTimeInterval(TimeInterval(offset.seconds) + TimeInterval(offset.attoseconds) / 1e18))
            return time.now
        }
        let scheduler = DailyJobScheduler(schedule: DailySchedule(), clock: clock, now: now)
        let purge = RetentionPurge(vault: box.vault)
        let seen = Mutex<[Date]>([])
        await scheduler.run(
            isOwed: { instant in try purge.isOwed(scheduler.schedule, at: instant) },
            job: { instant in
                _ = try await purge.run(actor: "hushboxd", at: instant)
                let count = seen.withLock { $0.append(instant); return $0.count }
                if count == runs { throw CancellationError() }
            },
            failed: { error in Issue.record("the purge failed: \(error)") }
        )
        return seen.withLock { $0 }
    }

    func utc(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    @Test("Across 29 February 2028: a run at start (none completed yet), then at 03:00 UTC each day")
    func leapDay() async throws {
        let runs = try await references(from: utc("2028-02-27T12:00:00Z"), runs: 4)
        #expect(runs == ["2028-02-27T12:00:00Z", "2028-02-28T03:00:00Z", "2028-02-29T03:00:00Z", "2028-03-01T03:00:00Z"].map(utc))
    }

    @Test("Across the EU's daylight saving changes (29 March and 25 October 2026): still 03:00 UTC, never twice or skipped")
    func daylightSaving() async throws {
        let spring = try await references(from: utc("2026-03-28T03:00:00Z"), runs: 3)
        #expect(spring == ["2026-03-28T03:00:00Z", "2026-03-29T03:00:00Z", "2026-03-30T03:00:00Z"].map(utc))
        let autumn = try await references(from: utc("2026-10-24T02:59:59Z"), runs: 4)
        #expect(autumn == ["2026-10-24T02:59:59Z", "2026-10-24T03:00:00Z", "2026-10-25T03:00:00Z", "2026-10-26T03:00:00Z"].map(utc))
    }

    @Test("After a restart the day's run is not repeated; a run cut off before the restart is resumed at once")
    func restart() async throws {
        let start = utc("2026-06-10T09:00:00Z")
        let runs = try await references(from: start, runs: 2) { box in
            // Today's 03:00 run completed before the restart.
            _ = try await RetentionPurge(vault: box.vault).run(actor: "hushboxd", at: self.utc("2026-06-10T03:00:00Z"))
        }
        #expect(runs == ["2026-06-11T03:00:00Z", "2026-06-12T03:00:00Z"].map(utc))

        let resumed = try await references(from: start, runs: 1) { box in
            _ = try await RetentionPurge(vault: box.vault).run(actor: "hushboxd", at: self.utc("2026-06-09T03:00:00Z"))
            _ = try box.tenant.beginPurgeRun(reference: self.utc("2026-06-10T03:00:00Z"), actor: "hushboxd")
        }
        #expect(resumed == [start], "owed at once")
    }
}
