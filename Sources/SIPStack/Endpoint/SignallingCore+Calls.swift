import SIPCore

extension SignallingCore {
    // MARK: Decisions from the application

    /// Sends 180 Ringing for an offered call.
    public mutating func ring(_ reference: CallReference, at now: Duration) -> [SignallingAction] {
        guard var call = calls[reference.number], call.phase == .offered, let invite = call.pendingInvite else { return [] }
        call.phase = .ringing
        calls[reference.number] = call
        let ringing = invite.request.response(180, toTag: call.dialog.id.localTag, extraHeaders: dialogHeaders(call, invite.request))
        return respond(invite.key, with: ringing, at: now)
    }

    /// Answers an offered call with 200 OK and the SDP answer; the call is
    /// established when the ACK arrives.
    public mutating func accept(_ reference: CallReference, at now: Duration) -> [SignallingAction] {
        guard let call = calls[reference.number], !call.phase.isAnswered else { return [] }
        return sendSuccess(reference.number, at: now)
    }

    /// Refuses an offered call (404 for an unknown mailbox, 486 when busy, …).
    public mutating func reject(_ reference: CallReference, status: Int, at now: Duration) -> [SignallingAction] {
        precondition((300..<700).contains(status), "a rejection is a final non-2xx status, not \(status)")
        guard let call = calls[reference.number], !call.phase.isAnswered, let invite = call.pendingInvite else { return [] }
        let response = invite.request.response(status, toTag: call.dialog.id.localTag)
        return respond(invite.key, with: response, at: now) + endCall(reference.number, because: .rejected(status))
    }

    /// Ends a call from the box's side: BYE when answered, 480 before.
    public mutating func hangUp(_ reference: CallReference, at now: Duration) -> [SignallingAction] {
        guard var call = calls[reference.number] else { return [] }
        guard call.phase.isAnswered else {
            return reject(reference, status: 480, at: now)
        }
        let bye = call.dialog.makeRequest(.bye, contact: contact(for: call.flow.transport))
        calls[reference.number] = call
        return startClientTransaction(bye, over: call.flow, purpose: .bye(callID: reference.callID), at: now)
            + endCall(reference.number, because: .localHangUp)
    }

    /// The box is shutting down: calls in progress go on (their callers finish
    /// their messages), new INVITEs get 503 with `retryAfter` seconds
    /// (RFC 3261 §21.5.4), so a trunk tries again or elsewhere instead of
    /// reaching a box that is about to go.
    public mutating func stopTakingCalls(retryAfter seconds: Int) {
        precondition(seconds >= 0, "Retry-After is a number of seconds")
        shutdownRetryAfter = seconds
    }

    /// The box's grace period for shutting down is running out: every call is
    /// ended from our side (BYE when answered, 480 before), so no caller is
    /// left on a line nobody serves; each call's end reaches the application
    /// as for any hang-up, and it stores what the caller left.
    public mutating func hangUpAll(at now: Duration) -> [SignallingAction] {
        calls.values.map(\.reference).sorted { $0.number < $1.number }.flatMap { hangUp($0, at: now) }
    }

    /// Calls offered or in progress.
    public var activeCalls: Int { calls.count }

    // MARK: INVITE

