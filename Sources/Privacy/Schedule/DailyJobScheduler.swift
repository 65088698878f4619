public import Foundation

/// Runs a daily job (the purge) whenever it is owed: at the schedule's time,
/// at start-up after a day the box was off, and after a run that was cut off.
/// The clock it sleeps on and the wall time it reads are injected, so a test
/// runs days of schedule in milliseconds.
public struct DailyJobScheduler<SleepClock: Clock>: Sendable where SleepClock.Duration == Duration {
    public let schedule: DailySchedule
    public let clock: SleepClock
    public let now: @Sendable () -> Date
    /// The longest single sleep. A Raspberry Pi has no battery-backed clock:
    /// its wall time can jump when NTP sets it after boot, so the scheduler
    /// looks at the time again at least this often instead of trusting one
    /// long sleep.
    public let longestSleep: Duration

    public init(schedule: DailySchedule, clock: SleepClock, now: @escaping @Sendable () -> Date, longestSleep: Duration = .seconds(900)) {
        self.schedule = schedule
        self.clock = clock
        self.now = now
        self.longestSleep = longestSleep
    }

    /// Until cancelled: asks `isOwed` each time it wakes and runs `job` at the
    /// wall time it woke at when a run is owed. A job that fails is reported
    /// and owed again at the next wake (at most `longestSleep` later); a job
    /// that throws `CancellationError` ends the loop.
    public func run(
        isOwed: @Sendable (Date) throws -> Bool,
        job: @Sendable (Date) async throws -> Void,
        failed: @Sendable (any Error) -> Void
    ) async {
        while !Task.isCancelled {
            let woke = now()
            do {
                if try isOwed(woke) { try await job(woke) }
            } catch is CancellationError {
                return
            } catch {
                failed(error)
            }
            do {
                try await clock.sleep(for: wait(from: now()))
            } catch {
                return
            }
        }
    }

    /// Until the next scheduled time, but no longer than `longestSleep`.
    func wait(from instant: Date) -> Duration {
        let untilNext = schedule.nextRun(after: instant).timeIntervalSince(instant)
        return min(.milliseconds(Int64((untilNext * 1000).rounded(.up))), longestSleep)
    }
}
