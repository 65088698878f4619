/// Why a configuration was refused. The ``description`` is one line for a person:
/// which key (or file, or environment variable) is wrong, the value found there,
/// and what is allowed instead. The daemon prints it and exits before listening.
public struct ConfigurationError: Error, Hashable, CustomStringConvertible {
    /// What kind of problem this is, for code that must tell them apart.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case fileUnreadable, malformedYAML, unknownKey, notASection, invalidValue
            case unknownEnvironmentVariable, secretsDirectory, secretFile
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        public static let fileUnreadable = Code(.fileUnreadable)
        public static let malformedYAML = Code(.malformedYAML)
        public static let unknownKey = Code(.unknownKey)
        public static let notASection = Code(.notASection)
        public static let invalidValue = Code(.invalidValue)
        public static let unknownEnvironmentVariable = Code(.unknownEnvironmentVariable)
        public static let secretsDirectory = Code(.secretsDirectory)
        public static let secretFile = Code(.secretFile)

        public var description: String { base.rawValue }
    }

    public let code: Code
    /// The configuration key, environment variable or secret file at fault.
    public let subject: String
    public let description: String

    init(_ code: Code, subject: String, _ description: String) {
        self.code = code
        self.subject = subject
        self.description = description
    }
}

extension ConfigurationError {
    static func fileUnreadable(_ path: String, reason: String) -> Self {
        .init(.fileUnreadable, subject: path, "cannot read the configuration file \(path): \(reason). Pass another with --config PATH, or create this one (docs/configuration.md lists every key).")
    }

    static func malformedYAML(_ path: String, detail: String) -> Self {
        .init(.malformedYAML, subject: path, "\(path) is not valid YAML: \(detail)")
    }

    static func unknownKey(_ key: String, in source: ValueSource, suggestion: String?) -> Self {
        let hint = suggestion.map { " Did you mean \"\($0)\"?" } ?? ""
        let section = key.split(separator: ".").dropLast().joined(separator: ".")
        let allowed = ConfigurationSchema.allowedKeys(inSection: section)
        let location = section.isEmpty ? "at the top level" : "in \"\(section)\""
        return .init(.unknownKey, subject: key, "unknown key \"\(key)\" in \(source).\(hint) Keys allowed \(location): \(allowed.joined(separator: ", ")).")
    }

    static func notASection(_ key: String, in source: ValueSource) -> Self {
        let allowed = ConfigurationSchema.allowedKeys(inSection: key)
        return .init(.notASection, subject: key, "\"\(key)\" in \(source) must be a section holding \(allowed.joined(separator: ", ")), not a single value.")
    }

    /// A destination the residency rule forbids; `refusal` names it and says what to do.
    static func outsideResidency(_ setting: ConfigurationSetting, refusal: String, from source: ValueSource) -> Self {
        .init(.invalidValue, subject: setting.key, "\(setting.key) (from \(source)): \(refusal)")
    }

    static func invalidValue(_ setting: ConfigurationSetting, value: String?, from source: ValueSource, problem: String) -> Self {
        let shown = value.map { "\"\($0)\"" } ?? "a value that is not a single scalar"
        return .init(.invalidValue, subject: setting.key, "\(setting.key) = \(shown) (from \(source)) \(problem); allowed: \(setting.kind.allowedValues).")
    }

    static func unknownEnvironmentVariable(_ name: String, suggestion: String?) -> Self {
        let hint = suggestion.map { " Did you mean \($0)?" } ?? ""
        return .init(.unknownEnvironmentVariable, subject: name, "environment variable \(name) is not a Hushbox setting.\(hint) Unset it, or see docs/configuration.md for the HUSHBOX_* names.")
    }

    static func secretsDirectory(_ path: String, _ problem: String) -> Self {
        .init(.secretsDirectory, subject: path, "secrets directory \(path): \(problem)")
    }

    static func secretFile(_ path: String, _ problem: String) -> Self {
        .init(.secretFile, subject: path, "secret \(path): \(problem)")
    }
}

extension ConfigurationSchema {
    /// The names directly inside a section: leaf keys and nested sections.
    static func allowedKeys(inSection section: String) -> [String] {
        let prefix = section.isEmpty ? "" : section + "."
        var names: [String] = []
        for setting in all where setting.key.hasPrefix(prefix) {
            let rest = setting.key.dropFirst(prefix.count)
            let first = String(rest.split(separator: ".").first ?? rest)
            if !names.contains(first) { names.append(first) }
        }
        return names
    }
}
