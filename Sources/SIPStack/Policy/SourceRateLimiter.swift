/// A token bucket per source address: each message costs one token, tokens
/// refill at `rate` per second up to `burst`. Checked before parsing, so a flood
/// costs a dictionary lookup per datagram. The table is bounded: when full, the
/// least recently seen source is forgotten (it starts again with a full bucket).
public struct SourceRateLimiter: Sendable {
    public struct Settings: Sendable, Hashable {
        public var messagesPerSecond: Double
        public var burst: Double
        public var trackedSources: Int

        public init(messagesPerSecond: Double = 20, burst: Double = 60, trackedSources: Int = 4096) {
            self.messagesPerSecond = messagesPerSecond
            self.burst = burst
            self.trackedSources = trackedSources
        }
    }

    private struct Bucket: Sendable {
        var tokens: Double
        var updated: Duration
    }

    public let settings: Settings
    private var buckets: [String: Bucket] = [:]

    public init(settings: Settings) {
        self.settings = settings
    }

    /// Takes a token for `source` at `now`; false means the message is dropped.
    public mutating func admit(_ source: String, at now: Duration) -> Bool {
        var bucket = buckets[source] ?? Bucket(tokens: settings.burst, updated: now)
        let elapsed = (now - bucket.updated) / .seconds(1)
        bucket.tokens = min(settings.burst, bucket.tokens + max(0, elapsed) * settings.messagesPerSecond)
        bucket.updated = now
        let admitted = bucket.tokens >= 1
        if admitted { bucket.tokens -= 1 }
        if buckets[source] == nil, buckets.count >= settings.trackedSources, let oldest = buckets.min(by: { $0.value.updated < $1.value.updated })?.key {
            buckets.removeValue(forKey: oldest)
        }
        buckets[source] = bucket
        return admitted
    }
}
