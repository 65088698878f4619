import Synchronization

/// Keeps each answer for its time to live (RFC 1035 §3.2.1), so that a
/// registration refreshed every few minutes does not ask DNS every time, and
/// a carrier's changed records are seen once the old ones expire. Failures are
/// not kept: the next lookup asks again.
public final class CachingDNS<C: Clock>: DNSLookup where C.Duration == Duration {
    private struct Key: Hashable {
        let name: String
        let type: DNSRecordType
    }

    private let upstream: any DNSLookup
    private let clock: C
    private let entries = Mutex<[Key: (answer: DNSAnswer, expires: C.Instant)]>([:])
    /// Names kept at once; the oldest go first beyond it.
    public static var capacity: Int { 256 }

    public init(_ upstream: any DNSLookup, clock: C) {
        self.upstream = upstream
        self.clock = clock
    }

    public func query(_ name: String, _ type: DNSRecordType) async throws(DNSError) -> DNSAnswer {
        // Names are case-insensitive (RFC 4343).
        let key = Key(name: name.lowercased(), type: type)
        let now = clock.now
        if let kept = entries.withLock({ $0[key] }), now < kept.expires {
            var answer = kept.answer
            answer.timeToLive = now.duration(to: kept.expires)
            return answer
        }
        let answer = try await upstream.query(name, type)
        let expires = clock.now.advanced(by: answer.timeToLive)
        entries.withLock { entries in
            if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.expires < $1.value.expires })?.key {
                entries.removeValue(forKey: oldest)
            }
            entries[key] = (answer, expires)
        }
        return answer
    }
}
