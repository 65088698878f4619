/// Where a caller is from, as far as their E.164 country calling code tells
/// (ITU-T E.164 assignments): which language to greet them in, and whether
/// the law there asks for their consent before a call is recorded.
public struct CallerCountry: Sendable, Hashable {
    /// ISO 3166-1 alpha-2.
    public let code: String
    /// Languages Hushbox speaks that are spoken there, most common first.
    public let languages: [PromptLanguage]

    /// Callers from these countries are asked to press 1 before they are
    /// recorded, where the mailbox requires consent (the default).
    public static let consentCountries: Set<String> = ["DE", "AT", "CH", "PL"]

    public var requiresConsent: Bool { Self.consentCountries.contains(code) }

    /// The country of an E.164 number (`+4930…`), or nil when its calling
    /// code is not one Hushbox knows. Longest prefix wins (+423 before +42).
    public init?(e164: String) {
        guard e164.hasPrefix("+") else { return nil }
        let digits = e164.dropFirst()
        for length in [3, 2, 1] where digits.count > length {
            if let entry = Self.byCallingCode[String(digits.prefix(length))] {
                self = entry
                return
            }
        }
        return nil
    }

    init(_ code: String, _ languages: [PromptLanguage]) {
        self.code = code
        self.languages = languages
    }

    /// The language to greet this caller in: the mailbox's own when it is
    /// spoken in the caller's country (a Swiss mailbox in French greets a
    /// Swiss caller in French), else the country's first.
    public func language(preferring mailboxLanguage: PromptLanguage) -> PromptLanguage? {
        languages.contains(mailboxLanguage) ? mailboxLanguage : languages.first
    }

    private static let byCallingCode: [String: CallerCountry] = [
        "1": .init("US", [.english, .spanish]),
        "44": .init("GB", [.english]),
        "353": .init("IE", [.english]),
        "356": .init("MT", [.english]),
        "49": .init("DE", [.german]),
        "43": .init("AT", [.german]),
        "41": .init("CH", [.german, .french, .italian]),
        "423": .init("LI", [.german]),
        "352": .init("LU", [.french, .german]),
        "33": .init("FR", [.french]),
        "32": .init("BE", [.dutch, .french, .german]),
        "377": .init("MC", [.french]),
        "39": .init("IT", [.italian]),
        "378": .init("SM", [.italian]),
        "34": .init("ES", [.spanish]),
        "31": .init("NL", [.dutch]),
        "48": .init("PL", [.polish]),
        // Known countries whose languages Hushbox does not speak: the mailbox's language.
        "45": .init("DK", []), "46": .init("SE", []), "47": .init("NO", []), "358": .init("FI", []),
        "351": .init("PT", []), "30": .init("GR", []), "420": .init("CZ", []), "421": .init("SK", []),
        "36": .init("HU", []), "40": .init("RO", []), "359": .init("BG", []), "385": .init("HR", []),
        "386": .init("SI", []), "372": .init("EE", []), "371": .init("LV", []), "370": .init("LT", []),
        "357": .init("CY", []), "354": .init("IS", []),
    ]
}
