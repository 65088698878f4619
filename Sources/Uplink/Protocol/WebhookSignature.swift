import Crypto
public import Foundation

/// Request signatures in the Standard Webhooks form: HMAC-SHA256 with a shared
/// secret, sent as `<version>,<base64>` in `webhook-signature` beside
/// `webhook-id` and `webhook-timestamp`. The receiver refuses a timestamp more
/// than five minutes away from its clock, so a captured request cannot be
/// replayed later.
///
/// Two forms:
/// - `v1` (Standard Webhooks) covers `id.timestamp.body`: what the incident
///   webhook sends to a receiver of the customer's choosing.
/// - `hb2` (uplink protocol 2) covers `id.timestamp.METHOD path offset.body`
///   (``SignedTarget``), so a signed request is good for that request only.
///   The uplink receiver takes nothing else.
///
/// Verification does bounded work before it hashes anything: the headers'
/// sizes and the number of signatures are capped, the timestamp is checked
/// first, and the MAC is computed once however many signatures are offered.
public struct WebhookSignature: Sendable {
    public enum Verdict: Sendable, Hashable {
        case valid
        /// The timestamp is further than the tolerance from now, either way.
        case outsideTolerance
        /// No signature of the expected version in the header matches.
        case mismatch
        case malformed(String)
    }

    public static let secretPrefix = "whsec_"
    public static let tolerance: Int64 = 5 * 60
    /// Standard Webhooks: `v1`. Uplink protocol 2, bound to the request: `hb2`.
    public static let standardVersion = "v1"
    public static let boundVersion = "hb2"
    /// More than this many signatures in one header is refused before any
    /// hashing: a secret being rotated needs two.
    public static let maximumSignatures = 4
    /// The longest `webhook-id` taken (an idempotency key and an offset fit many times over).
    public static let maximumIDLength = 200
    /// The longest `webhook-signature` header taken: four signatures and their separators.
    public static let maximumSignatureHeaderLength = 4 * 64
    /// Unix seconds up to the year 2286 fit in ten digits; eleven allows a little more.
    static let maximumTimestampLength = 11

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

    /// The `webhook-signature` header value for one request: `v1` without a
    /// target (Standard Webhooks), `hb2` bound to `target`.
    public func sign(id: String, timestamp: Int64, body: some DataProtocol, target: SignedTarget? = nil) -> String {
        let version = target == nil ? Self.standardVersion : Self.boundVersion
        return version + "," + Data(mac(id: id, timestamp: timestamp, target: target, body: body)).base64EncodedString()
    }

    /// The three headers that sign one request: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    public func headers(id: String, timestamp: Int64, body: some DataProtocol, target: SignedTarget? = nil) -> [(name: String, value: String)] {
        [("webhook-id", id), ("webhook-timestamp", String(timestamp)), ("webhook-signature", sign(id: id, timestamp: timestamp, body: body, target: target))]
    }

    /// The checks that need no body and no hashing, so that a receiver can
    /// refuse before it reads a large body: sizes, the number of signatures,
    /// and the timestamp against `now` (Unix seconds).
    public static func precheck(id: String, timestamp: String, signatures header: String, now: Int64) -> Verdict {
        guard !id.isEmpty else { return .malformed("webhook-id is empty") }
        guard id.utf8.count <= maximumIDLength, id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return .malformed("webhook-id must be 1 to \(maximumIDLength) printable ASCII characters")
        }
        guard timestamp.utf8.count <= maximumTimestampLength, timestamp.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let seconds = Int64(timestamp)
        else {
            return .malformed("webhook-timestamp must be Unix seconds (digits only)")
        }
        // Subtraction that cannot trap, whatever the peer sent: a receiver must not die on a header.
        let (difference, overflow) = now.subtractingReportingOverflow(seconds)
        guard !overflow, difference.magnitude <= UInt64(tolerance) else { return .outsideTolerance }
        guard header.utf8.count <= maximumSignatureHeaderLength else {
            return .malformed("webhook-signature is longer than \(maximumSignatureHeaderLength) bytes")
        }
        guard header.split(separator: " ").count <= maximumSignatures else {
            return .malformed("webhook-signature carries more than \(maximumSignatures) signatures")
        }
        return .valid
    }

    /// Checks a request's headers against its body at `now` (Unix seconds).
    /// With a `target`, only `hb2` signatures bound to it count; without one,
    /// only Standard Webhooks `v1` signatures. The header may carry several
    /// space-separated signatures (a secret being rotated).
    public func verify(
        id: String, timestamp: String, signatures header: String, body: some DataProtocol, target: SignedTarget? = nil, now: Int64
    ) -> Verdict {
        let checked = Self.precheck(id: id, timestamp: timestamp, signatures: header, now: now)
        guard checked == .valid, let seconds = Int64(timestamp) else { return checked }
        let version = target == nil ? Self.standardVersion : Self.boundVersion
        let given = header.split(separator: " ").compactMap { candidate -> Data? in
            let parts = candidate.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == version else { return nil }
            return Data(base64Encoded: String(parts[1]))
        }
        guard !given.isEmpty else {
            if target != nil, header.split(separator: " ").contains(where: { $0.hasPrefix(Self.standardVersion + ",") }) {
                return .malformed("only v1 signatures, which do not cover the method and path: this receiver speaks uplink protocol 2 (hb2 signatures); update the box")
            }
            return .mismatch
        }
        let expected = HMAC<SHA256>.authenticationCode(for: Self.signedPrefix(id: id, timestamp: seconds, target: target), and: body, using: key)
        // `==` between a MAC and bytes compares in constant time.
        return given.contains { expected == $0 } ? .valid : .mismatch
    }

    private func mac(id: String, timestamp: Int64, target: SignedTarget?, body: some DataProtocol) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Self.signedPrefix(id: id, timestamp: timestamp, target: target), and: body, using: key))
    }

    /// `id.timestamp.` for v1; `id.timestamp.METHOD path offset.` for hb2.
    private static func signedPrefix(id: String, timestamp: Int64, target: SignedTarget?) -> Data {
        Data(("\(id).\(timestamp)." + (target.map { $0.signedLine + "." } ?? "")).utf8)
    }
}

extension HMAC where H == SHA256 {
    /// The MAC over `prefix` then `body`, without copying the body.
    fileprivate static func authenticationCode(for prefix: Data, and body: some DataProtocol, using key: SymmetricKey) -> HashedAuthenticationCode<SHA256> {
        var hmac = HMAC<SHA256>(key: key)
        hmac.update(data: prefix)
        hmac.update(data: body)
        return hmac.finalize()
    }
}

public struct WebhookSecretError: Error, Hashable, Sendable, CustomStringConvertible {
    public var description: String { "the webhook secret must be whsec_ followed by base64 of at least 24 random bytes" }
}
