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
        switch machine {
        case .invite(var transaction):
            defer { machine = .invite(transaction) }
            return transaction.send(response).map(Output.init)
        case .nonInvite(var transaction):
            defer { machine = .nonInvite(transaction) }
            return transaction.send(response).map(Output.init)
        }
    }

    mutating func requestRetransmitted() -> [Output] {
        switch machine {
        case .invite(var transaction):
            defer { machine = .invite(transaction) }
            return transaction.requestRetransmitted().map(Output.init)
        case .nonInvite(var transaction):
            defer { machine = .nonInvite(transaction) }
            return transaction.requestRetransmitted().map(Output.init)
        }
    }

    mutating func ackReceived() -> [Output] {
        guard case .invite(var transaction) = machine else { return [] }
        defer { machine = .invite(transaction) }
        return transaction.ackReceived().map(Output.init)
    }

    /// Whether the INVITE has had no final response yet (CANCEL still applies).
    var isAwaitingFinalResponse: Bool {
        if case .invite(let transaction) = machine { transaction.isProceeding } else { false }
    }

    mutating func timerFired(_ timer: TransactionTimer) -> [Output] {
        switch machine {
        case .invite(var transaction):
            defer { machine = .invite(transaction) }
            return transaction.timerFired(timer).map(Output.init)
        case .nonInvite(var transaction):
            defer { machine = .nonInvite(transaction) }
            return transaction.timerFired(timer).map(Output.init)
        }
    }

    mutating func transportFailed() -> [Output] {
        switch machine {
        case .invite(var transaction):
            defer { machine = .invite(transaction) }
            return transaction.transportFailed().map(Output.init)
        case .nonInvite(var transaction):
            defer { machine = .nonInvite(transaction) }
            return transaction.transportFailed().map(Output.init)
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
