import SIPCore

/// A server transaction with what the core needs around it: the request it
/// answers and the flow responses go back over.
struct ServerTransactionRecord: Sendable {
    enum Machine: Sendable {
        case invite(ServerInviteTransaction)
        case nonInvite(ServerNonInviteTransaction)
    }

    /// Uniform output of either machine.
    enum Output: Sendable {
        case transmit(SIPResponse)
        case startTimer(TransactionTimer, after: Duration)
        case ackTimedOut
        case terminated
    }

    var machine: Machine
    let request: SIPRequest
    let flow: SIPFlow
    /// Where responses go: for UDP the received address and rport (RFC 3581),
    /// for streams the connection.
    let responseFlow: SIPFlow

    init(request: SIPRequest, flow: SIPFlow, timers: TransactionTimers) {
        self.request = request
        self.flow = flow
        responseFlow = Self.responseFlow(for: request, over: flow)
        machine = request.method == .invite
            ? .invite(ServerInviteTransaction(timers: timers, reliableTransport: flow.transport.isReliable))
            : .nonInvite(ServerNonInviteTransaction(timers: timers, reliableTransport: flow.transport.isReliable))
    }

    mutating func send(_ response: SIPResponse) -> [Output] {
        update(invite: { $0.send(response) }, nonInvite: { $0.send(response) })
    }

    mutating func requestRetransmitted() -> [Output] {
        update(invite: { $0.requestRetransmitted() }, nonInvite: { $0.requestRetransmitted() })
    }

    mutating func ackReceived() -> [Output] {
        update(invite: { $0.ackReceived() }, nonInvite: { _ in [] })
    }

    mutating func timerFired(_ timer: TransactionTimer) -> [Output] {
        update(invite: { $0.timerFired(timer) }, nonInvite: { $0.timerFired(timer) })
    }

    mutating func transportFailed() -> [Output] {
        update(invite: { $0.transportFailed() }, nonInvite: { $0.transportFailed() })
    }

    /// Whether the INVITE has had no final response yet (CANCEL still applies).
    var isAwaitingFinalResponse: Bool {
        if case .invite(let transaction) = machine { transaction.isProceeding } else { false }
    }

    /// Runs the event on whichever machine this is and stores it back.
    private mutating func update(
        invite: (inout ServerInviteTransaction) -> [ServerInviteTransaction.Action],
        nonInvite: (inout ServerNonInviteTransaction) -> [ServerNonInviteTransaction.Action]
    ) -> [Output] {
        switch machine {
        case .invite(var transaction):
            defer { machine = .invite(transaction) }
            return invite(&transaction).map(Output.init)
        case .nonInvite(var transaction):
            defer { machine = .nonInvite(transaction) }
            return nonInvite(&transaction).map(Output.init)
        }
    }

    /// RFC 3261 §18.2.2 with RFC 3581 §4.
    static func responseFlow(for request: SIPRequest, over flow: SIPFlow) -> SIPFlow {
        guard flow.transport == .udp, let via = (try? request.headers.vias())?.first else { return flow }
        let hasRport = via.parameters.contains { $0.name.lowercased() == "rport" }
        if hasRport { return flow }
        var target = flow
        target.remote.port = via.port ?? 5060
        return target
    }
}

extension ServerTransactionRecord.Output {
    init(_ action: ServerInviteTransaction.Action) {
        switch action {
        case .transmit(let response): self = .transmit(response)
        case .startTimer(let timer, let delay): self = .startTimer(timer, after: delay)
        case .ackTimedOut: self = .ackTimedOut
        case .terminated: self = .terminated
        }
    }

    init(_ action: ServerNonInviteTransaction.Action) {
        switch action {
        case .transmit(let response): self = .transmit(response)
        case .startTimer(let timer, let delay): self = .startTimer(timer, after: delay)
        case .terminated: self = .terminated
        }
    }
}

/// A client transaction the core started, and what it was for.
struct ClientTransactionRecord: Sendable {
    enum Purpose: Sendable, Hashable {
        case bye(callID: String)
        case register(peer: String)
    }

    var machine: ClientNonInviteTransaction
    let flow: SIPFlow
    let purpose: Purpose
}
