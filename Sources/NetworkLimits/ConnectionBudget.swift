import Synchronization

/// How many connections a server holds open, in all and per source address:
/// a host that opens connections and sends nothing (or drips) uses up its own
/// share, never the file descriptors the rest of the process needs (the
/// receiver's store; hushboxd's recordings and database). Shared by
/// hushbox-ingest and hushboxd's SIP and HTTP listeners. "An address" is a
/// ``SourceKey``: one IPv6 host holds a whole /64.
public final class ConnectionBudget: Sendable {
    public struct Limits: Sendable, Hashable {
        public var total: Int
        public var perSource: Int
        /// From accepting a connection (or finishing a request) to the end of the
        /// next request: a TLS handshake, a request head and its body.
        public var requestDeadline: Duration

        public init(total: Int = 512, perSource: Int = 32, requestDeadline: Duration = .seconds(60)) {
            self.total = total
            self.perSource = perSource
            self.requestDeadline = requestDeadline
        }

        /// The deadline for NIO's scheduler.
        public var requestDeadlineNanoseconds: Int64 {
            let parts = requestDeadline.components
            return parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000
        }
    }

    private struct State {
        var total = 0
        var bySource: [String: Int] = [:]
        var refused = 0
    }

    /// How many refused connections may still be closing (each on its own event
    /// loop, which on a busy box can lag) before a listener stops accepting and
    /// lets the rest wait in the kernel's listen backlog. So a listener's
    /// connections cost at most `limits.total` plus this many descriptors.
    public static let closingAllowance = 16
    /// Connections the kernel completes and holds for a listener that is not
    /// accepting: an honest client queues behind a flood instead of being dropped
    /// (the kernel caps it at net.core.somaxconn).
    public static let listenBacklog = 1024

    public let limits: Limits
    private let state = Mutex(State())

    public init(limits: Limits) {
        self.limits = limits
    }

    /// Takes a place for a connection from `source`; false when it must be closed.
    public func take(_ source: String) -> Bool {
        let source = SourceKey.of(source)
        return state.withLock { state in
            let held = state.bySource[source] ?? 0
            guard state.total < limits.total, held < limits.perSource else {
                state.refused += 1
                return false
            }
            state.total += 1
            state.bySource[source] = held + 1
            return true
        }
    }

    public func give(_ source: String) {
        let source = SourceKey.of(source)
        state.withLock { state in
            state.total -= 1
            let held = (state.bySource[source] ?? 1) - 1
            state.bySource[source] = held > 0 ? held : nil
        }
    }

    /// Connections open now, and how many were refused since start.
    public var snapshot: (open: Int, refused: Int) {
        state.withLock { ($0.total, $0.refused) }
    }
}
