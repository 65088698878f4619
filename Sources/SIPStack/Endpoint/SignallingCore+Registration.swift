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
                let registrar = client.settings.registrar
                let port = registrar.port ?? (client.settings.transport == .tls ? 5061 : 5060)
                let flow = SIPFlow(transport: client.settings.transport, remote: SocketEndpoint(host: registrar.host.bareHost, port: port))
                actions += startClientTransaction(request, over: flow, purpose: .register(peer: peer), at: now)
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
