/// Masks personal data and credentials in text bound for a log: phone numbers,
/// e-mail addresses, the user parts of SIP and tel URIs (and the display names in
/// front of them) and bearer tokens. Code should log ids, not these; the redactor
/// is the guard for what slips through, so it errs towards masking.
public struct Redactor: Sendable {
    public static let mask = "***"

    public init() {}

    /// `text` with every recognised personal value or credential replaced by ``mask``.
    public func redact(_ text: String) -> String {
        redact(text, maskingEmailAddresses: true)
    }

    /// Redacts an identifier such as a SIP Call-ID, which often has the shape of
    /// an e-mail address (`a84b4c76e66710@pc33.example.com`) but names no one:
    /// e-mail masking is skipped, everything else applies.
    public func redactIdentifier(_ text: String) -> String {
        redact(text, maskingEmailAddresses: false)
    }

    private func redact(_ text: String, maskingEmailAddresses: Bool) -> String {
        // Fast path: most log lines hold none of the characters every rule needs.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: ":") || (0x30...0x39).contains($0) || $0 == UInt8(ascii: "B") || $0 == UInt8(ascii: "b") })
        else { return text }
        var result = text
        result = result.replacing(Self.bearerToken) { match in "\(match.output.1) \(Self.mask)" }
        result = result.replacing(Self.displayNameBeforeURI) { match in "\"\(Self.mask)\"\(match.output.1)" }
        result = result.replacing(Self.sipUserPart) { match in "\(match.output.1):\(Self.mask)@" }
        result = result.replacing(Self.telURI) { match in "\(match.output.1):\(Self.mask)" }
        if maskingEmailAddresses {
            result = result.replacing(Self.emailAddress) { match in "\(Self.mask)@\(match.output.1)" }
        }
        return PhoneNumberMasker.mask(result, with: Self.mask)
    }

    // Regex is not Sendable (it caches its compiled program), so each pattern is
    // made where it is used rather than shared through a static.
    // RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    private static var bearerToken: Regex<(Substring, Substring)> { #/(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/# }
    // A quoted display name directly before a SIP, SIPS or tel URI: "Max Mustermann" <sip:...
    private static var displayNameBeforeURI: Regex<(Substring, Substring)> { #/"[^"\r\n]*"(\s*<(?i:sips?|tel):)/# }
    // RFC 3261 §19.1.1: sip:user:password@host — everything before the @ names someone.
    private static var sipUserPart: Regex<(Substring, Substring)> { #/(?i)\b(sips?):[^@\s<>";,]+@/# }
    // RFC 3966: tel:+49-30-1234567
    private static var telURI: Regex<(Substring, Substring)> { #/(?i)\b(tel):\+?[0-9][0-9\-.()/]*/# }
    private static var emailAddress: Regex<(Substring, Substring)> { #/[A-Za-z0-9._%+\-]+@((?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,})/# }
}
