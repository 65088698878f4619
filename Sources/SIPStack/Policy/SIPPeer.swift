public import SIPCore

/// A trunk or a local device the box accepts calls from, as configured.
public struct SIPPeer: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A SIP provider: calls from the public network arrive through it.
        case trunk
        /// A phone or gateway on the customer's premises.
        case device
    }

    /// Credentials a device must prove with digest authentication (RFC 7616)
    /// before its INVITE is answered.
    public struct DigestAccount: Sendable, Hashable {
        public var username: String
        /// H(username:realm:password) for the box's realm; the password itself is not kept.
        public var ha1: String

        public init(username: String, password: String, realm: String, algorithm: DigestAlgorithm) {
            self.username = username
            self.ha1 = algorithm.ha1(username: username, realm: realm, password: password)
        }
    }

    public var name: String
    public var kind: Kind
    /// Traffic from any other address is not this peer's (the trunk allowlist).
    public var sources: [AddressRange]
    /// Only when true may this peer signal over UDP/TCP and send plain RTP.
    public var allowsPlaintext: Bool
    public var digest: DigestAccount?
    /// For a trunk the box registers with.
    public var registration: RegistrationSettings?

    public init(
        name: String, kind: Kind, sources: [AddressRange], allowsPlaintext: Bool = false,
        digest: DigestAccount? = nil, registration: RegistrationSettings? = nil
    ) {
        self.name = name
        self.kind = kind
        self.sources = sources
        self.allowsPlaintext = allowsPlaintext
        self.digest = digest
        self.registration = registration
    }

    public func isSource(_ address: String) -> Bool {
        sources.contains { $0.contains(address) }
    }
}
