public import SIPCore

/// The non-INVITE server transaction of RFC 3261 §17.2.2.
public struct ServerNonInviteTransaction: Sendable {
    public enum Action: Sendable, Equatable {
        case transmit(SIPResponse)
        case startTimer(TransactionTimer, after: Duration)
        case terminated
    }

    private enum State: Sendable {
        case trying
        case proceeding(lastProvisional: SIPResponse)
        case completed(final: SIPResponse)
        case terminated
    }

    private var state: State = .trying
    private let timers: TransactionTimers
    private let reliableTransport: Bool

    public init(timers: TransactionTimers, reliableTransport: Bool) {
        self.timers = timers
        self.reliableTransport = reliableTransport
    }

    public var isTerminated: Bool { if case .terminated = state { true } else { false } }

    public mutating func requestRetransmitted() -> [Action] {
        switch state {
        case .trying, .terminated:
            // §17.2.2: in Trying, retransmissions are discarded.
            return []
        case .proceeding(let provisional):
            return [.transmit(provisional)]
        case .completed(let final):
            return [.transmit(final)]
        }
    }

    public mutating func send(_ response: SIPResponse) -> [Action] {
        switch state {
        case .trying, .proceeding:
            if response.statusCode < 200 {
                state = .proceeding(lastProvisional: response)
                return [.transmit(response)]
            }
            state = .completed(final: response)
            // §17.2.2: Timer J is 64·T1 for unreliable transports, zero for reliable ones.
            return [.transmit(response), .startTimer(.j, after: reliableTransport ? .zero : timers.transactionTimeout)]
        case .completed, .terminated:
            return []
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer) -> [Action] {
        guard case .completed = state, timer == .j else { return [] }
        state = .terminated
        return [.terminated]
    }

    public mutating func transportFailed() -> [Action] {
        if case .terminated = state { return [] }
        state = .terminated
        return [.terminated]
    }
}
