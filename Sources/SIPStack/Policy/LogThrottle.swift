/// At most one log line a minute per reason, carrying how many were left out:
/// a flood of refused requests must not write the SD card to death, and an
/// operator still learns that it happens and how much. Reasons are a fixed
/// set, so the table cannot grow with what arrives.
public struct LogThrottle: Sendable {
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        case unknownSource = "unknown_source"
        case blockedSource = "blocked_source"
        case rateLimited = "rate_limited"
        case scanner
        case unparseable
        case refusedPlaintext = "refused_plaintext"
        case refusedRequest = "refused_request"
        case authenticationLocked = "authentication_locked"
        case overloaded
        case shuttingDown = "shutting_down"
    }

    public let interval: Duration
    private var lastLogged: [Reason: Duration] = [:]
    private var suppressed: [Reason: Int] = [:]

    public init(interval: Duration = .seconds(60)) {
        self.interval = interval
    }

    /// Nil when these `occurrences` are only counted; otherwise how many were
    /// left out since the last line for `reason` (the first of these is the
    /// one the line is about), and the line is to be written.
    public mutating func admit(_ reason: Reason, occurrences: Int = 1, at now: Duration) -> Int? {
        if let last = lastLogged[reason], now - last < interval {
            suppressed[reason, default: 0] += occurrences
            return nil
        }
        lastLogged[reason] = now
        return (suppressed.removeValue(forKey: reason) ?? 0) + occurrences - 1
    }
}