    mutating func receiveInvite(_ request: SIPRequest, key: ServerTransactionKey, over flow: SIPFlow, from peer: SIPPeer, at now: Duration) -> [SignallingAction] {
        if (try? request.headers.to())??.tag != nil {
            return receiveReInvite(request, key: key, from: peer, at: now)
        }
        let callID = (try? request.headers.callID()) ?? nil
        if let retryAfter = shutdownRetryAfter {
            counters.refusedShuttingDown += 1
            let retry = SIPHeaders.Field(name: .retryAfter, value: String(retryAfter))
            return throttledLog(.shuttingDown, .notice, "refused a new call with 503: the box is shutting down", callID: callID, source: flow.remote.host, at: now)
                + respond(key, with: request.response(503, toTag: token(), extraHeaders: [retry]), at: now)
        }
        if let account = peer.digest, let refusal = authenticate(request, account: account, source: flow.remote.host, at: now) {
            return respond(key, with: refusal, at: now)
        }
        guard let offer = parseOffer(request) else {
            counters.refusedMedia += 1
            let reason = request.body.isEmpty ? "an SDP offer in the INVITE is required" : "the SDP offer could not be parsed"
            return [.log(.init(.notice, "refused INVITE: \(reason)", callID: callID, peer: peer.name))]
                + respond(key, with: request.response(488, toTag: token(), extraHeaders: [Self.warning(reason)]), at: now)
        }
        guard let port = mediaPorts.take(using: &random) else {
            return [.log(.init(.warning, "no free media port for a call", callID: callID, peer: peer.name))]
                + respond(key, with: request.response(503, toTag: token(), extraHeaders: [SIPHeaders.Field(name: .retryAfter, value: "30")]), at: now)
        }
        let local = LocalMedia(
            address: configuration.advertisedAddress, addressType: configuration.advertisedAddress.contains(":") ? "IP6" : "IP4",
            rtpPort: port, sessionID: String(random.next() as UInt32)
        )
        let outcome = negotiate(offer, peer: peer, local: local, current: nil)
        guard case .answer(let answer, let audio) = outcome else {
            mediaPorts.give(port)
            counters.refusedMedia += 1
            let (status, reason) = if case .refuse(let status, let reason) = outcome { (status, reason) } else { (488, "") }
            return [.log(.init(.notice, "refused INVITE with \(status): \(reason)", callID: callID, peer: peer.name))]
                + respond(key, with: request.response(status, toTag: token(), extraHeaders: [Self.warning(reason)]), at: now)
        }
        guard let callID, (try? request.headers.from())??.uri != nil,
            let dialog = Dialog(uasFor: request, localTag: token(), localSequence: UInt32(random.next() as UInt16))
        else {
            mediaPorts.give(port)
            return respond(key, with: request.response(400, toTag: token(), extraHeaders: [Self.warning("an INVITE needs From with a tag and a Contact")]), at: now)
        }
        let number = nextCallNumber
        nextCallNumber += 1
        let reference = CallReference(number: number, callID: callID)
        calls[number] = ServerCall(
            reference: reference, peer: peer.name, flow: flow, dialog: dialog, phase: .offered, pendingInvite: (key, request),
            local: local, audio: audio, answer: answer
        )
        callsByDialog[dialog.id] = number
        callsByInvite[key] = number
        counters.callsOffered += 1
        schedule(.call(number, .answerDeadline), after: configuration.answerDeadline, at: now)
        let incoming = IncomingCall(
            reference: reference, peer: peer.name, peerSources: peer.sources, addressing: CallAddressing(request), audio: audio, localRTPPort: port
        )
        return respond(key, with: request.response(100), at: now)
            + [.log(.init(.info, "call offered (\(audio.codec.encodingName), \(audio.srtp?.suite.rawValue ?? "plain RTP"))", callID: callID, peer: peer.name)),
               .incomingCall(incoming)]
    }

    /// A re-INVITE (§14.2): a new offer in the dialog, e.g. hold or resume.
    /// Only the call's own peer may send one: the dialog's identifiers travel in
    /// clear on a plaintext peer's signalling, and another peer that learnt them
    /// must not move the media of a call it does not carry.
    private mutating func receiveReInvite(_ request: SIPRequest, key: ServerTransactionKey, from peer: SIPPeer, at now: Duration) -> [SignallingAction] {
        guard let id = Dialog.id(ofIncoming: request), let number = callsByDialog[id], var call = calls[number], call.peer == peer.name else {
            return respond(key, with: request.response(481, toTag: token()), at: now)
        }
        guard call.phase == .confirmed else {
            // §14.2: a second INVITE before the first is finished gets 500 with a random Retry-After of 0–10 s.
            let retry = SIPHeaders.Field(name: .retryAfter, value: String(random.next() % 11))
            return respond(key, with: request.response(500, extraHeaders: [retry]), at: now)
        }
        guard call.dialog.acceptRemoteSequence(of: request) else {
            return respond(key, with: request.response(500, extraHeaders: [Self.warning("CSeq out of order")]), at: now)
        }
        if let target = (try? request.headers.contacts())?.values.first?.uri { call.dialog.remoteTarget = target }
        var local = call.local
        local.sessionVersion = String((UInt64(local.sessionVersion) ?? 1) + 1)
        if request.body.isEmpty {
            // No offer: §14.2 has us offer what we have in the 2xx.
            call.local = local
            call.answer.origin.sessionVersion = local.sessionVersion
        } else {
            guard let offer = parseOffer(request) else {
                calls[number] = call
                return respond(key, with: request.response(488, extraHeaders: [Self.warning("the SDP offer could not be parsed")]), at: now)
            }
            let outcome = negotiate(offer, peer: configuration.peers.first { $0.name == call.peer }, local: local, current: call.audio)
            guard case .answer(let answer, let audio) = outcome else {
                // §14.2: a refused re-INVITE leaves the session as it was.
                calls[number] = call
                let reason = if case .refuse(_, let reason) = outcome { reason } else { "" }
                return respond(key, with: request.response(488, extraHeaders: [Self.warning(reason)]), at: now)
            }
            guard audio.codec == call.audio.codec else {
                // The running call records and plays its prompts in one codec; a
                // re-offer without it cannot be followed, so the call stays as it was.
                calls[number] = call
                counters.refusedMedia += 1
                let reason = "the call's codec \(call.audio.codec.encodingName) must stay in a re-offer"
                return respond(key, with: request.response(488, extraHeaders: [Self.warning(reason)]), at: now)
            }
            call.local = local
            call.answer = answer
            call.audio = audio
        }
        call.pendingInvite = (key, request)
        calls[number] = call
        callsByInvite[key] = number
        var actions = sendSuccess(number, at: now)
        if !request.body.isEmpty {
            actions.append(.mediaUpdated(call.reference, call.audio))
            actions.append(.log(.init(.info, "media updated by re-INVITE (we \(call.audio.localDirection.rawValue))", callID: call.reference.callID, peer: call.peer)))
        }
        return actions
    }

