/// How long the worker waits before trying a destination again: exponential
/// backoff with "equal jitter" (half of each wait fixed, half random), so waits
/// grow while many boxes coming back after an outage do not arrive in step; a
/// receiver's Retry-After is a floor, bounded so a receiver cannot park the
/// queue for longer than `longestRetryAfter`.
public struct RetrySchedule: Sendable, Hashable {
    public var first: Duration
    public var longest: Duration
    public var longestRetryAfter: Duration

    public init(first: Duration = .seconds(5), longest: Duration = .seconds(30 * 60), longestRetryAfter: Duration = .seconds(6 * 3600)) {
        self.first = first
        self.longest = longest
        self.longestRetryAfter = longestRetryAfter
    }

    /// The wait after `failures` consecutive failed attempts (1 or more).
    /// - Parameter retryAfter: what the receiver asked for, if it did.
    public func delay(afterFailures failures: Int, retryAfter: Duration? = nil, using generator: inout some RandomNumberGenerator) -> Duration {
        let doublings = min(max(failures - 1, 0), 30)
        let ceiling = min(longest, first * (1 << doublings))
        let half = ceiling / 2
        let jitter = Duration.nanoseconds(Int64.random(in: 0...max(0, Self.nanoseconds(half)), using: &generator))
        let backoff = half + jitter
        guard let retryAfter else { return backoff }
        return max(backoff, min(retryAfter, longestRetryAfter))
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
