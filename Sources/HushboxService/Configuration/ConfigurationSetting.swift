/// One key of Hushbox's configuration: its dotted name, what values it takes, its
/// default and a one-line summary. The schema (``ConfigurationSchema``) lists them
/// all; from that one list come unknown-key detection, the `HUSHBOX_*` environment
/// names, the validation messages, `hushbox config check` and docs/configuration.md.
public struct ConfigurationSetting: Sendable, Hashable {
    /// The dotted key, as written in YAML by nesting: `ops.port` is `ops:` then `port:`.
    public let key: String
    public let kind: Kind
    public let defaultValue: DefaultValue
    public let summary: String

    public init(_ key: String, _ kind: Kind, default defaultValue: DefaultValue, summary: String) {
        self.key = key
        self.kind = kind
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// The environment variable that overrides this key: `HUSHBOX_` followed by
    /// the key's components in upper case, joined by underscores. This is the
    /// encoding swift-configuration's `EnvironmentVariablesProvider` applies to
    /// keys prefixed with `hushbox`, spelled out so that unknown variables can be
    /// named and the documentation can list them.
    public var environmentVariable: String {
        "HUSHBOX_" + key.split(separator: ".").map { $0.uppercased() }.joined(separator: "_")
    }

    /// Whether the key has a `*` component that the file fills with a name
    /// (`sip.peers.*.kind`): such settings are set in the file only, never
    /// through the environment, whose variable names cannot carry the name safely.
    public var isPattern: Bool { key.split(separator: ".").contains("*") }

    /// This pattern setting for one name: `sip.peers.*.kind` for `carrier`
    /// becomes `sip.peers.carrier.kind`.
    public func named(_ name: String) -> ConfigurationSetting {
        let concrete = key.split(separator: ".").map { $0 == "*" ? name : String($0) }.joined(separator: ".")
        return ConfigurationSetting(concrete, kind, default: defaultValue, summary: summary)
    }

    /// Whether `concrete` is this setting's key, or an instance of its pattern.
    func matches(_ concrete: String) -> Bool {
        let pattern = key.split(separator: ".")
        let parts = concrete.split(separator: ".")
        guard pattern.count == parts.count else { return false }
        return zip(pattern, parts).allSatisfy { $0 == "*" ? ConfigurationSetting.isName($1) : $0 == $1 }
    }

    /// A name the file gives a peer: letters, digits, hyphens and underscores.
    static func isName(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.count <= 63 && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }

    /// The section a key belongs to: `ops` for `ops.port`.
    public var section: String {
        String(key.split(separator: ".").dropLast().joined(separator: "."))
    }
}

extension ConfigurationSetting {
    /// The values a setting accepts. Each kind knows how to describe itself to a
    /// person who wrote a wrong value.
    public enum Kind: Sendable, Hashable {
        /// A name usable as a DNS label and a certificate common name.
        case deviceName
        case integer(ClosedRange<Int>)
        case boolean
        case choice([String])
        /// Some of these choices, in an order that matters, as a YAML sequence; none twice.
        case choiceList([String])
        /// An IPv4 or IPv6 address to bind a listener to.
        case ipAddress
        case absolutePath
        /// A list of IP addresses and prefixes, as a YAML sequence.
        case addressList
        /// A SIP or SIPS URI.
        case sipURI
        /// A SIP user name: letters, digits and `-_.!~*'()&=+$,;?/`, no spaces.
        case userName
        /// An `https://` URL.
        case httpsURL
        /// An ISO 3166-1 alpha-2 country code.
        case countryCode
        /// An X25519 public key: 32 bytes in base64.
        case x25519PublicKey
        /// A SHA-256 digest in hex (64 characters).
        case sha256Hex
        /// A size in bytes, with an optional unit: `500MiB`, `2GB`, `1048576`.
        case byteSize
        /// An ALSA device, GPIO chip or board name: letters, digits and `_-:=,.`
        /// only. ALSA reads `{…}` in a device name as configuration, and its
        /// file plugin runs what follows `|` through the shell.
        case hardwareName

        /// What to tell someone who gave a value this kind refuses.
        public var allowedValues: String {
            switch self {
            case .deviceName:
                "1 to 63 letters, digits or hyphens, not starting or ending with a hyphen"
            case .integer(let range):
                "an integer from \(range.lowerBound) to \(range.upperBound)"
            case .boolean:
                "true or false"
            case .choice(let choices):
                "one of " + choices.joined(separator: ", ")
            case .choiceList(let choices):
                "a list of " + choices.joined(separator: ", ") + ", in the order to try them, each at most once"
            case .ipAddress:
                "an IPv4 or IPv6 address, such as 127.0.0.1, 0.0.0.0 or ::1"
            case .absolutePath:
                "an absolute path, such as /var/lib/hushbox"
            case .addressList:
                "a list of IP addresses or prefixes, such as [192.0.2.10, 198.51.100.0/24]"
            case .sipURI:
                "a SIP URI, such as sip:sip.example.eu or sip:192.0.2.9:5061"
            case .userName:
                "a SIP user name without spaces, such as 4930123456 or hushbox-7"
            case .httpsURL:
                "an https URL, such as https://ingest.example.eu"
            case .countryCode:
                "a two-letter country code, such as DE or IE"
            case .x25519PublicKey:
                "an X25519 public key, 32 bytes in base64 (44 characters)"
            case .sha256Hex:
                "a SHA-256 digest, 64 hex digits"
            case .byteSize:
                "a size such as 512MiB, 2GiB or 4GB (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)"
            case .hardwareName:
                "letters, digits and _-:=,. only (at most 128), such as plughw:CARD=hushboxline,DEV=0"
            }
        }
    }

    /// A setting's default: a fixed value, or one derived from other settings or
    /// from the environment systemd gives the service.
    public enum DefaultValue: Sendable, Hashable {
        case text(String)
        case integer(Int)
        case boolean(Bool)
        /// Computed at load time; the text says from what, for the documentation.
        case derived(String)

        public var documentation: String {
            switch self {
            case .text(let text): "`\(text)`"
            case .integer(let integer): "`\(integer)`"
            case .boolean(let boolean): "`\(boolean)`"
            case .derived(let explanation): explanation
            }
        }
    }
}
