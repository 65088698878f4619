/// One Via value: `SIP/2.0/UDP host:port;branch=…;rport;received=…`
/// (RFC 3261 §20.42, RFC 3581). LWS around the slashes is allowed.
public struct Via: Sendable, Hashable, CustomStringConvertible {
    public var protocolName: String
    public var protocolVersion: String
    public var transport: String
    public var host: URIHost
    public var port: Int?
    public var parameters: [SIPParameter]

    public init(transport: String, host: URIHost, port: Int?, parameters: [SIPParameter]) {
        protocolName = "SIP"
        protocolVersion = "2.0"
        self.transport = transport
        self.host = host
        self.port = port
        self.parameters = parameters
    }

    /// The branch parameter, which names the transaction.
    public var branch: String? { parameters[parameter: "branch"] ?? nil }

    /// Whether the branch carries RFC 3261's magic cookie (and more after it).
    public var hasRFC3261Branch: Bool {
        guard let branch else { return false }
        return branch.hasPrefix("z9hG4bK") && branch.count > 7
    }

    public static func parseList(_ value: String) throws(SIPHeaderError.Problem) -> [Via] {
        var vias: [Via] = []
        for element in try HeaderValueScanner.splitList(value) {
            guard !element.isEmpty else { throw .init("an empty Via value (',,')") }
            vias.append(try parse(element))
        }
        return vias
    }

    static func parse(_ text: String) throws(SIPHeaderError.Problem) -> Via {
        // sent-protocol: three tokens separated by '/', LWS allowed around the slashes.
        let slashParts = text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard slashParts.count == 3 else { throw .init("'\(text.prefix(40))' does not start with SIP/2.0/transport") }
        let name = slashParts[0].trimmingLWS
        let version = slashParts[1].trimmingLWS
        let remainder = slashParts[2].trimmingLWS
        let transportEnd = remainder.utf8.firstIndex(where: SIPGrammar.isWhitespace) ?? remainder.utf8.endIndex
        let transport = String(remainder[..<transportEnd])
        let sentByAndParameters = String(remainder[transportEnd...]).trimmingLWS
        guard SIPGrammar.isToken(name), SIPGrammar.isToken(version), SIPGrammar.isToken(transport) else {
            throw .init("'\(text.prefix(40))' has a malformed protocol")
        }
        let semicolon = sentByAndParameters.firstIndex(of: ";") ?? sentByAndParameters.endIndex
        let sentBy = sentByAndParameters[..<semicolon].trimmingLWS
        guard !sentBy.isEmpty, !sentBy.utf8.contains(where: SIPGrammar.isWhitespace) else {
            throw .init("'\(text.prefix(40))' has no valid sent-by host")
        }
        let (host, port) = try URIHost.parseHostPort(sentBy)
        var parameters: [SIPParameter] = []
        if semicolon < sentByAndParameters.endIndex {
            parameters = try HeaderValueScanner.parameters(String(sentByAndParameters[sentByAndParameters.index(after: semicolon)...]))
        }
        var via = Via(transport: transport.uppercased(), host: host, port: port, parameters: parameters)
        via.protocolName = name
        via.protocolVersion = version
        return via
    }

    public var description: String {
        "\(protocolName)/\(protocolVersion)/\(transport) \(host)" + (port.map { ":\($0)" } ?? "") + parameters.serialized
    }
}
