/// The character sets of SIP URI components (RFC 3261 §25.1) and %-escapes.
enum URICharacters {
    /// user-unreserved: & = + $ , ; ? /
    static let userExtras: Set<UInt8> = Set("&=+$,;?/".utf8)
    static let passwordExtras: Set<UInt8> = Set("&=+$,".utf8)
    /// param-unreserved: [ ] / : & + $
    static let parameterExtras: Set<UInt8> = Set("[]/:&+$".utf8)
    /// hnv-unreserved: [ ] / ? : + $
    static let headerExtras: Set<UInt8> = Set("[]/?:+$".utf8)

    /// Whether `text` is made of unreserved characters, `extras` and valid %XX escapes.
    static func valid(_ text: some StringProtocol, allowing extras: Set<UInt8>) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.count,
                    SIPGrammar.isHexDigit(bytes[index + 1]), SIPGrammar.isHexDigit(bytes[index + 2])
                else { return false }
                index += 3
            } else if SIPGrammar.isUnreserved(byte) || extras.contains(byte) {
                index += 1
            } else {
                return false
            }
        }
        return true
    }

    /// `text` with every byte that is neither unreserved nor in `extras` written as %XX.
    static func escape(_ text: String, allowing extras: Set<UInt8>) -> String {
        var result = ""
        for byte in text.utf8 {
            if SIPGrammar.isUnreserved(byte) || extras.contains(byte) {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                result += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return result
    }

    /// Decodes %XX escapes (callers validated them).
    static func unescape(_ text: String) -> String {
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let value = UInt8(String(decoding: bytes[(index + 1)...(index + 2)], as: UTF8.self), radix: 16)
            {
                result.append(value)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
