import HushboxService
import HushboxTestSupport
import Testing

/// `uplink.residency` and `uplink.destinations.<name>` in the configuration file.
@Suite("Uplink configuration and the residency rule")
struct UplinkConfigurationTests {
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

    static func destination(_ name: String, region: String, url: String = "https://ingest.example.eu", residency: String? = nil) -> String {
        (residency.map { "uplink:\n  residency: \($0)\n" } ?? "uplink:\n")
            + "  destinations:\n    \(name):\n      url: \(url)\n      region: \(region)\n"
    }

    @Test("By default residency is eu and there is no destination")
    func defaults() async throws {
        let uplink = try await load("").uplink
        #expect(uplink.residency == "eu")
        #expect(uplink.destinations.isEmpty)
    }

    @Test("A destination hosted in the EU/EEA loads with its key, pin and concurrency")
    func euDestination() async throws {
        let yaml = Self.destination("backend", region: "de") + """
                  public_key: 9dJ7m0Tq3m3pCkTgC0y1H2Kk7q8x4bHcQ0mJ2sR5v0A=
                  pin_sha256: \(String(repeating: "AB", count: 32))
                  max_concurrent_uploads: 4

            """
        let destination = try #require(try await load(yaml).uplink.destinations.first)
        #expect(destination.name == "backend" && destination.url == "https://ingest.example.eu" && destination.region == "DE")
        #expect(destination.publicKey == "9dJ7m0Tq3m3pCkTgC0y1H2Kk7q8x4bHcQ0mJ2sR5v0A=")
        #expect(destination.pinSHA256 == String(repeating: "ab", count: 32))
        #expect(destination.maxConcurrentUploads == 4)
        #expect(destination.signingSecretName == "uplink-backend")
        #expect(try await load(Self.destination("oslo", region: "NO")).uplink.destinations.count == 1, "EEA, not only EU")
    }

    @Test("With residency eu a destination outside the EU/EEA stops the configuration, named with its country; `any` allows it")
    func outsideRefused() async throws {
        let refused = try #require(await refusal(Self.destination("analytics", region: "US")))
        #expect(refused.contains("uplink.destinations.analytics.region"))
        #expect(refused.contains("analytics is hosted in US, outside the EU/EEA"))
        #expect(refused.contains("Name a destination hosted in the EU/EEA"))
        #expect(try await load(Self.destination("analytics", region: "US", residency: "any")).uplink.destinations.first?.region == "US")
        let overridden = await refusal(Self.destination("analytics", region: "US", residency: "any"), environment: ["HUSHBOX_UPLINK_RESIDENCY": "eu"])
        #expect(overridden?.contains("outside the EU/EEA") == true, "the environment can tighten the rule")
    }

    @Test("A destination needs an https URL and a country; a key must be a 32-byte X25519 key")
    func badValues() async {
        #expect(await refusal(Self.destination("backend", region: "DE", url: "http://ingest.example.eu"))?.contains("is not an https URL") == true)
        #expect(await refusal("uplink:\n  destinations:\n    backend:\n      url: https://ingest.example.eu\n")?.contains("uplink.destinations.backend.region") == true)
        #expect(await refusal(Self.destination("backend", region: "Germany"))?.contains("is not a country code") == true)
        #expect(await refusal(Self.destination("backend", region: "DE") + "      public_key: c2hvcnQ=\n")?.contains("X25519") == true)
        #expect(await refusal(Self.destination("backend", region: "DE") + "      regoin: DE\n")?.contains("uplink.destinations.backend.regoin") == true)
    }
}
