public import Foundation

/// The clock's state in a sentence for a command that depends on the date.
public enum ClockCheck {
    /// Nil when the clock is synchronised and plausible; else what is wrong with it.
    public static func unsynchronised(now: Date) -> String? {
        let state = ClockState.now()
        return state.synchronised && state.plausible(now) ? nil : state.description(now)
    }
}