    /// The answer an ACK carries to the offer our 200 made for a re-INVITE that
    /// had none. Read as the peer's side of the session (its address, key and
    /// direction; our key stays the one we offered) and applied to the running
    /// call like a re-offer; an answer without the call's codec, or one that
    /// cannot be read, leaves the call as it was and is logged.
    mutating func applyAnswer(in ack: SIPRequest, toCall number: UInt64) -> [SignallingAction] {
        guard var call = calls[number], let invite = call.pendingInvite, invite.request.body.isEmpty, !ack.body.isEmpty else { return [] }
        let reference = call.reference
        guard let answer = parseOffer(ack) else {
            return [.log(.init(.notice, "the SDP answer in an ACK could not be read; the call's media is unchanged", callID: reference.callID, peer: call.peer))]
        }
        let outcome = negotiate(answer, peer: configuration.peers.first { $0.name == call.peer }, local: call.local, current: call.audio)
        guard case .answer(_, let audio) = outcome, audio.codec == call.audio.codec else {
            return [.log(.init(.notice, "the SDP answer in an ACK does not fit the call; its media is unchanged", callID: reference.callID, peer: call.peer))]
        }
        call.audio = audio
        calls[number] = call
        return [
            .mediaUpdated(reference, audio),
            .log(.init(.info, "media updated by the answer in an ACK (we \(audio.localDirection.rawValue))", callID: reference.callID, peer: call.peer)),
        ]
    }

    /// The 200 OK with our SDP, retransmitted until the ACK (§13.3.1.4).
    private mutating func sendSuccess(_ number: UInt64, at now: Duration) -> [SignallingAction] {
        guard var call = calls[number], let invite = call.pendingInvite else { return [] }
        var extra = dialogHeaders(call, invite.request)
        extra.append(SIPHeaders.Field(name: .contentType, value: "application/sdp"))
        var success = invite.request.response(200, toTag: call.dialog.id.localTag, extraHeaders: extra)
        success.body = call.answer.serialized
        call.phase = .awaitingAck(retransmitInterval: configuration.timers.t1)
        call.unacknowledgedSuccess = success
        timers.removeValue(forKey: .call(number, .answerDeadline))
        calls[number] = call
        schedule(.call(number, .retransmitSuccess), after: configuration.timers.t1, at: now)
        schedule(.call(number, .acknowledgementDeadline), after: configuration.timers.transactionTimeout, at: now)
        return respond(invite.key, with: success, at: now)
    }

    /// Contact, Allow and the Record-Route the INVITE carried (§12.1.1).
    private func dialogHeaders(_ call: ServerCall, _ request: SIPRequest) -> [SIPHeaders.Field] {
        var fields = request.headers[.recordRoute].map { SIPHeaders.Field(name: .recordRoute, value: $0) }
        fields.append(SIPHeaders.Field(name: .contact, value: contact(for: call.flow.transport)))
        fields.append(SIPHeaders.Field(name: .allow, value: SignallingConfiguration.allowedMethods.map(\.rawValue).joined(separator: ", ")))
        return fields
    }

    func parseOffer(_ request: SIPRequest) -> SessionDescription? {
        guard !request.body.isEmpty, ((try? request.headers.contentType()) ?? nil)?.lowercased() == "application/sdp" else { return nil }
        return try? SDPParser.parse(request.body)
    }

