public import SIPCore

/// The INVITE server transaction of RFC 3261 §17.2.1, with the Accepted state
/// of RFC 6026 §7.1 so that a 2xx is retransmitted by the transaction user and
/// retransmitted INVITEs are absorbed instead of starting a second call.
public struct ServerInviteTransaction: Sendable {
    public enum Action: Sendable, Equatable {
        case transmit(SIPResponse)
        case startTimer(TransactionTimer, after: Duration)
        /// Timer H fired: the ACK for a failure response never came (§17.2.1).
        case ackTimedOut
        case terminated
    }

    private enum State: Sendable {
        case proceeding(lastProvisional: SIPResponse?)
        case completed(final: SIPResponse, retransmitInterval: Duration)
        case confirmed
        case accepted
        case terminated
    }

    private var state: State = .proceeding(lastProvisional: nil)
    private let timers: TransactionTimers
    private let reliableTransport: Bool

    public init(timers: TransactionTimers, reliableTransport: Bool) {
        self.timers = timers
        self.reliableTransport = reliableTransport
    }

    public var isTerminated: Bool { if case .terminated = state { true } else { false } }

    /// No final response sent yet: a CANCEL still applies (§9.2).
    public var isProceeding: Bool { if case .proceeding = state { true } else { false } }

    /// A retransmission of the INVITE arrived.
    public mutating func requestRetransmitted() -> [Action] {
        switch state {
        case .proceeding(let lastProvisional):
            // §17.2.1: "the most recent provisional response ... MUST be passed to the transport layer".
            return lastProvisional.map { [.transmit($0)] } ?? []
        case .completed(let final, _):
            return [.transmit(final)]
        case .confirmed, .accepted, .terminated:
            // RFC 6026 §7.1: in Accepted, a retransmitted INVITE is absorbed.
            return []
        }
    }

    /// The transaction user sends a response.
    public mutating func send(_ response: SIPResponse) -> [Action] {
        switch (state, response.statusCode) {
        case (.proceeding, 100..<200):
            state = .proceeding(lastProvisional: response)
            return [.transmit(response)]
        case (.proceeding, 200..<300):
            state = .accepted
            return [.transmit(response), .startTimer(.l, after: timers.transactionTimeout)]
        case (.proceeding, 300...):
            state = .completed(final: response, retransmitInterval: timers.t1)
            var actions: [Action] = [.transmit(response)]
            if !reliableTransport { actions.append(.startTimer(.g, after: timers.t1)) }
            actions.append(.startTimer(.h, after: timers.transactionTimeout))
            return actions
        case (.accepted, 200..<300):
            // RFC 6026 §7.1: the TU's 2xx retransmissions pass through Accepted.
            return [.transmit(response)]
        default:
            // A late response from the TU (after CANCEL, say) has nowhere to go.
            return []
        }
    }

    /// An ACK matching this transaction arrived (only a non-2xx final is acknowledged here).
    public mutating func ackReceived() -> [Action] {
        guard case .completed = state else { return [] }
        state = .confirmed
        // §17.2.1: Timer I is T4 for unreliable transports, zero for reliable ones.
        return [.startTimer(.i, after: reliableTransport ? .zero : timers.t4)]
    }

    public mutating func timerFired(_ timer: TransactionTimer) -> [Action] {
        switch (state, timer) {
        case (.completed(let final, let interval), .g):
            let next = min(interval * 2, timers.t2)
            state = .completed(final: final, retransmitInterval: next)
            return [.transmit(final), .startTimer(.g, after: next)]
        case (.completed, .h):
            state = .terminated
            return [.ackTimedOut, .terminated]
        case (.confirmed, .i), (.accepted, .l):
            state = .terminated
            return [.terminated]
        default:
            return []
        }
    }

    /// §17.2.4: a transport failure ends the transaction.
    public mutating func transportFailed() -> [Action] {
        if case .terminated = state { return [] }
        state = .terminated
        return [.terminated]
    }
}
