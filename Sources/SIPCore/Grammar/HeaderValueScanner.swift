/// Splits and scans header values the way RFC 3261's grammar does: commas and
/// semicolons inside quoted strings and angle brackets do not separate.
enum HeaderValueScanner {
    /// Splits a header value into its comma-separated elements (for headers
    /// whose grammar is a list). Empty elements are reported as empty strings.
    static func splitList(_ value: String) throws(SIPHeaderError.Problem) -> [String] {
        try split(value, on: UInt8(ascii: ","))
    }

    /// Splits `value` on `separator` outside quoted strings and `<…>`.
    static func split(_ value: String, on separator: UInt8) throws(SIPHeaderError.Problem) -> [String] {
        var parts: [String] = []
        var current: [UInt8] = []
        var inQuotes = false
        var inBrackets = false
        var escaped = false
        for byte in value.utf8 {
            if inQuotes {
                current.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inQuotes = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inQuotes = true
                current.append(byte)
            case UInt8(ascii: "<"):
                inBrackets = true
                current.append(byte)
            case UInt8(ascii: ">"):
                inBrackets = false
                current.append(byte)
            case separator where !inBrackets:
                parts.append(String(decoding: current, as: UTF8.self).trimmingLWS)
                current.removeAll()
            default:
                current.append(byte)
            }
        }
        guard !inQuotes else { throw .init("a quoted string is not closed") }
        guard !inBrackets else { throw .init("a '<' is not closed by '>'") }
        parts.append(String(decoding: current, as: UTF8.self).trimmingLWS)
        return parts
    }

    /// Parses `;name[=value]` header parameters (the text after the first
    /// semicolon). Names are tokens; values are tokens, host names or quoted
    /// strings. LWS around `;` and `=` is allowed.
    static func parameters(_ text: String) throws(SIPHeaderError.Problem) -> [SIPParameter] {
        guard !text.trimmingLWS.isEmpty else { return [] }
        var result: [SIPParameter] = []
        for piece in try split(text, on: UInt8(ascii: ";")) {
            guard !piece.isEmpty else { throw .init("an empty parameter (';;')") }
            let name: String
            let value: String?
            if let equals = piece.firstIndex(of: "=") {
                name = piece[..<equals].trimmingLWS
                let raw = piece[piece.index(after: equals)...].trimmingLWS
                guard !raw.isEmpty else { throw .init("parameter '\(name)' has '=' but no value") }
                if raw.hasPrefix("\"") {
                    guard raw.count >= 2, raw.hasSuffix("\""), (try? QuotedString.unquote(raw)) != nil else {
                        throw .init("parameter '\(name)' has a malformed quoted value")
                    }
                } else {
                    guard raw.utf8.allSatisfy({ SIPGrammar.isTokenByte($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") }) else {
                        throw .init("parameter '\(name)' has a value with characters a token may not hold")
                    }
                }
                value = raw
            } else {
                name = piece
                value = nil
            }
            guard SIPGrammar.isToken(name) else { throw .init("'\(name)' is not a valid parameter name") }
            result.append(SIPParameter(name: name, value: value))
        }
        return result
    }
}

/// Quoted strings (RFC 3261 §25.1): `"` *(qdtext / quoted-pair) `"`.
enum QuotedString {
    /// The content of a quoted string with its quoted-pairs resolved.
    static func unquote(_ text: String) throws(SIPHeaderError.Problem) -> String {
        let bytes = Array(text.utf8)
        guard bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") else {
            throw .init("not a quoted string")
        }
        var result: [UInt8] = []
        var index = 1
        while index < bytes.count - 1 {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                guard index + 1 < bytes.count - 1 else { throw .init("a quoted string ends in a lone backslash") }
                let escaped = bytes[index + 1]
                // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
                guard escaped <= 0x7F, escaped != SIPGrammar.lf, escaped != SIPGrammar.cr else {
                    throw .init("a quoted string escapes a character that cannot be escaped")
                }
                result.append(escaped)
                index += 2
            } else if byte == UInt8(ascii: "\"") {
                throw .init("a quoted string has an unescaped '\"' inside")
            } else {
                result.append(byte)
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// `text` as a quoted string, escaping `"` and `\`.
    static func quote(_ text: String) -> String {
        var result = "\""
        for character in text {
            if character == "\"" || character == "\\" { result.append("\\") }
            result.append(character)
        }
        return result + "\""
    }
}
