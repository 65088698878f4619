/// A `sip:` or `sips:` URI (RFC 3261 §19.1), kept as written: the user,
/// password and parameters stay %-escaped, so `value%41` and `valueA` remain
/// distinct, and a URI serialises back to the same text.
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable, Hashable {
        case sip, sips
    }

    public var scheme: Scheme
    public var user: String?
    public var password: String?
    public var host: URIHost
    public var port: Int?
    public var parameters: [SIPParameter]
    public var headers: [SIPParameter]

    public init(
        scheme: Scheme = .sip, user: String? = nil, password: String? = nil, host: URIHost, port: Int? = nil,
        parameters: [SIPParameter] = [], headers: [SIPParameter] = []
    ) {
        self.scheme = scheme
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
    }

    /// Parses `sip:` / `sips:` text (case-insensitive scheme).
    public static func parse(_ text: String) throws(SIPHeaderError.Problem) -> SIPURI {
        guard let colon = text.firstIndex(of: ":") else { throw .init("'\(text)' has no scheme") }
        guard let scheme = Scheme(rawValue: text[..<colon].lowercased()) else {
            throw .init("'\(text[..<colon])' is not sip or sips")
        }
        var rest = Substring(text[text.index(after: colon)...])
        var user: String?
        var password: String?
        // A user part cannot hold an unescaped '@', and neither can anything
        // after the host, so the first '@' ends the userinfo.
        if let at = rest.firstIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let separator = userinfo.firstIndex(of: ":") {
                user = String(userinfo[..<separator])
                password = String(userinfo[userinfo.index(after: separator)...])
            } else {
                user = String(userinfo)
            }
            guard let user, !user.isEmpty, URICharacters.valid(user, allowing: URICharacters.userExtras) else {
                throw .init("the user part of '\(text)' holds characters a SIP URI may not")
            }
            if let password, !URICharacters.valid(password, allowing: URICharacters.passwordExtras) {
                throw .init("the password of '\(text)' holds characters a SIP URI may not")
            }
        }
        var headers: [SIPParameter] = []
        if let question = rest.firstIndex(of: "?") {
            headers = try parseHeaders(rest[rest.index(after: question)...])
            rest = rest[..<question]
        }
        var parameters: [SIPParameter] = []
        if let semicolon = rest.firstIndex(of: ";") {
            parameters = try parseParameters(rest[rest.index(after: semicolon)...])
            rest = rest[..<semicolon]
        }
        let (host, port) = try URIHost.parseHostPort(rest)
        return SIPURI(scheme: scheme, user: user, password: password, host: host, port: port, parameters: parameters, headers: headers)
    }

    public var description: String {
        var text = scheme.rawValue + ":"
        if let user {
            text += user + (password.map { ":" + $0 } ?? "") + "@"
        }
        text += host.description + (port.map { ":\($0)" } ?? "") + parameters.serialized
        if !headers.isEmpty {
            text += "?" + headers.map { $0.name + "=" + ($0.value ?? "") }.joined(separator: "&")
        }
        return text
    }

    /// `user` as a SIP URI's user part: characters it may not hold %-escaped (RFC 3261 §19.1.2).
    public static func escapedUser(_ user: String) -> String {
        URICharacters.escape(user, allowing: URICharacters.userExtras)
    }

    /// The user part with %-escapes decoded, for comparison (RFC 3261 §19.1.4).
    public var unescapedUser: String? {
        user.map(URICharacters.unescape)
    }

    /// A URI parameter's value (case-insensitive name), `.some(nil)` if it has none.
    public func parameter(_ name: String) -> String?? {
        parameters[parameter: name]
    }

    private static func parseParameters(_ text: Substring) throws(SIPHeaderError.Problem) -> [SIPParameter] {
        var result: [SIPParameter] = []
        for piece in text.split(separator: ";", omittingEmptySubsequences: false) {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count == 2 ? String(parts[1]) : nil
            guard !name.isEmpty, URICharacters.valid(name, allowing: URICharacters.parameterExtras),
                value.map({ !$0.isEmpty && URICharacters.valid($0, allowing: URICharacters.parameterExtras) }) ?? true
            else { throw .init("';\(piece)' is not a valid URI parameter") }
            result.append(SIPParameter(name: name, value: value))
        }
        return result
    }

    private static func parseHeaders(_ text: Substring) throws(SIPHeaderError.Problem) -> [SIPParameter] {
        var result: [SIPParameter] = []
        for piece in text.split(separator: "&", omittingEmptySubsequences: false) {
            let parts = piece.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty,
                URICharacters.valid(parts[0], allowing: URICharacters.headerExtras),
                URICharacters.valid(parts[1], allowing: URICharacters.headerExtras)
            else { throw .init("'?\(text)' holds a malformed URI header") }
            result.append(SIPParameter(name: String(parts[0]), value: String(parts[1])))
        }
        return result
    }
}
