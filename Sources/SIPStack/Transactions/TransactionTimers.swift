/// The timer values of RFC 3261 §17 (Table 4). T1 is the round-trip estimate,
/// T2 the cap on non-INVITE and response retransmission intervals, T4 how long
/// the network may hold a message.
public struct TransactionTimers: Sendable, Hashable {
    public var t1: Duration
    public var t2: Duration
    public var t4: Duration

    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5)) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
    }

    /// Timers B, F, H, J, L and M: 64·T1.
    public var transactionTimeout: Duration { t1 * 64 }

    /// Timer D: "at least 32 seconds for unreliable transports" (§17.1.1.2).
    public var clientInviteCompletedLinger: Duration { max(.seconds(32), t1 * 64) }
}

/// The names RFC 3261 §17 and RFC 6026 §8 give the transaction timers.
public enum TransactionTimer: String, Sendable, Hashable, CaseIterable {
    case a = "A", b = "B", d = "D", e = "E", f = "F", g = "G", h = "H", i = "I", j = "J", k = "K", l = "L", m = "M"
}
