import Crypto

/// Digest authentication as a server (RFC 7616 with RFC 8760 for SIP), for
/// local devices that call into the box. A value type: the clock and the
/// nonce randomness are passed in, so it is tested without sleeping.
///
/// Nonces are stateless to issue: `base64(time ‖ random ‖ HMAC(secret, time ‖
/// random ‖ realm))`, so the server can tell its own unexpired nonces from
/// forged or old ones without remembering them. Replays are caught by
/// remembering, per nonce, the highest nonce count (nc) accepted; a bounded
/// table, oldest forgotten first (a forgotten nonce is simply re-challenged).
public struct DigestServer: Sendable {
    public enum Verdict: Sendable, Hashable {
        case accepted(username: String)
        /// Right credentials on an expired nonce: challenge again with stale=true.
        case stale
        case rejected(reason: String)
    }

    public let realm: String
    public let algorithm: DigestAlgorithm
    public let nonceLifetimeSeconds: Int64
    private let secret: SymmetricKey
    private var highestCounts: [String: UInt32] = [:]
    private var countOrder: [String] = []
    private let maximumTrackedNonces: Int

    public init(realm: String, secret: [UInt8], algorithm: DigestAlgorithm = .sha256, nonceLifetimeSeconds: Int64 = 300, maximumTrackedNonces: Int = 4096) {
        self.realm = realm
        self.secret = SymmetricKey(data: secret)
        self.algorithm = algorithm
        self.nonceLifetimeSeconds = nonceLifetimeSeconds
        self.maximumTrackedNonces = maximumTrackedNonces
    }

    /// A challenge with a fresh nonce made at `now` (Unix seconds) from 16 random bytes.
    public func challenge(now: Int64, random: [UInt8], stale: Bool = false) -> DigestChallenge {
        DigestChallenge(realm: realm, nonce: makeNonce(time: now, random: random), algorithm: algorithm, qopOptions: ["auth"], stale: stale)
    }

    /// Checks credentials for `method`, given the HA1 (H(user:realm:password))
    /// stored for their username, or nil when the user is unknown.
    public mutating func verify(_ credentials: DigestCredentials, method: SIPMethod, ha1: String?, now: Int64) -> Verdict {
        guard credentials.realm == realm else { return .rejected(reason: "wrong realm") }
        guard credentials.algorithm == algorithm else { return .rejected(reason: "algorithm \(credentials.algorithm.rawValue) was not offered") }
        guard credentials.qop == "auth", let countText = credentials.nonceCount, let clientNonce = credentials.clientNonce,
            countText.count == 8, let count = UInt32(countText, radix: 16)
        else { return .rejected(reason: "qop=auth with nc and cnonce is required") }
        guard let issued = nonceTime(credentials.nonce) else { return .rejected(reason: "the nonce was not issued by this server") }
        guard let ha1 else { return .rejected(reason: "unknown user") }
        let expected = algorithm.response(ha1: ha1, method: method.rawValue, uri: credentials.uri, nonce: credentials.nonce, qop: "auth", nonceCount: countText, clientNonce: clientNonce)
        // Compare as fixed-length hex in constant time.
        guard constantTimeEqual(Array(expected.utf8), Array(credentials.response.utf8)) else {
            return .rejected(reason: "wrong response (password)")
        }
        guard now - issued <= nonceLifetimeSeconds, now >= issued - 5 else { return .stale }
        if let highest = highestCounts[credentials.nonce], count <= highest {
            return .rejected(reason: "nonce count \(countText) was already used: a replay")
        }
        remember(credentials.nonce, count: count)
        return .accepted(username: credentials.username)
    }

    private mutating func remember(_ nonce: String, count: UInt32) {
        if highestCounts[nonce] == nil {
            countOrder.append(nonce)
            if countOrder.count > maximumTrackedNonces {
                highestCounts.removeValue(forKey: countOrder.removeFirst())
            }
        }
        highestCounts[nonce] = count
    }

    private func makeNonce(time: Int64, random: [UInt8]) -> String {
        var body: [UInt8] = []
        withUnsafeBytes(of: time.bigEndian) { body.append(contentsOf: $0) }
        body.append(contentsOf: random.prefix(16))
        return Base64.encode(body + mac(body))
    }

    /// The time a nonce was issued, if this server made it.
    private func nonceTime(_ nonce: String) -> Int64? {
        guard let bytes = Base64.decode(nonce), bytes.count == 8 + 16 + 16 else { return nil }
        let body = Array(bytes.prefix(24))
        guard constantTimeEqual(mac(body), Array(bytes.suffix(16))) else { return nil }
        return body.prefix(8).reduce(Int64(0)) { $0 << 8 | Int64($1) }
    }

    private func mac(_ body: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: body + Array(realm.utf8), using: secret)).prefix(16).map { $0 }
    }

    private func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
