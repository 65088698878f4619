internal import CClock
import Foundation

/// Whether the kernel's clock is synchronised (NTP through systemd-timesyncd
/// or chrony), from adjtimex(2), and whether it reads a plausible date: a
/// board without a real-time clock starts in 1970 or at its last shutdown.
struct ClockState: Sendable {
    var synchronised: Bool
    /// The estimated error, in microseconds, when synchronised.
    var estimatedError: Int

    /// This build's year: no box can really be earlier than the software it runs.
    static let earliestPlausible = Date(timeIntervalSince1970: 1_796_000_000)

    static func now() -> ClockState {
        var status: Int32 = 0
        var estimatedError = 0
        let result = hushbox_clock_state(&status, &estimatedError)
        // TIME_ERROR (5): unsynchronised; STA_UNSYNC (0x40) says the same in the status.
        let synchronised = result >= 0 && result != TIME_ERROR && status & STA_UNSYNC == 0
        return ClockState(synchronised: synchronised, estimatedError: estimatedError)
    }

    func plausible(_ now: Date) -> Bool { now >= Self.earliestPlausible }

    func description(_ now: Date) -> String {
        let reading = ISO8601DateFormatter().string(from: now)
        guard plausible(now) else { return "reads \(reading), before this software was built" }
        return synchronised ? "synchronised (estimated error \(estimatedError) µs), reads \(reading)" : "not synchronised, reads \(reading)"
    }
}
