/// Any URI a SIP header may carry: a SIP/SIPS URI, or an absolute URI of
/// another scheme (tel:, http:, isbn:, …) kept as opaque text.
public enum URI: Sendable, Hashable, CustomStringConvertible {
    case sip(SIPURI)
    case other(scheme: String, rest: String)

    public static func parse(_ text: String) throws(SIPHeaderError.Problem) -> URI {
        guard let colon = text.firstIndex(of: ":") else { throw .init("'\(text)' is not a URI (no scheme)") }
        let scheme = text[..<colon]
        let lowered = scheme.lowercased()
        if lowered == "sip" || lowered == "sips" {
            return .sip(try SIPURI.parse(text))
        }
        guard let first = scheme.utf8.first, SIPGrammar.isAlpha(first),
            scheme.utf8.allSatisfy({ SIPGrammar.isAlphanumeric($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { throw .init("'\(scheme)' is not a URI scheme") }
        let rest = String(text[text.index(after: colon)...])
        guard !rest.isEmpty, !rest.utf8.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 >= 0x7F })
        else { throw .init("'\(text)' holds characters a URI may not") }
        return .other(scheme: String(scheme), rest: rest)
    }

    public var scheme: String {
        switch self {
        case .sip(let uri): uri.scheme.rawValue
        case .other(let scheme, _): scheme.lowercased()
        }
    }

    public var sipURI: SIPURI? {
        if case .sip(let uri) = self { return uri }
        return nil
    }

    public var description: String {
        switch self {
        case .sip(let uri): uri.description
        case .other(let scheme, let rest): scheme + ":" + rest
        }
    }
}
