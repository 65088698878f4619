/// The host of a SIP URI or Via: a domain name, an IPv4 address or an IPv6
/// reference in brackets (RFC 3261 §25.1, RFC 5118).
public enum URIHost: Sendable, Hashable, CustomStringConvertible {
    case domain(String)
    case ipv4(String)
    /// Without the brackets.
    case ipv6(String)

    public var description: String {
        switch self {
        case .domain(let name): name
        case .ipv4(let address): address
        case .ipv6(let address): "[" + address + "]"
        }
    }

    /// The name or address without IPv6 brackets, as a socket wants it.
    public var bareHost: String {
        switch self {
        case .domain(let name): name
        case .ipv4(let address), .ipv6(let address): address
        }
    }

    /// Parses `host [":" port]`.
    static func parseHostPort(_ text: some StringProtocol) throws(SIPHeaderError.Problem) -> (URIHost, Int?) {
        let text = String(text)
        var hostText: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .init("'\(text)' has an IPv6 reference without ']'") }
            hostText = text[text.startIndex...close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .init("'\(text)' has text after its IPv6 reference") }
                portText = after.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            hostText = text[..<colon]
            portText = text[text.index(after: colon)...]
        } else {
            hostText = Substring(text)
        }
        let host = try parse(hostText)
        var port: Int?
        if let portText {
            guard !portText.isEmpty, portText.count <= 5, portText.utf8.allSatisfy(SIPGrammar.isDigit), let value = Int(portText),
                value <= 65535
            else { throw .init("'\(portText)' is not a port number") }
            port = value
        }
        return (host, port)
    }

    static func parse(_ text: some StringProtocol) throws(SIPHeaderError.Problem) -> URIHost {
        if text.hasPrefix("[") {
            guard text.hasSuffix("]"), isIPv6(text.dropFirst().dropLast()) else {
                throw .init("'\(text)' is not a valid IPv6 reference")
            }
            return .ipv6(String(text.dropFirst().dropLast()))
        }
        if isIPv4(text) { return .ipv4(String(text)) }
        guard isHostname(text) else { throw .init("'\(text)' is not a valid host") }
        return .domain(String(text))
    }

    static func isIPv4(_ text: some StringProtocol) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            (1...3).contains(part.count) && part.utf8.allSatisfy(SIPGrammar.isDigit) && (Int(part) ?? 256) <= 255
        }
    }

    /// hostname = *( domainlabel "." ) toplabel [ "." ]; labels of alphanumerics
    /// and inner hyphens. A trailing dot is allowed.
    static func isHostname(_ text: some StringProtocol) -> Bool {
        var labels = text.split(separator: ".", omittingEmptySubsequences: false)
        if labels.count > 1, labels.last?.isEmpty == true { labels.removeLast() }
        guard !labels.isEmpty, text.utf8.count <= 255 else { return false }
        return labels.allSatisfy { label in
            let bytes = Array(label.utf8)
            guard let first = bytes.first, let last = bytes.last else { return false }
            return SIPGrammar.isAlphanumeric(first) && SIPGrammar.isAlphanumeric(last)
                && bytes.allSatisfy { SIPGrammar.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// RFC 4291 text forms, including `::` compression and a trailing IPv4 part.
    static func isIPv6(_ text: some StringProtocol) -> Bool {
        let text = String(text)
        guard !text.isEmpty, text.utf8.allSatisfy({ SIPGrammar.isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }) else {
            return false
        }
        let compressed = splitOnDoubleColon(text)
        guard compressed.count <= 2 else { return false }
        var groups = 0
        for (position, half) in compressed.enumerated() where !half.isEmpty {
            let pieces = half.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if piece.contains(".") {
                    // An embedded IPv4 address may only end the address.
                    guard position == compressed.count - 1, index == pieces.count - 1, isIPv4(piece) else { return false }
                    groups += 2
                } else {
                    guard (1...4).contains(piece.count) else { return false }
                    groups += 1
                }
            }
        }
        return compressed.count == 2 ? groups < 8 : groups == 8
    }

    /// `text` split at each "::" (at most one is valid; more give more parts).
    private static func splitOnDoubleColon(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var previousWasColon = false
        for character in text {
            if character == ":" && previousWasColon {
                current.removeLast()
                parts.append(current)
                current = ""
                previousWasColon = false
                continue
            }
            previousWasColon = character == ":"
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}