    /// - Parameter current: in a re-INVITE, the call's media so far. Its codec and
    ///   SRTP suite come first when the re-offer still has them: the running call
    ///   records and plays prompts in its codec and keeps its outbound context.
    mutating func negotiate(_ offer: SessionDescription, peer: SIPPeer?, local: LocalMedia, current: NegotiatedAudio?) -> AudioOfferAnswer.Outcome {
        var codecs = configuration.codecs
        var suites = configuration.cryptoSuites
        if let current {
            codecs.removeAll { $0 == current.codec }
            codecs.insert(current.codec, at: 0)
            if let suite = current.srtp?.suite, suites.contains(suite) {
                suites.removeAll { $0 == suite }
                suites.insert(suite, at: 0)
            }
        }
        let policy = AudioAnswerPolicy(codecs: codecs, cryptoSuites: suites, requireSRTP: !(peer?.allowsPlaintext ?? false))
        let previousKey = current?.srtp?.localKeyMaterial
        return AudioOfferAnswer.answer(offer, policy: policy, local: local) { length in
            // RFC 4568 §7.1.4 lets a re-offer change the offerer's key and lets our
            // answer keep ours: keeping it keeps our outbound SRTP context (and its
            // rollover counter) running, where a new context under the same key
            // would reuse keystream after a wrap (RFC 3711 §9.1).
            if let previousKey, previousKey.count == length { return previousKey }
            return randomBytes(length)
        }
    }

    // MARK: Timers and endings

    mutating func callTimerFired(_ number: UInt64, _ timer: CallTimer, at now: Duration) -> [SignallingAction] {
        guard let call = calls[number] else { return [] }
        switch timer {
        case .retransmitSuccess:
            guard case .awaitingAck(let interval) = call.phase, let success = call.unacknowledgedSuccess else { return [] }
            let next = min(interval * 2, configuration.timers.t2)
            calls[number]?.phase = .awaitingAck(retransmitInterval: next)
            schedule(.call(number, .retransmitSuccess), after: next, at: now)
            if let key = call.pendingInvite?.key, serverTransactions[key] != nil {
                return respond(key, with: success, at: now)
            }
            return [.send(success.serialized, over: call.pendingInvite.map { ServerTransactionRecord.responseFlow(for: $0.request, over: call.flow) } ?? call.flow)]
        case .acknowledgementDeadline:
            guard case .awaitingAck = call.phase else { return [] }
            let bye = calls[number]!.dialog.makeRequest(.bye, contact: contact(for: call.flow.transport))
            return [.log(.init(.notice, "no ACK for the 200 OK within 64·T1; ending the call with BYE", callID: call.reference.callID, peer: call.peer))]
                + startClientTransaction(bye, over: call.flow, purpose: .bye(callID: call.reference.callID), at: now)
                + endCall(number, because: .acknowledgementTimedOut)
        case .answerDeadline:
            guard !call.phase.isAnswered else { return [] }
            return [.log(.init(.warning, "the call was not answered within \(configuration.answerDeadline)", callID: call.reference.callID, peer: call.peer))]
                + reject(call.reference, status: 480, at: now)
        case .maximumDuration:
            return [.log(.init(.info, "maximum call duration reached", callID: call.reference.callID, peer: call.peer))]
                + hangUp(call.reference, at: now)
        }
    }

    mutating func endCall(_ number: UInt64, because reason: CallEnd) -> [SignallingAction] {
        guard let call = calls.removeValue(forKey: number) else { return [] }
        callsByDialog.removeValue(forKey: call.dialog.id)
        callsByInvite = callsByInvite.filter { $0.value != number }
        cancelTimers { if case .call(number, _) = $0 { true } else { false } }
        mediaPorts.give(call.local.rtpPort)
        return [
            .callEnded(call.reference, reason, localRTPPort: call.local.rtpPort),
            .log(.init(.info, "call ended: \(reason)", callID: call.reference.callID, peer: call.peer)),
        ]
    }

    /// RFC 7616 digest for a device: nil when the request may go on, else the 401 to send.
    private mutating func authenticate(_ request: SIPRequest, account: SIPPeer.DigestAccount, source: String, at now: Duration) -> SIPResponse? {
        if authenticationGuard.isBlocked(source, at: now) {
            // Guessing stops here, without blocking the address: the phone behind it, once fixed, waits out the lock.
            counters.refusedAuthenticationLocked += 1
            return request.response(403, toTag: token(), extraHeaders: [Self.warning("too many failed authentications from this address; try again later")])
        }
        let seconds = now.components.seconds
        var stale = false
        if let header = request.headers[.authorization].first, let credentials = try? DigestCredentials.parse(header) {
            let ha1 = credentials.username == account.username ? account.ha1 : nil
            switch digestServer.verify(credentials, method: request.method, ha1: ha1, now: seconds) {
            case .accepted:
                return nil
            case .stale:
                stale = true
            case .rejected:
                if authenticationGuard.recordFailure(source, at: now) { counters.sourcesBlocked += 1 }
            }
        }
        let challenge = digestServer.challenge(now: seconds, random: randomBytes(16), stale: stale)
        return request.response(401, toTag: token(), extraHeaders: [SIPHeaders.Field(name: .wwwAuthenticate, value: challenge.headerValue)])
    }
}
