import Crypto
public import Foundation

/// Request signatures in the Standard Webhooks form: HMAC-SHA256 with a shared
/// secret over `webhook-id.webhook-timestamp.body`, sent as `v1,<base64>` in
/// `webhook-signature`. The receiver refuses a timestamp more than five
/// minutes away from its clock, so a captured request cannot be replayed later.
public struct WebhookSignature: Sendable {
    public enum Verdict: Sendable, Hashable {
        case valid
        /// The timestamp is further than the tolerance from now, either way.
        case outsideTolerance
        /// No `v1` signature in the header matches.
        case mismatch
        case malformed(String)
    }

    public static let secretPrefix = "whsec_"
    public static let tolerance: Int64 = 5 * 60

    private let key: SymmetricKey

    public init(secret: some DataProtocol) {
        key = SymmetricKey(data: Array(secret))
    }

    /// A secret as Standard Webhooks writes it: `whsec_` and base64.
    public init(encodedSecret: String) throws(WebhookSecretError) {
        let base64 = encodedSecret.hasPrefix(Self.secretPrefix) ? String(encodedSecret.dropFirst(Self.secretPrefix.count)) : encodedSecret
        guard let bytes = Data(base64Encoded: base64), bytes.count >= 24 else {
            throw WebhookSecretError()
        }
        self.init(secret: bytes)
    }

    /// The `webhook-signature` header value for one request.
    public func sign(id: String, timestamp: Int64, body: some DataProtocol) -> String {
        "v1," + Data(mac(id: id, timestamp: timestamp, body: body)).base64EncodedString()
    }

    /// The three headers that sign one request: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    public func headers(id: String, timestamp: Int64, body: some DataProtocol) -> [(name: String, value: String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", sign(id: id, timestamp: timestamp, body: body))]
    }

    /// Checks a request's headers against its body at `now` (Unix seconds).
    /// The header may carry several space-separated signatures (a secret being rotated).
    public func verify(id: String, timestamp: String, signatures header: String, body: some DataProtocol, now: Int64) -> Verdict {
        guard !id.isEmpty else { return .malformed("webhook-id is empty") }
        guard let seconds = Int64(timestamp) else { return .malformed("webhook-timestamp \"\(timestamp)\" is not Unix seconds") }
        guard abs(now - seconds) <= Self.tolerance else { return .outsideTolerance }
        let content = Self.signedContent(id: id, timestamp: seconds, body: body)
        for candidate in header.split(separator: " ") {
            let parts = candidate.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let given = Data(base64Encoded: String(parts[1])) else { continue }
            // Compared in constant time, through the MAC type.
            if HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: content, using: key) { return .valid }
        }
        return .mismatch
    }

    private func mac(id: String, timestamp: Int64, body: some DataProtocol) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Self.signedContent(id: id, timestamp: timestamp, body: body), using: key))
    }

    private static func signedContent(id: String, timestamp: Int64, body: some DataProtocol) -> Data {
        var content = Data("\(id).\(timestamp).".utf8)
        content.append(contentsOf: body)
        return content
    }
}

public struct WebhookSecretError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String { "the webhook secret must be whsec_ followed by base64 of at least 24 random bytes" }
}
