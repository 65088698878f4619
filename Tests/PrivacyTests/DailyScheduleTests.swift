import Foundation
import Privacy
import Testing

/// The daily purge at 03:00 UTC on a virtual clock: the same instant every UTC
/// day whatever the box's local time does, and a run owed after a day the box
/// was off or a run that was cut off.
@Suite("Daily schedule at 03:00 UTC")
struct DailyScheduleTests {
    let schedule = DailySchedule(hour: 3)

    func at(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text), "\(text)")
    }

    @Test("Across the EU's daylight saving changes the run stays at 03:00 UTC, 24 hours apart")
    func daylightSaving() throws {
        // Clocks in the EU go forward on 29 March 2026 at 01:00 UTC and back on 25 October at 01:00 UTC.
        #expect(schedule.nextRun(after: try at("2026-03-28T12:00:00Z")) == (try at("2026-03-29T03:00:00Z")))
        #expect(schedule.nextRun(after: try at("2026-03-29T03:00:00Z")) == (try at("2026-03-30T03:00:00Z")))
        #expect(schedule.nextRun(after: try at("2026-10-25T00:59:59Z")) == (try at("2026-10-25T03:00:00Z")))
        #expect(schedule.nextRun(after: try at("2026-10-25T03:00:00Z")).timeIntervalSince(try at("2026-10-25T03:00:00Z")) == 86_400)
    }

    @Test("29 February is a day like any other; the year's end too")
    func leapDay() throws {
        #expect(schedule.nextRun(after: try at("2028-02-28T03:00:00Z")) == (try at("2028-02-29T03:00:00Z")))
        #expect(schedule.nextRun(after: try at("2028-02-29T03:00:00Z")) == (try at("2028-03-01T03:00:00Z")))
        #expect(schedule.nextRun(after: try at("2027-02-28T03:00:00Z")) == (try at("2027-03-01T03:00:00Z")))
        #expect(schedule.nextRun(after: try at("2026-12-31T23:59:59Z")) == (try at("2027-01-01T03:00:00Z")))
        #expect(schedule.latestRun(atOrBefore: try at("2028-03-01T02:59:59Z")) == (try at("2028-02-29T03:00:00Z")))
    }

    @Test("A run is owed after a day the box was off at 03:00 and after a run cut off; never twice for one day")
    func owedRuns() throws {
        let completed = try at("2026-11-22T03:00:05Z")
        #expect(!schedule.isDue(lastCompleted: completed, at: try at("2026-11-23T02:59:59Z")))
        #expect(schedule.isDue(lastCompleted: completed, at: try at("2026-11-23T03:00:00Z")))
        // Off at 03:00, started at 09:00: the day's run is owed, once.
        #expect(schedule.isDue(lastCompleted: completed, at: try at("2026-11-23T09:00:00Z")))
        #expect(!schedule.isDue(lastCompleted: try at("2026-11-23T09:00:10Z"), at: try at("2026-11-23T23:00:00Z")))
        // A run that started at 03:00 and was killed never completed: still owed at 03:05, so it resumes.
        #expect(schedule.isDue(lastCompleted: completed, at: try at("2026-11-23T03:05:00Z")))
        #expect(schedule.isDue(lastCompleted: nil, at: try at("2026-11-23T03:05:00Z")), "a box that never ran one")
    }
}
