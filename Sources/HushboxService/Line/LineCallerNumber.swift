internal import LineAudio
internal import Vault

/// The caller's number as the exchange sent it, read in the line's country
/// into E.164 (`030111222` on a German line is `+4930111222`), or nil when it
/// was withheld, unavailable or does not read as a number.
enum LineCallerNumber {
    static func phoneNumber(_ caller: CallerID?, country: ToneCountry) -> PhoneNumber? {
        guard case .number(let digits) = caller else { return nil }
        if country == .us, !digits.hasPrefix("+") {
            // North American numbers come as ten digits, or eleven with the 1.
            if digits.count == 10 { return try? PhoneNumber("+1" + digits) }
            if digits.count == 11, digits.hasPrefix("1") { return try? PhoneNumber("+" + digits) }
        }
        return try? PhoneNumber(digits, defaultCountryCode: country.callingCode)
    }
}
