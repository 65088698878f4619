import Foundation
internal import NIOSSL
internal import SIPCore
internal import SIPStack
internal import DNSResolver
internal import NetworkLimits
internal import Vault
internal import Voicemail

/// The SIP listeners and the signalling policy, built from the configuration
/// and checked before anything listens: the device certificate as NIOSSL
/// loads it, the client CA when mutual TLS is on, and each peer's password.
public struct SIPSetup: Sendable {
    let signalling: SignallingConfiguration
    let listeners: SIPListenerSettings
    let address: String
    let prompts: PromptLibrary
    /// Each peer's routing policy, by peer name.
    let routing: [String: PeerRouting]
    /// Where registrars named by host name are looked up, answers kept for their TTL.
    let dns: any DNSLookup

    static func prepare(_ configuration: HushboxConfiguration, identity: DeviceTLSIdentity) throws(StartupError) -> SIPSetup {
        let sip = configuration.sip
        let serverTLS: TLSConfiguration
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(identity.certificatePEM.utf8))
            let key = try NIOSSLPrivateKey(bytes: Array(identity.privateKeyPEM.utf8), format: .pem)
            let clientCA = try sip.clientCAPath.map { path in try NIOSSLCertificate.fromPEMFile(path) }
            serverTLS = SIPListenerSettings.serverTLS(certificateChain: chain, privateKey: key, clientCA: clientCA)
        } catch {
            throw StartupError("the TLS files for the SIP listener do not load (\(error)); check tls.certificate, tls.private_key and tls.client_ca")
        }
        var peers: [SIPPeer] = []
        for peer in sip.peers {
            peers.append(try signallingPeer(peer, configuration: configuration))
        }
        var signalling = SignallingConfiguration(
            advertisedAddress: sip.advertisedAddress, ports: [:], peers: peers, realm: configuration.device.name,
            mediaPorts: sip.mediaPorts, maximumCallDuration: sip.maximumCallDuration, userAgent: "Hushbox/\(HushboxVersion.current)"
        )
        // The schema admits only the policy's names.
        signalling.unknownSources = UnknownSourcePolicy(rawValue: sip.unknownSources) ?? .drop
        var listeners = SIPListenerSettings(
            host: sip.address, udpPort: sip.udpPort, tcpPort: sip.tcpPort, tlsPort: sip.tlsPort, serverTLS: serverTLS
        )
        listeners.connections.total = sip.maxConnections
        listeners.connections.perSource = min(sip.maxConnectionsPerAddress, sip.maxConnections)
        var trustedBy: [String: (peer: String, caFile: String)] = [:]
        for peer in sip.peers {
            guard let registration = peer.registration, let caFile = registration.caFile,
                let registrar = try? SIPURI.parse(registration.registrar)
            else { continue }
            let host = registrar.host.bareHost
            if let other = trustedBy[host], other.caFile != caFile {
                throw StartupError(
                    "sip.peers.\(other.peer).ca_file and sip.peers.\(peer.name).ca_file name different CAs for the same registrar \(host); give both the same file"
                )
            }
            trustedBy[host] = (peer.name, caFile)
            let roots: [NIOSSLCertificate]
            do {
                roots = try NIOSSLCertificate.fromPEMFile(caFile)
            } catch {
                throw StartupError("sip.peers.\(peer.name).ca_file: \(caFile) does not load as PEM CA certificates (\(error))")
            }
            guard !roots.isEmpty else { throw StartupError("sip.peers.\(peer.name).ca_file: \(caFile) holds no certificate") }
            listeners.clientTLSByHost[host] = SIPListenerSettings.clientTLS(trusting: roots)
        }
        let prompts: PromptLibrary
        do {
            prompts = try PromptLibrary(directory: configuration.storage.promptsDirectory)
        } catch {
            throw StartupError("\(error) (storage.prompts_directory)")
        }
        let routing = Dictionary(uniqueKeysWithValues: sip.peers.map { ($0.name, peerRouting($0)) })
        let resolver: SystemDNS
        do {
            resolver = try SystemDNS(server: sip.dnsServer.map { ($0.address, $0.port) })
        } catch {
            throw StartupError("\(error) (sip.dns_server, sip.dns_port)")
        }
        return SIPSetup(
            signalling: signalling, listeners: listeners, address: sip.address, prompts: prompts, routing: routing,
            dns: CachingDNS(resolver, clock: ContinuousClock())
        )
    }

    /// A peer's routing policy from its `route_by`, `numbers`, `country`,
    /// `asserts_identity` and registration (the configuration reader has
    /// checked each value, and that `national` has a known country).
    static func peerRouting(_ peer: HushboxConfiguration.Peer) -> PeerRouting {
        let plan = peer.country.flatMap(NumberingPlan.init(country:))
        let numbers: CarrierNumberFormat =
            switch peer.numbers {
            case "e164": .e164
            case "international": .international
            case "national": plan.map(CarrierNumberFormat.national) ?? .default
            default: .internationalPrefix(plan?.internationalPrefix ?? "00")
            }
        var registrations: [String: String?] = [:]
        if let registration = peer.registration { registrations[registration.username] = .some(registration.mailbox) }
        return PeerRouting(
            calledPartySources: peer.routeBy.compactMap(PeerRouting.CalledPartySource.init(rawValue:)), numbers: numbers,
            assertsIdentity: peer.assertsIdentity, registrations: registrations, organisation: peer.organisation
        )
    }

    private static func signallingPeer(_ peer: HushboxConfiguration.Peer, configuration: HushboxConfiguration) throws(StartupError) -> SIPPeer {
        let sources = peer.sources.compactMap { try? AddressRange($0) }
        let password = try peer.passwordSecretName.map { name throws(StartupError) in
            try readPassword(configuration.secrets.directory + "/" + name, peer: peer.name)
        }
        var digest: SIPPeer.DigestAccount?
        if let username = peer.digestUsername, let password {
            digest = .init(username: username, password: password, realm: configuration.device.name, algorithm: .sha256)
        }
        var registration: RegistrationSettings?
        if let settings = peer.registration, let password, let registrar = try? SIPURI.parse(settings.registrar),
            let transport = SIPTransport(rawValue: settings.transport)
        {
            registration = RegistrationSettings(
                registrar: registrar, transport: transport, username: settings.username, password: password,
                expires: .seconds(settings.expiresSeconds)
            )
        }
        return SIPPeer(
            name: peer.name, kind: peer.kind == .trunk ? .trunk : .device, sources: sources, allowsPlaintext: peer.plaintext,
            digest: digest, registration: registration
        )
    }

    /// A peer's password: one line in a 0600 file of the secrets directory.
    private static func readPassword(_ path: String, peer: String) throws(StartupError) -> String {
        guard let status = FileStatus.of(path), status.type == .regular else {
            throw StartupError("peer \(peer) needs its password in \(path) (one line, mode 0600); it is missing")
        }
        guard status.isPrivate else {
            throw StartupError("\(path) has mode \(status.octalPermissions), which lets other users read peer \(peer)'s password; chmod 600 \(path)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw StartupError("\(path) cannot be read as text")
        }
        let password = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        guard !password.isEmpty else { throw StartupError("\(path) is empty: write peer \(peer)'s password on its first line") }
        return password
    }
}
