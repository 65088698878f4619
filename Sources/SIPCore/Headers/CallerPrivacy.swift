/// The caller's identity as a trusted network asserts it (RFC 3325) and the
/// privacy the caller asked for (RFC 3323, RFC 3325 §7).
extension SIPHeaders {
    /// `P-Asserted-Identity` values (RFC 3325 §9.1): one or two, a SIP or SIPS
    /// URI and/or a tel URI, possibly across several fields.
    public func assertedIdentities() throws(SIPHeaderError) -> [URI] {
        // §9.1: "one or two" values; a few more are tolerated, many are not read.
        try parsedList(.pAssertedIdentity, atMost: 4, describing: "values") { value throws(SIPHeaderError.Problem) in try NameAddress.parse(value).uri }
    }

    /// The `priv-value`s of every Privacy field (RFC 3323 §4.2), lowercased:
    /// `id`, `header`, `user`, `session`, `none`, `critical`. Values are
    /// separated by `;` (some devices write `,`).
    public func privacy() throws(SIPHeaderError) -> Set<String> {
        var values: Set<String> = []
        for field in self[.privacy] {
            for value in field.split(whereSeparator: { $0 == ";" || $0 == "," }).map({ $0.trimmingLWS.lowercased() }) where !value.isEmpty {
                guard SIPGrammar.isToken(value), values.count < 8 else {
                    throw SIPHeaderError(header: "Privacy", detail: "'\(value.prefix(20))' is not a privacy value")
                }
                values.insert(value)
            }
        }
        return values
    }
}

extension URI {
    /// The user or number this URI names, for routing: a SIP URI's user part
    /// (unescaped, without RFC 3966 parameters such as `;phone-context=`) or a
    /// tel URI's number (RFC 3966). Nil when there is none.
    public var userOrNumber: String? {
        guard let text = userPart else { return nil }
        let subscriber = text.prefix { $0 != ";" }
        return subscriber.isEmpty ? nil : String(subscriber)
    }

    /// A SIP URI's user part or a tel URI's number, unescaped, with any
    /// RFC 3966 parameters (`;phone-context=…`, `;ext=…`) still on it.
    public var userPart: String? {
        switch self {
        case .sip(let uri):
            return uri.unescapedUser
        case .other(let scheme, let rest):
            guard scheme.lowercased() == "tel" else { return nil }
            return URICharacters.unescape(rest)
        }
    }

    /// RFC 3325 §3 and RFC 3323 §4.1.1.3: `anonymous` as the user or
    /// `anonymous.invalid` as the host marks a caller who hides who they are.
    public var isAnonymous: Bool {
        guard case .sip(let uri) = self else { return false }
        return uri.unescapedUser?.lowercased() == "anonymous" || uri.host.bareHost.lowercased() == "anonymous.invalid"
    }
}
