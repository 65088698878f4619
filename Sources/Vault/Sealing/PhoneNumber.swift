import Foundation

/// A telephone number normalised to E.164 (`+4930123456`), the form blind
/// indexes are computed over, so that `030 123456`, `+49 30 123456` and
/// `0049 (0)30-123456` find the same caller.
///
/// Its `description` is masked: a PhoneNumber interpolated into a log line
/// shows only its country code and last two digits.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    /// The number in E.164 form, `+` and 7 to 15 digits. Personal data: seal it.
    public let e164: String

    /// Parses a number as people and trunks write it.
    /// - Parameter defaultCountryCode: digits of the country code that national
    ///   numbers (leading `0`) belong to, e.g. "49"; nil refuses national numbers.
    public init(_ raw: String, defaultCountryCode: String? = nil) throws(VaultError) {
        var text = raw.trimmingCharacters(in: .whitespaces)
        // "+49 (0)30 …": the (0) is the trunk prefix, dropped when dialling internationally.
        text = text.replacingOccurrences(of: "(0)", with: "")
        let separators: Set<Character> = [" ", "-", "/", ".", "(", ")", "\u{00A0}"]
        text.removeAll { separators.contains($0) }
        let digits: Substring
        if text.hasPrefix("+") {
            digits = text.dropFirst()
        } else if text.hasPrefix("00") {
            digits = text.dropFirst(2)
        } else if text.hasPrefix("0") {
            guard let defaultCountryCode, !defaultCountryCode.isEmpty, defaultCountryCode.allSatisfy(\.isASCIIDigit) else {
                throw VaultError(.invalidPhoneNumber, "a national number (leading 0) needs a country code; write it as +<country code>…")
            }
            digits = Substring(defaultCountryCode + text.dropFirst())
        } else {
            throw VaultError(.invalidPhoneNumber, "a phone number must start with +, 00 or 0")
        }
        guard digits.allSatisfy(\.isASCIIDigit) else {
            throw VaultError(.invalidPhoneNumber, "a phone number may hold only digits and the separators space - / . ( )")
        }
        guard (7...15).contains(digits.count), digits.first != "0" else {
            throw VaultError(.invalidPhoneNumber, "an E.164 number has 7 to 15 digits after the + and no leading 0 in its country code")
        }
        e164 = "+" + digits
    }

    /// The number with all but its first two and last two digits hidden, for
    /// listings and logs: `+49•••••••89`.
    public var maskedForDisplay: String {
        let digits = e164.dropFirst()
        return "+" + digits.prefix(2) + String(repeating: "•", count: max(0, digits.count - 4)) + digits.suffix(2)
    }

    public var description: String { maskedForDisplay }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
