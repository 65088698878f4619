import SIPCore

extension SignallingCore {
    /// Registers with every trunk that has registration settings.
    public mutating func startRegistrations(at now: Duration) -> [SignallingAction] {
        var actions: [SignallingAction] = []
        for peer in configuration.peers {
            guard let settings = peer.registration else { continue }
            let contactURI = contact(for: settings.transport, user: settings.username).dropFirst().dropLast()
            registrations[peer.name] = RegistrationClient(
                settings: settings, contact: String(contactURI), callID: token(20) + "@hushbox", fromTag: token()
            )
            actions += updateRegistration(peer.name, at: now) { client, random in client.start(at: now, using: &random) }
        }
        return actions
    }

    public func registrationStatus(of peer: String) -> Bool? {
        registrations[peer]?.isRegistered
    }

    /// Where a registration's REGISTERs go now: the located server being
    /// tried, or for a registrar written as an address, that address and its
    /// port (5061 for TLS, else 5060). Nil until DNS has answered for a host name.
    func registrationFlow(_ peer: String, _ settings: RegistrationSettings) -> SIPFlow? {
        let registrar = settings.registrar
        let host = registrar.host.bareHost
        if SIPServerLocator.isAddress(host) {
            let port = registrar.port ?? (settings.transport == .tls ? 5061 : 5060)
            return SIPFlow(transport: settings.transport, remote: SocketEndpoint(host: host, port: port))
        }
        guard let located = registrarTargets[peer], located.next < located.targets.count else { return nil }
        // RFC 5922 §4: the certificate is checked against the registrar's domain, not the address SRV led to.
        return SIPFlow(transport: settings.transport, remote: located.targets[located.next], serverName: host)
    }

    /// DNS's answer for a registrar named by host name (RFC 3263): the servers
    /// in the order to try them. The REGISTER that waited goes to the first.
    public mutating func registrarLocated(_ peer: String, targets: [SocketEndpoint], at now: Duration) -> [SignallingAction] {
        guard let request = pendingRegisters.removeValue(forKey: peer), let client = registrations[peer] else { return [] }
        guard !targets.isEmpty else {
            return [.log(.init(.warning, "DNS names no server for the registrar \(client.settings.registrar.host)", peer: peer))]
                + updateRegistration(peer, at: now) { client, random in client.transactionFailed(at: now, using: &random) }
        }
        registrarTargets[peer] = (targets, 0)
        guard let flow = registrationFlow(peer, client.settings) else { return [] }
        return startClientTransaction(request, over: flow, purpose: .register(peer: peer), at: now)
    }

    /// DNS could not be asked: the registration backs off as after no answer.
    public mutating func registrarLocationFailed(_ peer: String, reason: String, at now: Duration) -> [SignallingAction] {
        guard pendingRegisters.removeValue(forKey: peer) != nil else { return [] }
        return [.log(.init(.warning, "the registrar could not be located: \(reason)", peer: peer))]
            + updateRegistration(peer, at: now) { client, random in client.transactionFailed(at: now, using: &random) }
    }

    /// A REGISTER went unanswered (no response, or no connection): the next
    /// located server gets it (RFC 3263 §4.3); after the last, the client
    /// backs off and DNS is asked again next time.
    mutating func registrationUnanswered(_ peer: String, at now: Duration) -> [SignallingAction] {
        if var located = registrarTargets[peer], located.next + 1 < located.targets.count {
            let silent = located.targets[located.next]
            located.next += 1
            registrarTargets[peer] = located
            return [.log(.init(.notice, "the registrar's server \(silent) did not answer; trying \(located.targets[located.next])", peer: peer))]
                + updateRegistration(peer, at: now) { client, random in client.retryElsewhere(using: &random) }
        }
        registrarTargets.removeValue(forKey: peer)
        return updateRegistration(peer, at: now) { client, random in client.transactionFailed(at: now, using: &random) }
    }

    /// A closed stream connection that a registration's binding was granted
    /// over ends that binding's flow: matched by the connection, so a
    /// registrar named by host name (or found by SRV) is matched too.
    mutating func registrationFlowClosed(_ flow: SIPFlow, at now: Duration) -> [SignallingAction] {
        guard let connection = flow.connection else { return [] }
        var actions: [SignallingAction] = []
        for (peer, granted) in registrationConnections.sorted(by: { $0.key < $1.key }) where granted == connection {
            registrationConnections.removeValue(forKey: peer)
            actions += updateRegistration(peer, at: now) { client, random in client.flowFailed(at: now, using: &random) }
        }
        return actions
    }

    mutating func registrationTimerFired(_ peer: String, at now: Duration) -> [SignallingAction] {
        updateRegistration(peer, at: now) { client, random in client.timerFired(at: now, using: &random) }
    }

    mutating func updateRegistration(
        _ peer: String, at now: Duration,
        _ change: (inout RegistrationClient, inout any RandomNumberGenerator & Sendable) -> [RegistrationClient.Action]
    ) -> [SignallingAction] {
        guard var client = registrations[peer] else { return [] }
        let outputs = change(&client, &random)
        registrations[peer] = client
        var actions: [SignallingAction] = []
        for output in outputs {
            switch output {
            case .send(let request):
                if let flow = registrationFlow(peer, client.settings) {
                    actions += startClientTransaction(request, over: flow, purpose: .register(peer: peer), at: now)
                } else {
                    // A host name: DNS first; the REGISTER waits for its answer.
                    pendingRegisters[peer] = request
                    let registrar = client.settings.registrar
                    actions.append(.locate(peer: peer, host: registrar.host.bareHost, port: registrar.port, transport: client.settings.transport))
                }
            case .setTimer(let delay):
                schedule(.registration(peer: peer), after: delay, at: now)
            case .statusChanged(let status):
                actions.append(.registrationChanged(peer: peer, status))
                switch status {
                case .registering:
                    actions.append(.log(.init(.debug, "registering", peer: peer)))
                case .registered(let expiresAt):
                    actions.append(.log(.init(.info, "registered for \(expiresAt - now)", peer: peer)))
                case .failed(let reason, let retryAt):
                    actions.append(.log(.init(.warning, "registration failed: \(reason); retrying in \(retryAt - now)", peer: peer)))
                }
            }
        }
        return actions
    }
}
