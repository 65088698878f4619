import Hummingbird

/// The plain-HTTP port's only answer: a redirect to `https://<host>:<port>/`.
/// The host is the address the console listens on; only when that is a
/// wildcard (0.0.0.0, ::) is it the one the browser asked for, if that is a
/// plain ASCII name or address. Nothing else from the request is used.
struct HTTPSRedirect: HTTPResponder {
    typealias Context = BasicRequestContext
    let fallbackHost: String
    let httpsPort: Int

    func respond(to request: Request, context: Context) async throws -> Response {
        let wildcard = fallbackHost == "0.0.0.0" || fallbackHost == "::"
        let host = (wildcard ? Self.host(request.head.authority) : nil) ?? fallbackHost
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return Response(
            status: .permanentRedirect,
            headers: [.location: "https://\(shown):\(httpsPort)/", .contentLength: "0", .connection: "close"]
        )
    }

    /// The host part of an authority if it is letters, digits, dots, hyphens
    /// or a bracketed IPv6 address, at most 253 characters.
    static func host(_ authority: String?) -> String? {
        guard let authority, !authority.isEmpty, authority.utf8.count <= 260 else { return nil }
        var host = Substring(authority)
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            host = host[...close]
            let inner = host.dropFirst().dropLast()
            return inner.allSatisfy({ $0.isASCII && ($0.isHexDigit || $0 == ":" || $0 == ".") }) && !inner.isEmpty ? String(host) : nil
        }
        if let colon = host.firstIndex(of: ":") { host = host[..<colon] }
        guard !host.isEmpty, host.count <= 253, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else { return nil }
        return String(host)
    }
}
