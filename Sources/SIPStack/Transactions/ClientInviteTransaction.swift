public import SIPCore

/// The INVITE client transaction of RFC 3261 §17.1.1 with RFC 6026's Accepted
/// state: every 2xx, also a retransmitted one, reaches the TU, which acknowledges
/// it end to end; a failure response is acknowledged here, hop by hop.
public struct ClientInviteTransaction: Sendable {
    public enum Action: Sendable, Equatable {
        case transmit(SIPRequest)
        case startTimer(TransactionTimer, after: Duration)
        case deliver(SIPResponse)
        /// Timer B fired in Calling: the TU treats it as 408.
        case timedOut
        case terminated
    }

    private enum State: Sendable {
        case calling(retransmitInterval: Duration)
        case proceeding
        case completed(ack: SIPRequest)
        case accepted
        case terminated
    }

    public let request: SIPRequest
    private var state: State
    private let timers: TransactionTimers
    private let reliableTransport: Bool

    public init(request: SIPRequest, timers: TransactionTimers, reliableTransport: Bool) {
        precondition(request.method == .invite, "an INVITE client transaction carries an INVITE, not \(request.method)")
        self.request = request
        self.timers = timers
        self.reliableTransport = reliableTransport
        self.state = .calling(retransmitInterval: timers.t1)
    }

    public var isTerminated: Bool { if case .terminated = state { true } else { false } }

    public func start() -> [Action] {
        var actions: [Action] = [.transmit(request)]
        if !reliableTransport { actions.append(.startTimer(.a, after: timers.t1)) }
        actions.append(.startTimer(.b, after: timers.transactionTimeout))
        return actions
    }

    public mutating func responseReceived(_ response: SIPResponse) -> [Action] {
        switch (state, response.statusCode) {
        case (.calling, 100..<200), (.proceeding, 100..<200):
            state = .proceeding
            return [.deliver(response)]
        case (.calling, 200..<300), (.proceeding, 200..<300):
            state = .accepted
            return [.deliver(response), .startTimer(.m, after: timers.transactionTimeout)]
        case (.accepted, 200..<300):
            return [.deliver(response)]
        case (.calling, 300...), (.proceeding, 300...):
            let ack = Self.acknowledgement(of: request, for: response)
            state = .completed(ack: ack)
            // §17.1.1.2: Timer D is at least 32 s for unreliable transports, zero for reliable ones.
            return [.deliver(response), .transmit(ack), .startTimer(.d, after: reliableTransport ? .zero : timers.clientInviteCompletedLinger)]
        case (.completed(let ack), 300...):
            // A retransmitted failure: acknowledge again, do not tell the TU twice.
            return [.transmit(ack)]
        default:
            return []
        }
    }

    public mutating func timerFired(_ timer: TransactionTimer) -> [Action] {
        switch (state, timer) {
        case (.calling(let interval), .a):
            // §17.1.1.2: Timer A doubles without the T2 cap.
            state = .calling(retransmitInterval: interval * 2)
            return [.transmit(request), .startTimer(.a, after: interval * 2)]
        case (.calling, .b):
            state = .terminated
            return [.timedOut, .terminated]
        case (.completed, .d), (.accepted, .m):
            state = .terminated
            return [.terminated]
        default:
            return []
        }
    }

    public mutating func transportFailed() -> [Action] {
        switch state {
        case .calling, .proceeding:
            state = .terminated
            return [.timedOut, .terminated]
        case .completed, .accepted:
            state = .terminated
            return [.terminated]
        case .terminated:
            return []
        }
    }

    /// §17.1.1.3: the ACK for a non-2xx final response — Request-URI, Call-ID,
    /// From and the top Via of the INVITE, To of the response, same CSeq number.
    static func acknowledgement(of invite: SIPRequest, for response: SIPResponse) -> SIPRequest {
        var headers = SIPHeaders()
        if let via = invite.headers[.via].first { headers.append(.via, via) }
        for name in [SIPHeaderName.from] { invite.headers[name].first.map { headers.append(name, $0) } }
        if let to = response.headers[.to].first { headers.append(.to, to) }
        invite.headers[.callID].first.map { headers.append(.callID, $0) }
        let sequence = (try? invite.headers.cseq())?.sequence ?? 1
        headers.append(.cseq, CSeq(sequence: sequence, method: .ack).description)
        for route in invite.headers[.route] { headers.append(.route, route) }
        headers.append(.maxForwards, "70")
        headers.append(.contentLength, "0")
        return SIPRequest(method: .ack, uri: invite.uri, headers: headers)
    }
}
