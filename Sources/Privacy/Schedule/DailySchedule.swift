public import Foundation

/// A daily job's time in UTC (the purge: 03:00), and when a run is owed.
/// Pure arithmetic on Unix time: a UTC day is always 86,400 seconds long, so
/// the box's time zone, daylight saving changes and 29 February change nothing.
/// The caller brings the clock: hushboxd's scheduler, a test's virtual time.
public struct DailySchedule: Sendable, Hashable {
    public let secondsAfterMidnight: Int

    public init(hour: Int = 3, minute: Int = 0) {
        precondition((0..<24).contains(hour) && (0..<60).contains(minute), "a time of day: hour 0–23, minute 0–59")
        secondsAfterMidnight = hour * 3600 + minute * 60
    }

    static let day: Int64 = 86_400

    /// The latest scheduled time at or before `instant`.
    public func latestRun(atOrBefore instant: Date) -> Date {
        let seconds = Int64(instant.timeIntervalSince1970.rounded(.down))
        let midnight = seconds - ((seconds % Self.day) + Self.day) % Self.day
        var run = midnight + Int64(secondsAfterMidnight)
        if run > seconds { run -= Self.day }
        return Date(timeIntervalSince1970: TimeInterval(run))
    }

    /// The first scheduled time after `instant`.
    public func nextRun(after instant: Date) -> Date {
        let latest = latestRun(atOrBefore: instant)
        return latest.addingTimeInterval(TimeInterval(Self.day))
    }

    /// Whether a run is owed at `now`: a scheduled time has passed since the
    /// last run that completed. True after a day the box was off at the hour, and
    /// after a run that was cut off (it never completed), so it resumes.
    public func isDue(lastCompleted: Date?, at now: Date) -> Bool {
        guard let lastCompleted else { return true }
        return latestRun(atOrBefore: now) > lastCompleted
    }
}
