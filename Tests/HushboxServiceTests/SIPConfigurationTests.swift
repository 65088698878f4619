import HushboxService
import HushboxTestSupport
import Testing

/// `sip`, `media` and `sip.peers.<name>` in the configuration file.
@Suite("SIP configuration")
struct SIPConfigurationTests {
    let file: ConfigurationFile

    init() throws {
        file = try ConfigurationFile()
    }

    func load(_ yaml: String, environment: [String: String] = [:]) async throws(ConfigurationError) -> HushboxConfiguration {
        try await file.load(yaml, environment: environment)
    }

    func refusal(_ yaml: String, environment: [String: String] = [:]) async -> String? {
        await file.refusal(yaml, environment: environment)
    }

    @Test("defaults: TLS on 5061, UDP and TCP on 5060, media ports 20000–20999, no peers")
    func defaults() async throws {
        let sip = try await load("").sip
        #expect(sip.enabled && sip.udpPort == 5060 && sip.tcpPort == 5060 && sip.tlsPort == 5061)
        #expect(sip.mediaPorts == 20_000...20_999)
        #expect(sip.peers.isEmpty)
        #expect(sip.maximumCallDuration == .seconds(600))
    }

    @Test("peers are read by name with their allowlists, plaintext mark, digest user and registration")
    func peers() async throws {
        let sip = try await load("""
            sip:
              advertised_address: 192.0.2.20
              peers:
                carrier:
                  kind: trunk
                  sources: [198.51.100.0/28, 2001:db8::/32]
                  registrar: sip:sip.carrier.example.eu
                  registration_username: hushbox-7
                  registration_expires: 300
                lab:
                  kind: device
                  sources: [127.0.0.1]
                  plaintext: true
                  digest_username: lab-phone

            """).sip
        #expect(sip.advertisedAddress == "192.0.2.20")
        #expect(sip.peers.map(\.name) == ["carrier", "lab"])
        let carrier = sip.peers[0]
        #expect(carrier.kind == .trunk && !carrier.plaintext)
        #expect(carrier.sources == ["198.51.100.0/28", "2001:db8::/32"])
        #expect(carrier.registration?.transport == "tls" && carrier.registration?.expiresSeconds == 300)
        #expect(carrier.passwordSecretName == "sip-peer-carrier")
        #expect(sip.peers[1].plaintext && sip.peers[1].digestUsername == "lab-phone")
    }

    @Test("mistakes in a peer are refused with the key and what to do")
    func peerMistakes() async {
        let missingKind = await refusal("sip:\n  peers:\n    carrier:\n      sources: [198.51.100.1]\n")
        #expect(missingKind?.contains("sip.peers.carrier.kind") == true)
        let badSource = await refusal("sip:\n  peers:\n    carrier:\n      kind: trunk\n      sources: [sip.example.eu]\n")
        #expect(badSource?.contains("sip.example.eu") == true)
        let typo = await refusal("sip:\n  peers:\n    carrier:\n      kind: trunk\n      source: [198.51.100.1]\n")
        #expect(typo?.contains("sip.peers.carrier.source") == true)
        let plaintextRegistration = await refusal("""
            sip:
              peers:
                carrier:
                  kind: trunk
                  sources: [198.51.100.1]
                  registrar: sip:198.51.100.1
                  registration_username: box
                  registration_transport: udp

            """)
        #expect(plaintextRegistration?.contains("plaintext: true") == true)
        let environment = await refusal("", environment: ["HUSHBOX_SIP_PEERS_CARRIER_KIND": "trunk"])
        #expect(environment?.contains("HUSHBOX_SIP_PEERS_CARRIER_KIND") == true)
        let range = await refusal("media:\n  rtp_port_min: 30000\n  rtp_port_max: 30001\n")
        #expect(range?.contains("media.rtp_port_max") == true)
    }

    @Test("a peer's routing: where the called mailbox comes from, how it writes numbers, whether it asserts identity, a registration's mailbox")
    func peerRouting() async throws {
        let sip = try await load("""
            sip:
              peers:
                carrier:
                  kind: trunk
                  sources: [198.51.100.0/28]
                  registrar: sip:sip.carrier.example.eu
                  registration_username: "4930111000"
                  registration_mailbox: "100"
                  route_by: [diversion, to, request-uri]
                  numbers: national
                  country: de
                  asserts_identity: true
                pbx:
                  kind: device
                  sources: [192.0.2.5]

            """).sip
        let carrier = sip.peers[0]
        #expect(carrier.routeBy == ["diversion", "to", "request-uri"])
        #expect(carrier.numbers == "national" && carrier.country == "DE" && carrier.assertsIdentity)
        #expect(carrier.registration?.mailbox == "100")
        let pbx = sip.peers[1]
        #expect(pbx.routeBy == ["history-info", "diversion", "request-uri"], "the documented default")
        #expect(pbx.numbers == "international-prefix" && pbx.country == nil && !pbx.assertsIdentity)
    }

    @Test("routing mistakes are refused with the key: an unknown or repeated source, national numbers without a country, a country without a plan, a registration mailbox without a registrar")
    func peerRoutingMistakes() async {
        let peer = "sip:\n  peers:\n    carrier:\n      kind: trunk\n      sources: [198.51.100.1]\n"
        let unknown = await refusal(peer + "      route_by: [history-info, referred-by]\n")
        #expect(unknown?.contains("sip.peers.carrier.route_by") == true && unknown?.contains("referred-by") == true)
        let twice = await refusal(peer + "      route_by: [to, to]\n")
        #expect(twice?.contains("twice") == true)
        let noCountry = await refusal(peer + "      numbers: national\n")
        #expect(noCountry?.contains("sip.peers.carrier.country") == true && noCountry?.contains("numbers: national") == true)
        let unknownPlan = await refusal(peer + "      numbers: national\n      country: JP\n")
        #expect(unknownPlan?.contains("JP") == true && unknownPlan?.contains("DE") == true)
        let style = await refusal(peer + "      numbers: local\n")
        #expect(style?.contains("sip.peers.carrier.numbers") == true)
        let orphan = await refusal(peer + "      registration_mailbox: \"100\"\n")
        #expect(orphan?.contains("registrar") == true)
    }
}
