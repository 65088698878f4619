import SIPCore

extension SignallingCore {
    /// Opens a server transaction for a new request; nil (and a 503 already
    /// sent) when the table is full.
    mutating func openServerTransaction(_ key: ServerTransactionKey, for request: SIPRequest, over flow: SIPFlow) -> ServerTransactionRecord? {
        let record = ServerTransactionRecord(request: request, flow: flow, timers: configuration.timers)
        guard serverTransactions.count < configuration.maximumTransactions else { return nil }
        serverTransactions[key] = record
        return record
    }

    /// Sends a response through its server transaction.
    mutating func respond(_ key: ServerTransactionKey, with response: SIPResponse, at now: Duration) -> [SignallingAction] {
        var response = response
        if response.headers[.server].isEmpty { response.headers.append(.server, configuration.userAgent) }
        if response.headers[.contentLength].isEmpty { response.headers.append(.contentLength, String(response.body.count)) }
        return updateServerTransaction(key, at: now) { $0.send(response) }
    }

    /// Answers a request statelessly when no transaction could be kept for it.
    func respondStatelessly(to request: SIPRequest, over flow: SIPFlow, status: Int, extra: [SIPHeaders.Field] = []) -> [SignallingAction] {
        var response = request.response(status, toTag: "hb-stateless", extraHeaders: extra)
        response.headers.append(.contentLength, "0")
        return [.send(response.serialized, over: ServerTransactionRecord.responseFlow(for: request, over: flow))]
    }

    mutating func updateServerTransaction(
        _ key: ServerTransactionKey, at now: Duration, _ change: (inout ServerTransactionRecord) -> [ServerTransactionRecord.Output]
    ) -> [SignallingAction] {
        guard var record = serverTransactions[key] else { return [] }
        let outputs = change(&record)
        serverTransactions[key] = record
        var actions: [SignallingAction] = []
        for output in outputs {
            switch output {
            case .transmit(let response):
                actions.append(.send(response.serialized, over: record.responseFlow))
            case .startTimer(let timer, let delay):
                schedule(.server(key, timer), after: delay, at: now)
            case .ackTimedOut:
                actions.append(.log(.init(.info, "no ACK for the failure response", callID: try? record.request.headers.callID(), source: record.flow.remote.host)))
            case .terminated:
                serverTransactions.removeValue(forKey: key)
                cancelTimers { if case .server(key, _) = $0 { true } else { false } }
                if let number = callsByInvite.removeValue(forKey: key), calls[number]?.pendingInvite?.key == key {
                    calls[number]?.pendingInvite = nil
                }
            }
        }
        return actions
    }

    /// Starts a client transaction for a request the box originates, adding our Via.
    mutating func startClientTransaction(
        _ request: SIPRequest, over flow: SIPFlow, purpose: ClientTransactionRecord.Purpose, at now: Duration
    ) -> [SignallingAction] {
        var request = request
        let branch = "z9hG4bK" + token(16)
        let port = configuration.ports[flow.transport] ?? 5060
        var fields = request.headers.fields
        fields.insert(SIPHeaders.Field(name: .via, value: "SIP/2.0/\(flow.transport.viaName) \(advertisedHost):\(port);branch=\(branch);rport"), at: 0)
        request.headers = SIPHeaders(fields)
        if request.headers[.userAgent].isEmpty { request.headers.append(.userAgent, configuration.userAgent) }
        let machine = ClientNonInviteTransaction(request: request, timers: configuration.timers, reliableTransport: flow.transport.isReliable)
        clientTransactions[branch] = ClientTransactionRecord(machine: machine, flow: flow, purpose: purpose)
        return clientActions(branch, machine.start(), flow: flow, purpose: purpose, at: now)
    }

    mutating func updateClientTransaction(
        _ branch: String, at now: Duration, _ change: (inout ClientNonInviteTransaction) -> [ClientNonInviteTransaction.Action]
    ) -> [SignallingAction] {
        guard var record = clientTransactions[branch] else { return [] }
        let outputs = change(&record.machine)
        clientTransactions[branch] = record
        return clientActions(branch, outputs, flow: record.flow, purpose: record.purpose, at: now)
    }

    private mutating func clientActions(
        _ branch: String, _ outputs: [ClientNonInviteTransaction.Action], flow: SIPFlow, purpose: ClientTransactionRecord.Purpose, at now: Duration
    ) -> [SignallingAction] {
        var actions: [SignallingAction] = []
        for output in outputs {
            switch output {
            case .transmit(let request):
                actions.append(.send(request.serialized, over: flow))
            case .startTimer(let timer, let delay):
                schedule(.client(branch: branch, timer), after: delay, at: now)
            case .deliver(let response):
                actions += clientResponse(response, for: purpose, at: now)
            case .timedOut:
                actions += clientTimedOut(purpose, at: now)
            case .terminated:
                clientTransactions.removeValue(forKey: branch)
                cancelTimers { if case .client(branch, _) = $0 { true } else { false } }
            }
        }
        return actions
    }

    /// A response from the network: to its client transaction by branch and
    /// CSeq method (§17.1.3), or dropped.
    mutating func receiveResponse(_ response: SIPResponse, over flow: SIPFlow, at now: Duration) -> [SignallingAction] {
        guard let via = (try? response.headers.vias())?.first, let branch = via.branch,
            let record = clientTransactions[branch],
            (try? response.headers.cseq())??.method == record.machine.request.method
        else { return [] }
        if case .register(let peer) = record.purpose, (200..<300).contains(response.statusCode) {
            registrationConnections[peer] = flow.connection
        }
        return updateClientTransaction(branch, at: now) { $0.responseReceived(response) }
    }

    private mutating func clientResponse(_ response: SIPResponse, for purpose: ClientTransactionRecord.Purpose, at now: Duration) -> [SignallingAction] {
        switch purpose {
        case .bye(let callID):
            guard response.statusCode >= 200 else { return [] }
            return [.log(.init(.debug, "BYE answered with \(response.statusCode)", callID: callID))]
        case .register(let peer):
            return updateRegistration(peer, at: now) { client, random in client.responseReceived(response, at: now, using: &random) }
        }
    }

    private mutating func clientTimedOut(_ purpose: ClientTransactionRecord.Purpose, at now: Duration) -> [SignallingAction] {
        switch purpose {
        case .bye(let callID):
            return [.log(.init(.info, "BYE went unanswered; the call is over on this side", callID: callID))]
        case .register(let peer):
            return registrationUnanswered(peer, at: now)
        }
    }
}
