public import SIPCore

/// The non-INVITE client transaction of RFC 3261 §17.1.2 (REGISTER, BYE,
/// OPTIONS the box sends).
public struct ClientNonInviteTransaction: Sendable {
    public enum Action: Sendable, Equatable {
        case transmit(SIPRequest)
        case startTimer(TransactionTimer, after: Duration)
        case deliver(SIPResponse)
        /// Timer F fired with no final response: the TU treats it as 408 (§8.1.3.1).
        case timedOut
        case terminated
    }

    private enum State: Sendable {
        case trying(retransmitInterval: Duration)
        case proceeding
        case completed
        case terminated
    }

    public let request: SIPRequest
    private var state: State
    private let timers: TransactionTimers
    private let reliableTransport: Bool

    public init(request: SIPRequest, timers: TransactionTimers, reliableTransport: Bool) {
        self.request = request
        self.timers = timers
        self.reliableTransport = reliableTransport
        self.state = .trying(retransmitInterval: timers.t1)
    }

    public var isTerminated: Bool { if case .terminated = state { true } else { false } }

    /// Sends the request for the first time.
    public func start() -> [Action] {
        var actions: [Action] = [.transmit(request)]
        if !reliableTransport { actions.append(.startTimer(.e, after: timers.t1)) }
        actions.append(.startTimer(.f, after: timers.transactionTimeout))
        return actions
    }

    public mutating func responseReceived(_ response: SIPResponse) -> [Action] {
        switch state {
        case .trying, .proceeding:
            if response.statusCode < 200 {
                state = .proceeding
                return [.deliver(response)]
            }
            state = .completed
            // §17.1.2.2: Timer K is T4 for unreliable transports, zero for reliable ones.
            return [.deliver(response), .startTimer(.k, after: reliableTransport ? .zero : timers.t4)]
        case .completed, .terminated:
            // Retransmitted finals are absorbed.
            return []
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer) -> [Action] {
        switch (state, timer) {
        case (.trying(let interval), .e):
            let next = min(interval * 2, timers.t2)
            state = .trying(retransmitInterval: next)
            return [.transmit(request), .startTimer(.e, after: next)]
        case (.proceeding, .e):
            // §17.1.2.2: in Proceeding the request is retransmitted every T2.
            return [.transmit(request), .startTimer(.e, after: timers.t2)]
        case (.trying, .f), (.proceeding, .f):
            state = .terminated
            return [.timedOut, .terminated]
        case (.completed, .k):
            state = .terminated
            return [.terminated]
        default:
            return []
        }
    }

    public mutating func transportFailed() -> [Action] {
        switch state {
        case .trying, .proceeding:
            state = .terminated
            return [.timedOut, .terminated]
        case .completed:
            state = .terminated
            return [.terminated]
        case .terminated:
            return []
        }
    }
}
