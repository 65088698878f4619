/// A `WWW-Authenticate` / `Proxy-Authenticate` Digest challenge (RFC 7616 §3.3).
public struct DigestChallenge: Sendable, Hashable {
    public var realm: String
    public var nonce: String
    public var opaque: String?
    public var algorithm: DigestAlgorithm
    public var qopOptions: [String]
    /// The nonce expired but the credentials were right: retry with the new one.
    public var stale: Bool

    public init(realm: String, nonce: String, opaque: String? = nil, algorithm: DigestAlgorithm = .sha256, qopOptions: [String] = ["auth"], stale: Bool = false) {
        self.realm = realm
        self.nonce = nonce
        self.opaque = opaque
        self.algorithm = algorithm
        self.qopOptions = qopOptions
        self.stale = stale
    }

    public static func parse(_ value: String) throws(SIPHeaderError.Problem) -> DigestChallenge {
        let parameters = try DigestParameters.parse(value)
        guard let realm = parameters["realm"], let nonce = parameters["nonce"] else {
            throw .init("a Digest challenge needs realm and nonce")
        }
        let algorithmName = parameters["algorithm"] ?? "MD5"
        guard let algorithm = DigestAlgorithm.allCases.first(where: { $0.rawValue.lowercased() == algorithmName.lowercased() }) else {
            throw .init("algorithm \(algorithmName) is not supported (MD5 and SHA-256 are)")
        }
        return DigestChallenge(
            realm: realm, nonce: nonce, opaque: parameters["opaque"], algorithm: algorithm,
            qopOptions: (parameters["qop"] ?? "").split(separator: ",").map { $0.trimmingLWS }.filter { !$0.isEmpty },
            stale: parameters["stale"]?.lowercased() == "true"
        )
    }

    public var headerValue: String {
        var pairs: [(String, String, quoted: Bool)] = [("realm", realm, true), ("nonce", nonce, true)]
        if let opaque { pairs.append(("opaque", opaque, true)) }
        pairs.append(("algorithm", algorithm.rawValue, false))
        if !qopOptions.isEmpty { pairs.append(("qop", qopOptions.joined(separator: ","), true)) }
        if stale { pairs.append(("stale", "true", false)) }
        return DigestParameters.serialize(pairs)
    }
}

/// An `Authorization` / `Proxy-Authorization` Digest answer (RFC 7616 §3.4).
public struct DigestCredentials: Sendable, Hashable {
    public var username: String
    public var realm: String
    public var nonce: String
    public var uri: String
    public var response: String
    public var algorithm: DigestAlgorithm
    public var opaque: String?
    public var qop: String?
    /// nc: 8 hex digits.
    public var nonceCount: String?
    public var clientNonce: String?

    public init(
        username: String, realm: String, nonce: String, uri: String, response: String, algorithm: DigestAlgorithm,
        opaque: String? = nil, qop: String? = nil, nonceCount: String? = nil, clientNonce: String? = nil
    ) {
        self.username = username
        self.realm = realm
        self.nonce = nonce
        self.uri = uri
        self.response = response
        self.algorithm = algorithm
        self.opaque = opaque
        self.qop = qop
        self.nonceCount = nonceCount
        self.clientNonce = clientNonce
    }

    /// The credentials a client sends for `challenge`, with qop=auth when offered.
    public static func answering(
        _ challenge: DigestChallenge, method: SIPMethod, uri: String, username: String, password: String,
        clientNonce: String, nonceCount: UInt32
    ) -> DigestCredentials {
        let qop = challenge.qopOptions.contains("auth") ? "auth" : nil
        let hex = String(nonceCount, radix: 16)
        let count = qop.map { _ in String(repeating: "0", count: max(0, 8 - hex.count)) + hex }
        let response = challenge.algorithm.response(
            username: username, realm: challenge.realm, password: password, method: method.rawValue, uri: uri,
            nonce: challenge.nonce, qop: qop, nonceCount: count, clientNonce: qop == nil ? nil : clientNonce
        )
        return DigestCredentials(
            username: username, realm: challenge.realm, nonce: challenge.nonce, uri: uri, response: response,
            algorithm: challenge.algorithm, opaque: challenge.opaque, qop: qop, nonceCount: count,
            clientNonce: qop == nil ? nil : clientNonce
        )
    }

    public static func parse(_ value: String) throws(SIPHeaderError.Problem) -> DigestCredentials {
        let parameters = try DigestParameters.parse(value)
        guard let username = parameters["username"], let realm = parameters["realm"], let nonce = parameters["nonce"],
            let uri = parameters["uri"], let response = parameters["response"]
        else { throw .init("Digest credentials need username, realm, nonce, uri and response") }
        let algorithmName = parameters["algorithm"] ?? "MD5"
        guard let algorithm = DigestAlgorithm.allCases.first(where: { $0.rawValue.lowercased() == algorithmName.lowercased() }) else {
            throw .init("algorithm \(algorithmName) is not supported")
        }
        return DigestCredentials(
            username: username, realm: realm, nonce: nonce, uri: uri, response: response.lowercased(), algorithm: algorithm,
            opaque: parameters["opaque"], qop: parameters["qop"], nonceCount: parameters["nc"], clientNonce: parameters["cnonce"]
        )
    }

    public var headerValue: String {
        var pairs: [(String, String, quoted: Bool)] = [
            ("username", username, true), ("realm", realm, true), ("nonce", nonce, true), ("uri", uri, true),
            ("response", response, true), ("algorithm", algorithm.rawValue, false),
        ]
        if let opaque { pairs.append(("opaque", opaque, true)) }
        if let qop, let nonceCount, let clientNonce {
            pairs.append(("qop", qop, false))
            pairs.append(("nc", nonceCount, false))
            pairs.append(("cnonce", clientNonce, true))
        }
        return DigestParameters.serialize(pairs)
    }
}
