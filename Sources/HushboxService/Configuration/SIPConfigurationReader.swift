internal import NIOCore
internal import Voicemail

/// Reads the `sip`, `media` and `sip.peers.<name>` settings and checks what
/// no single key can: the media range, registration fields that go together,
/// and plaintext transports only for peers marked plaintext.
enum SIPConfigurationReader {
    static func read(from settings: inout SettingsReader, peerNames: [String]) throws(ConfigurationError) -> HushboxConfiguration.SIP {
        let schema = ConfigurationSchema.self
        let address = try settings.text(schema.sipAddress)
        let advertised: String
        if let given = try settings.optionalText(schema.sipAdvertisedAddress) {
            advertised = given
        } else {
            advertised = defaultAdvertisedAddress(bound: address)
            settings.recordDerived(schema.sipAdvertisedAddress, advertised)
        }
        let minimum = try settings.integer(schema.mediaPortMinimum)
        let maximum = try settings.integer(schema.mediaPortMaximum)
        guard maximum >= minimum + 2 else {
            throw .invalidValue(schema.mediaPortMaximum, value: String(maximum), from: .defaultValue, problem: "must be at least media.rtp_port_min + 2")
        }
        let clientCA = try settings.optionalText(schema.tlsClientCA)
        var dnsServer: HushboxConfiguration.NameServer?
        if let address = try settings.optionalText(schema.sipDNSServer) {
            guard !address.contains(":") else {
                throw .invalidValue(schema.sipDNSServer, value: address, from: settings.source(of: schema.sipDNSServer), problem: "is IPv6; the name server must be IPv4")
            }
            dnsServer = .init(address: address, port: try settings.integer(schema.sipDNSPort))
        }
        var peers: [HushboxConfiguration.Peer] = []
        for name in peerNames {
            peers.append(try peer(name, from: &settings))
        }
        return HushboxConfiguration.SIP(
            enabled: try settings.boolean(schema.sipEnabled), address: address, advertisedAddress: advertised,
            udpPort: try settings.integer(schema.sipUDPPort), tcpPort: try settings.integer(schema.sipTCPPort),
            tlsPort: try settings.integer(schema.sipTLSPort),
            maximumCallDuration: .seconds(try settings.integer(schema.sipMaximumCallSeconds)),
            unknownSources: try settings.text(schema.sipUnknownSources), maxConnections: try settings.integer(schema.sipMaxConnections),
            maxConnectionsPerAddress: try settings.integer(schema.sipMaxConnectionsPerAddress),
            dnsServer: dnsServer,
            mediaPorts: minimum...maximum, clientCAPath: clientCA, peers: peers
        )
    }

    private static func peer(_ name: String, from settings: inout SettingsReader) throws(ConfigurationError) -> HushboxConfiguration.Peer {
        let schema = ConfigurationSchema.self
        guard let kindText = try settings.optionalText(schema.peerKind.named(name)), let kind = HushboxConfiguration.Peer.Kind(rawValue: kindText) else {
            throw .invalidValue(schema.peerKind.named(name), value: nil, from: .defaultValue, problem: "is required for every peer")
        }
        let sources = try settings.addressList(schema.peerSources.named(name))
        let plaintext = try settings.optionalBoolean(schema.peerPlaintext.named(name)) ?? false
        let digestUsername = try settings.optionalText(schema.peerDigestUsername.named(name))
        var registration: HushboxConfiguration.Peer.Registration?
        if let registrar = try settings.optionalText(schema.peerRegistrar.named(name)) {
            guard let username = try settings.optionalText(schema.peerRegistrationUsername.named(name)) else {
                throw .invalidValue(schema.peerRegistrationUsername.named(name), value: nil, from: .defaultValue, problem: "is required with a registrar")
            }
            let transport = try settings.optionalText(schema.peerRegistrationTransport.named(name)) ?? "tls"
            if transport != "tls", !plaintext {
                throw .invalidValue(
                    schema.peerRegistrationTransport.named(name), value: transport, from: .defaultValue,
                    problem: "needs `plaintext: true` on the peer (signalling must otherwise use TLS)"
                )
            }
            registration = .init(
                registrar: registrar, username: username, transport: transport,
                expiresSeconds: try settings.optionalInteger(schema.peerRegistrationExpires.named(name)) ?? 600,
                mailbox: try settings.optionalText(schema.peerRegistrationMailbox.named(name)),
                caFile: try settings.optionalText(schema.peerCAFile.named(name))
            )
        } else {
            for setting in [schema.peerRegistrationMailbox, schema.peerCAFile] where try settings.optionalText(setting.named(name)) != nil {
                throw .invalidValue(setting.named(name), value: nil, from: .defaultValue, problem: "needs a `registrar` on the peer")
            }
        }
        var peer = HushboxConfiguration.Peer(
            name: name, kind: kind, sources: sources, plaintext: plaintext, digestUsername: digestUsername, registration: registration
        )
        if let routeBy = try settings.optionalChoiceList(schema.peerRouteBy.named(name)) {
            peer.routeBy = routeBy
        }
        peer.numbers = try settings.optionalText(schema.peerNumbers.named(name)) ?? peer.numbers
        peer.country = try settings.optionalText(schema.peerCountry.named(name))
        if let country = peer.country, NumberingPlan(country: country) == nil {
            let known = NumberingPlan.known.map(\.country).joined(separator: ", ")
            throw .invalidValue(
                schema.peerCountry.named(name), value: country, from: settings.source(of: schema.peerCountry.named(name)),
                problem: "is a country whose numbering plan Hushbox does not know (it knows \(known))"
            )
        }
        if peer.numbers == "national", peer.country == nil {
            throw .invalidValue(schema.peerCountry.named(name), value: nil, from: .defaultValue, problem: "is required with `numbers: national`")
        }
        peer.assertsIdentity = try settings.optionalBoolean(schema.peerAssertsIdentity.named(name)) ?? false
        peer.organisation = try settings.optionalText(schema.peerOrganisation.named(name))
        return peer
    }

    /// The bound address when it is one; otherwise the first non-loopback IPv4
    /// address, so that Contact and SDP name something a peer can reach.
    private static func defaultAdvertisedAddress(bound: String) -> String {
        guard bound == "0.0.0.0" || bound == "::" else { return bound }
        let devices = (try? System.enumerateDevices()) ?? []
        for device in devices {
            guard let address = device.address, case .v4 = address, let ip = address.ipAddress, !ip.hasPrefix("127.") else { continue }
            return ip
        }
        return "127.0.0.1"
    }
}
