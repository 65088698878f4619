public import Foundation

/// What a customer's provisioning bundle asks of a box: its configuration, its
/// first organisation and mailboxes, the sub-processors on the register, the
/// retention periods, an API key for the customer's scripts, and the secrets
/// the configuration names (sealed to this box). docs/provisioning-bundle.md is
/// the schema; unknown fields are refused, so a typo never passes silently.
public struct BundleContents: Sendable, Hashable, Codable {
    /// Unique per bundle: a box records the bundles it applied.
    public var bundleID: String
    public var createdAt: Date
    /// A bundle is refused after this: a lost or stolen bundle stops working.
    public var expiresAt: Date
    /// `hushbox.yaml` keys, dotted (`sip.peers.carrier.kind`), and their values.
    /// Paths are the package's and cannot be set from a bundle.
    public var configuration: [String: BundleSetting]
    /// Addresses and prefixes on the customer's network the service may reach
    /// besides its peers, receivers and name servers (`IPAddressAllow=`).
    public var lan: [String]
    public var organisation: Organisation?
    public var mailboxes: [Mailbox]
    public var retention: [String: Int]
    public var subProcessors: [SubProcessor]
    /// When present, an API key is made for the organisation and shown once.
    public var apiKey: APIKey?
    /// The secrets, sealed to the box's provisioning key (`hushbox provision request`).
    public var secrets: SealedBundleSecrets?

    public struct Organisation: Sendable, Hashable, Codable {
        public var name: String
        public init(name: String) { self.name = name }
    }

    public struct Mailbox: Sendable, Hashable, Codable {
        public var sipUser: String?
        public var number: String?
        public var name: String?
        public var language: String?
        /// Ask DE, AT, CH and PL callers for DTMF consent before recording (default true).
        public var consent: Bool?

        public init(sipUser: String? = nil, number: String? = nil, name: String? = nil, language: String? = nil, consent: Bool? = nil) {
            self.sipUser = sipUser
            self.number = number
            self.name = name
            self.language = language
            self.consent = consent
        }

        enum CodingKeys: String, CodingKey {
            case sipUser = "sip_user", number, name, language, consent
        }
    }

    public struct SubProcessor: Sendable, Hashable, Codable {
        public var name: String
        public var purpose: String
        public var region: String
        /// When the customer's customers were told (YYYY-MM-DD); go-live is 30 days later.
        public var noticeGiven: String?

        public init(name: String, purpose: String, region: String, noticeGiven: String? = nil) {
            self.name = name
            self.purpose = purpose
            self.region = region
            self.noticeGiven = noticeGiven
        }

        enum CodingKeys: String, CodingKey {
            case name, purpose, region, noticeGiven = "notice_given"
        }
    }

    public struct APIKey: Sendable, Hashable, Codable {
        public var label: String
        public init(label: String) { self.label = label }
    }

    public init(
        bundleID: String, createdAt: Date, expiresAt: Date, configuration: [String: BundleSetting] = [:], lan: [String] = [],
        organisation: Organisation? = nil, mailboxes: [Mailbox] = [], retention: [String: Int] = [:], subProcessors: [SubProcessor] = [],
        apiKey: APIKey? = nil, secrets: SealedBundleSecrets? = nil
    ) {
        self.bundleID = bundleID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.configuration = configuration
        self.lan = lan
        self.organisation = organisation
        self.mailboxes = mailboxes
        self.retention = retention
        self.subProcessors = subProcessors
        self.apiKey = apiKey
        self.secrets = secrets
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case bundleID = "bundle_id", createdAt = "created_at", expiresAt = "expires_at", configuration, lan, organisation, mailboxes,
            retention, subProcessors = "sub_processors", apiKey = "api_key", secrets
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let known = Set(CodingKeys.allCases.map(\.stringValue))
        let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).filter { !known.contains($0) }
        if let first = unknown.sorted().first {
            throw DecodingError.dataCorrupted(.init(codingPath: [AnyKey(stringValue: first)], debugDescription: "\(first) is not a field of a provisioning bundle"))
        }
        bundleID = try container.decode(String.self, forKey: .bundleID)
        guard Self.isBundleID(bundleID) else {
            throw DecodingError.dataCorruptedError(forKey: .bundleID, in: container, debugDescription: "1 to 64 letters, digits, dots, hyphens or underscores")
        }
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        expiresAt = try container.decode(Date.self, forKey: .expiresAt)
        configuration = try container.decodeIfPresent([String: BundleSetting].self, forKey: .configuration) ?? [:]
        lan = try container.decodeIfPresent([String].self, forKey: .lan) ?? []
        organisation = try container.decodeIfPresent(Organisation.self, forKey: .organisation)
        mailboxes = try container.decodeIfPresent([Mailbox].self, forKey: .mailboxes) ?? []
        retention = try container.decodeIfPresent([String: Int].self, forKey: .retention) ?? [:]
        subProcessors = try container.decodeIfPresent([SubProcessor].self, forKey: .subProcessors) ?? []
        apiKey = try container.decodeIfPresent(APIKey.self, forKey: .apiKey)
        secrets = try container.decodeIfPresent(SealedBundleSecrets.self, forKey: .secrets)
    }

    /// What a bundle id may be: it names the bundle in files and on the terminal, so nothing that could break a line.
    public static func isBundleID(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x2E || byte == 0x2D || byte == 0x5F
        }
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }
}
