import SIPCore

extension SignallingCore {
    mutating func receiveRequest(_ request: SIPRequest, over flow: SIPFlow, from peer: SIPPeer, at now: Duration) -> [SignallingAction] {
        if request.method == .ack {
            return receiveAck(request, from: peer, at: now)
        }
        guard let key = ServerTransactionKey(request) else { return [] }
        if serverTransactions[key] != nil {
            return updateServerTransaction(key, at: now) { $0.requestRetransmitted() }
        }
        let callID = try? request.headers.callID()
        if flow.transport != .tls, !peer.allowsPlaintext {
            // The box's rule, not RFC 3261's: a peer not marked plaintext signals over TLS only.
            counters.refusedPlaintext += 1
            let reason = "peer \(peer.name) must use SIP over TLS (plaintext \(flow.transport) is refused)"
            var actions = throttledLog(.refusedPlaintext, .notice, "refused \(request.method) with 403: \(reason)", callID: callID, source: flow.remote.host, at: now)
            if openServerTransaction(key, for: request, over: flow) != nil {
                actions += respond(key, with: request.response(403, toTag: token(), extraHeaders: [Self.warning(reason)]), at: now)
            }
            return actions
        }
        if let rejection = validator.validate(request) {
            var actions = [SignallingAction.log(.init(.info, "answered \(request.method) with \(rejection.description)", callID: callID, source: flow.remote.host))]
            if openServerTransaction(key, for: request, over: flow) != nil {
                actions += respond(key, with: request.response(rejection.statusCode, toTag: token(), extraHeaders: rejection.headers), at: now)
            }
            return actions
        }
        guard openServerTransaction(key, for: request, over: flow) != nil else {
            // RFC 3261 §21.5.4 with Retry-After: overloaded, try again shortly.
            counters.refusedOverloaded += 1
            return throttledLog(.overloaded, .warning, "answered requests with 503: the transaction table is full", source: flow.remote.host, at: now)
                + respondStatelessly(to: request, over: flow, status: 503, extra: [SIPHeaders.Field(name: .retryAfter, value: "5")])
        }
        switch request.method {
        case .invite:
            return receiveInvite(request, key: key, over: flow, from: peer, at: now)
        case .bye:
            return receiveBye(request, key: key, from: peer, at: now)
        case .cancel:
            return receiveCancel(request, key: key, from: peer, at: now)
        default:
            // OPTIONS, in or out of a dialog (§11.2): what this UAS can do.
            let capabilities = [
                SIPHeaders.Field(name: .allow, value: SignallingConfiguration.allowedMethods.map(\.rawValue).joined(separator: ", ")),
                SIPHeaders.Field(name: .accept, value: "application/sdp"),
            ]
            return respond(key, with: request.response(200, toTag: token(), extraHeaders: capabilities), at: now)
        }
    }

    /// A Warning header (RFC 3261 §20.43) that tells the other side's engineer why.
    static func warning(_ text: String) -> SIPHeaders.Field {
        let cleaned = text.replacingQuotes()
        return SIPHeaders.Field(name: .warning, value: "399 hushbox \"\(cleaned)\"")
    }

    /// Only the call's own peer ends it: another peer that learnt the dialog's
    /// identifiers (in clear on a plaintext peer's signalling) gets 481.
    private mutating func receiveBye(_ request: SIPRequest, key: ServerTransactionKey, from peer: SIPPeer, at now: Duration) -> [SignallingAction] {
        guard let id = Dialog.id(ofIncoming: request), let number = callsByDialog[id], calls[number]?.peer == peer.name else {
            return respond(key, with: request.response(481, toTag: token()), at: now)
        }
        guard calls[number]?.dialog.acceptRemoteSequence(of: request) == true else {
            return respond(key, with: request.response(500, extraHeaders: [Self.warning("CSeq out of order")]), at: now)
        }
        return respond(key, with: request.response(200), at: now) + endCall(number, because: .remoteHangUp)
    }

    private mutating func receiveCancel(_ request: SIPRequest, key: ServerTransactionKey, from peer: SIPPeer, at now: Duration) -> [SignallingAction] {
        // §9.2: the CANCEL matches the INVITE transaction with the same branch, and
        // comes from the peer that sent that INVITE.
        guard let inviteKey = ServerTransactionKey.matching(request, as: .invite), let invite = serverTransactions[inviteKey],
            callsByInvite[inviteKey].flatMap({ calls[$0]?.peer }).map({ $0 == peer.name }) ?? true
        else {
            return respond(key, with: request.response(481, toTag: token()), at: now)
        }
        var actions = respond(key, with: request.response(200, toTag: token()), at: now)
        if invite.isAwaitingFinalResponse, let number = callsByInvite[inviteKey], let call = calls[number] {
            let terminated = invite.request.response(487, toTag: call.dialog.id.localTag)
            actions += respond(inviteKey, with: terminated, at: now)
            actions += endCall(number, because: .cancelled)
        }
        return actions
    }

    private mutating func receiveAck(_ request: SIPRequest, from peer: SIPPeer, at now: Duration) -> [SignallingAction] {
        // An ACK for a failure response belongs to the INVITE transaction (§17.2.1).
        if let key = ServerTransactionKey.matching(request, as: .invite), serverTransactions[key] != nil, callsByInvite[key] == nil {
            return updateServerTransaction(key, at: now) { $0.ackReceived() }
        }
        // An ACK for a 2xx is a request of its own, in the dialog (§13.3.1.4).
        guard let id = Dialog.id(ofIncoming: request), let number = callsByDialog[id], var call = calls[number], call.peer == peer.name,
            case .awaitingAck = call.phase,
            let acknowledged = (try? call.unacknowledgedSuccess?.headers.cseq())??.sequence,
            (try? request.headers.cseq())??.sequence == acknowledged
        else { return [] }
        call.phase = .confirmed
        call.unacknowledgedSuccess = nil
        let firstTime = !call.established
        call.established = true
        calls[number] = call
        cancelTimers {
            if case .call(number, let timer) = $0 { timer != .maximumDuration } else { false }
        }
        guard firstTime else {
            // A re-INVITE without an offer got ours in the 200; the answer is in this ACK (RFC 3261 §14.2).
            return applyAnswer(in: request, toCall: number)
        }
        counters.callsEstablished += 1
        schedule(.call(number, .maximumDuration), after: configuration.maximumCallDuration, at: now)
        return [.callEstablished(call.reference), .log(.init(.info, "call established", callID: call.reference.callID, peer: call.peer))]
    }
}

extension String {
    /// Header-safe text for a quoted string: no quotes, backslashes or controls.
    func replacingQuotes() -> String {
        String(unicodeScalars.filter { $0 != "\"" && $0 != "\\" && $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }
}
