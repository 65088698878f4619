public import Foundation

/// Back-off after failed sign-ins. Pure: the caller passes the time.
///
/// Failures are counted three ways, so that guessing is slow but no stranger
/// can keep a user out:
/// - per account and source: after `freeFailures` the next attempt from that
///   address for that account waits `baseDelay`, doubling up to `maximumDelay`;
/// - per source, whatever the account: the same after `freeFailuresPerSource`
///   (a whole office may share one address);
/// - per account, from anywhere: after `freeFailuresPerAccount` (a guesser
///   spread over many addresses), except from an address that has signed in
///   to that account before, which the attacker cannot take from its owner.
///
/// An attempt is counted as a failure when it starts (``begin``) and cleared
/// if it succeeds, so parallel attempts cannot all pass one check before any
/// failure is recorded. While a key waits, attempts are refused without
/// checking the password: guessing costs the attacker the wait and the box no
/// Argon2 work. Keys are forgotten a day after their last failure, at most
/// `capacity` are kept, and a key that is waiting is never the one forgotten
/// to make room, so a flood of made-up accounts cannot unlock a real one.
public struct SignInThrottle: Sendable {
    public struct Policy: Sendable {
        public var freeFailures = 5
        public var freeFailuresPerSource = 20
        public var freeFailuresPerAccount = 50
        public var baseDelay: TimeInterval = 30
        public var maximumDelay: TimeInterval = 15 * 60
        public var forgetAfter: TimeInterval = 24 * 3600
        public var capacity = 10_000
        /// Addresses remembered as an account's own, in all.
        public var knownSourceCapacity = 10_000
        public init() {}
    }

    enum Key: Hashable {
        case pair(account: String, source: String)
        case source(String)
        case account(String)
    }

    struct Record: Sendable {
        var failures: Int
        var lastFailure: Date
        var lockedUntil: Date?
    }

    public let policy: Policy
    private var records: [Key: Record] = [:]
    /// (account, source) pairs that have signed in: never refused for the account's own count.
    private var knownSources: [String: Date] = [:]

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// When an attempt for `account` from `source` may next be made, or nil if now.
    public func lockedUntil(account: String, source: String, at now: Date) -> Date? {
        keys(account: account, source: source).compactMap { records[$0]?.lockedUntil }.filter { $0 > now }.max()
    }

    /// Starts an attempt: refused with the time to wait, or counted as a
    /// failure until ``succeeded(account:source:)`` clears it.
    public mutating func begin(account: String, source: String, at now: Date) -> Date? {
        if let until = lockedUntil(account: account, source: source, at: now) { return until }
        recordFailure(account: account, source: source, at: now)
        return nil
    }

    /// Counts a failure against the account and the source; returns when they may next try, if they must wait.
    @discardableResult
    public mutating func recordFailure(account: String, source: String, at now: Date) -> Date? {
        for key in [Key.pair(account: account, source: source), .source(source), .account(account)] {
            var record = records[key].flatMap { now.timeIntervalSince($0.lastFailure) < policy.forgetAfter ? $0 : nil }
                ?? Record(failures: 0, lastFailure: now, lockedUntil: nil)
            record.failures += 1
            record.lastFailure = now
            let over = record.failures - free(key)
            if over >= 0 {
                let delay = min(policy.maximumDelay, policy.baseDelay * pow(2, Double(min(over, 30))))
                record.lockedUntil = now.addingTimeInterval(delay)
            }
            records[key] = record
        }
        evict(at: now)
        return lockedUntil(account: account, source: source, at: now)
    }

    /// The attempt that ``begin`` counted succeeded: the account's failures
    /// from this source and everywhere are cleared, the source's count takes
    /// back this attempt, and the source is remembered as the account's own.
    public mutating func succeeded(account: String, source: String, at now: Date) {
        records[.pair(account: account, source: source)] = nil
        records[.account(account)] = nil
        if var record = records[.source(source)] {
            record.failures = max(0, record.failures - 1)
            records[.source(source)] = record
        }
        knownSources[account + "\u{0}" + source] = now
        if knownSources.count > policy.knownSourceCapacity {
            let stalest = knownSources.sorted { $0.value < $1.value }.prefix(knownSources.count - policy.knownSourceCapacity * 9 / 10)
            for (key, _) in stalest { knownSources[key] = nil }
        }
    }

    /// How many keys are remembered (for tests and metrics).
    public var count: Int { records.count }

    private func keys(account: String, source: String) -> [Key] {
        let known = knownSources[account + "\u{0}" + source] != nil
        return [.pair(account: account, source: source), .source(source)] + (known ? [] : [.account(account)])
    }

    private func free(_ key: Key) -> Int {
        switch key {
        case .pair: policy.freeFailures
        case .source: policy.freeFailuresPerSource
        case .account: policy.freeFailuresPerAccount
        }
    }

    private mutating func evict(at now: Date) {
        guard records.count > policy.capacity else { return }
        records = records.filter { now.timeIntervalSince($0.value.lastFailure) < policy.forgetAfter }
        // Down to nine tenths at once, so a flood sorts once per tenth of the capacity, not once per failure;
        // a key that is waiting is never forgotten to make room.
        let keep = policy.capacity * 9 / 10
        if records.count > policy.capacity {
            let stalest = records.filter { ($0.value.lockedUntil ?? .distantPast) <= now }
                .sorted { $0.value.lastFailure < $1.value.lastFailure }.prefix(records.count - keep)
            for (key, _) in stalest { records[key] = nil }
        }
        // Past twice the capacity even waiting keys go, stalest first: memory stays bounded whatever arrives.
        if records.count > policy.capacity * 2 {
            let stalest = records.sorted { $0.value.lastFailure < $1.value.lastFailure }.prefix(records.count - policy.capacity * 2)
            for (key, _) in stalest { records[key] = nil }
        }
    }
}
