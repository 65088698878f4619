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

    /// Where a registration's REGISTERs go: the registrar's host and port (5061 for TLS, else 5060).
    static func registrationFlow(_ settings: RegistrationSettings) -> SIPFlow {
        let registrar = settings.registrar
        let port = registrar.port ?? (settings.transport == .tls ? 5061 : 5060)
        return SIPFlow(transport: settings.transport, remote: SocketEndpoint(host: registrar.host.bareHost, port: port))
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
                actions += startClientTransaction(request, over: Self.registrationFlow(client.settings), purpose: .register(peer: peer), at: now)
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
