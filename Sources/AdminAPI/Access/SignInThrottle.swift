public import Foundation

/// Back-off after failed sign-ins, per account and per source address. Pure:
/// the caller passes the time.
///
/// After `freeFailures` failures in a row for an account (`freeFailuresPerSource`
/// from one address, which a whole office may share), the next attempt must wait
/// `baseDelay`, doubling with each further failure up to `maximumDelay`; a
/// success for the account clears it. While a key waits, attempts are refused
/// without checking the password, so guessing costs the attacker the wait and
/// the box no Argon2 work. Keys are forgotten a day after their last failure,
/// and at most `capacity` are kept (the stalest go first), so a flood of
/// made-up accounts cannot grow memory.
public struct SignInThrottle: Sendable {
    public struct Policy: Sendable {
        public var freeFailures = 5
        public var freeFailuresPerSource = 20
        public var baseDelay: TimeInterval = 30
        public var maximumDelay: TimeInterval = 15 * 60
        public var forgetAfter: TimeInterval = 24 * 3600
        public var capacity = 10_000
        public init() {}
    }

    struct Record: Sendable {
        var failures: Int
        var lastFailure: Date
        var lockedUntil: Date?
    }

    public let policy: Policy
    private var records: [Key: Record] = [:]

    enum Key: Hashable {
        case account(String)
        case source(String)
    }

    public init(policy: Policy = Policy()) {
        self.policy = policy
    }

    /// When an attempt for `account` from `source` may next be made, or nil if now.
    public func lockedUntil(account: String, source: String, at now: Date) -> Date? {
        [Key.account(account), .source(source)].compactMap { records[$0]?.lockedUntil }.filter { $0 > now }.max()
    }

    /// Counts a failure against the account and the source; returns when they may next try, if they must wait.
    @discardableResult
    public mutating func recordFailure(account: String, source: String, at now: Date) -> Date? {
        for key in [Key.account(account), .source(source)] {
            var record = records[key].flatMap { now.timeIntervalSince($0.lastFailure) < policy.forgetAfter ? $0 : nil }
                ?? Record(failures: 0, lastFailure: now, lockedUntil: nil)
            record.failures += 1
            record.lastFailure = now
            let free: Int
            if case .source = key { free = policy.freeFailuresPerSource } else { free = policy.freeFailures }
            let over = record.failures - free
            if over >= 0 {
                let delay = min(policy.maximumDelay, policy.baseDelay * pow(2, Double(min(over, 30))))
                record.lockedUntil = now.addingTimeInterval(delay)
            }
            records[key] = record
        }
        evict(at: now)
        return lockedUntil(account: account, source: source, at: now)
    }

    /// A successful sign-in clears the account's failures (not the address's).
    public mutating func recordSuccess(account: String) {
        records[.account(account)] = nil
    }

    /// How many keys are remembered (for tests and metrics).
    public var count: Int { records.count }

    private mutating func evict(at now: Date) {
        guard records.count > policy.capacity else { return }
        records = records.filter { now.timeIntervalSince($0.value.lastFailure) < policy.forgetAfter }
        // Down to nine tenths at once, so a flood sorts once per tenth of the capacity, not once per failure.
        let keep = policy.capacity * 9 / 10
        if records.count > policy.capacity {
            let stalest = records.sorted { $0.value.lastFailure < $1.value.lastFailure }.prefix(records.count - keep)
            for (key, _) in stalest { records[key] = nil }
        }
    }
}
