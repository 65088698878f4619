/// A `name-addr` or `addr-spec` with header parameters: the value of To, From,
/// Contact, Route and the like (RFC 3261 §20.10, §25.1).
public struct NameAddress: Sendable, Hashable, CustomStringConvertible {
    public var displayName: String?
    public var uri: URI
    public var parameters: [SIPParameter]
    /// Whether the URI was written in `<…>` (and must be, when serialised, if it
    /// holds `,`, `;` or `?`).
    public var bracketed: Bool

    public init(displayName: String? = nil, uri: URI, parameters: [SIPParameter] = [], bracketed: Bool = true) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
        self.bracketed = bracketed
    }

    public var tag: String? {
        parameters[parameter: "tag"] ?? nil
    }

    /// Parses one value. In the addr-spec form (no `<>`), everything after the
    /// first `;` is a header parameter, and the URI may hold no `,` `?` or `;`
    /// (RFC 3261 §20).
    public static func parse(_ text: String) throws(SIPHeaderError.Problem) -> NameAddress {
        let value = text.trimmingLWS
        guard !value.isEmpty else { throw .init("the value is empty") }
        let bytes = Array(value.utf8)
        var index = 0
        var displayName: String?
        // Display name: a quoted string, or tokens separated by LWS, before '<'.
        if bytes[0] == UInt8(ascii: "\"") {
            guard let end = closingQuote(bytes) else { throw .init("the display name's quoted string is not closed") }
            displayName = try QuotedString.unquote(String(decoding: bytes[0...end], as: UTF8.self))
            index = end + 1
            while index < bytes.count, SIPGrammar.isWhitespace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "<") else {
                throw .init("a quoted display name must be followed by '<URI>'")
            }
        } else if let open = bytes.firstIndex(of: UInt8(ascii: "<")) {
            let name = String(decoding: bytes[..<open], as: UTF8.self).trimmingLWS
            if !name.isEmpty {
                let words = name.split(whereSeparator: { $0 == " " || $0 == "\t" })
                guard words.allSatisfy({ SIPGrammar.isToken($0) }) else {
                    throw .init("the display name '\(name)' must be quoted: it holds characters a token may not")
                }
                displayName = name
            }
            index = open
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "<") {
            guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")) else { throw .init("'<' is not closed by '>'") }
            let uriText = String(decoding: bytes[(index + 1)..<close], as: UTF8.self)
            guard !uriText.utf8.contains(where: SIPGrammar.isWhitespace), !uriText.isEmpty else {
                throw .init("the URI in '<…>' holds spaces or is empty")
            }
            let uri = try URI.parse(uriText)
            let rest = String(decoding: bytes[(close + 1)...], as: UTF8.self).trimmingLWS
            return NameAddress(displayName: displayName, uri: uri, parameters: try headerParameters(rest), bracketed: true)
        }
        // addr-spec form.
        let uriEnd = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
        let uriText = String(decoding: bytes[..<uriEnd], as: UTF8.self).trimmingLWS
        guard !uriText.utf8.contains(where: { SIPGrammar.isWhitespace($0) || $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "?") }) else {
            throw .init("a URI with spaces, ',' or '?' must be enclosed in '<…>'")
        }
        let uri = try URI.parse(uriText)
        let rest = String(decoding: bytes[uriEnd...], as: UTF8.self)
        return NameAddress(displayName: nil, uri: uri, parameters: try headerParameters(rest), bracketed: false)
    }

    /// Parameters after the URI: nothing, or `;` and parameters.
    private static func headerParameters(_ rest: String) throws(SIPHeaderError.Problem) -> [SIPParameter] {
        let rest = rest.trimmingLWS
        guard !rest.isEmpty else { return [] }
        guard rest.hasPrefix(";") else { throw .init("unexpected text '\(rest.prefix(20))' after the URI") }
        return try HeaderValueScanner.parameters(String(rest.dropFirst()))
    }

    private static func closingQuote(_ bytes: [UInt8]) -> Int? {
        var index = 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "\"") { return index }
            index += 1
        }
        return nil
    }

    public var description: String {
        var text = ""
        if let displayName { text += QuotedString.quote(displayName) + " " }
        text += "<" + uri.description + ">"
        return text + parameters.serialized
    }
}
