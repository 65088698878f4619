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
        /// An IPv4 or IPv6 address to bind a listener to.
        case ipAddress
        case absolutePath

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
            case .ipAddress:
                "an IPv4 or IPv6 address, such as 127.0.0.1, 0.0.0.0 or ::1"
            case .absolutePath:
                "an absolute path, such as /var/lib/hushbox"
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
