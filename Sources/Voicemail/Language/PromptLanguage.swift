/// The languages Hushbox speaks to callers. Every prompt exists in each.
public enum PromptLanguage: String, Sendable, Hashable, CaseIterable, Codable {
    case english = "en"
    case german = "de"
    case french = "fr"
    case italian = "it"
    case spanish = "es"
    case dutch = "nl"
    case polish = "pl"

    /// The language for a mailbox's `language` setting, if Hushbox speaks it.
    public init?(code: String) {
        self.init(rawValue: code.lowercased())
    }

    public static var codes: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
