import AsyncHTTPClient
import Crypto
public import Foundation
import NIOCore
import NIOHTTP1
public import NIOSSL

/// One destination's HTTPS side (docs/uplink-protocol.md): the box's client
/// certificate, the receiver's verified (TLS 1.2 or newer), every request
/// signed, and each answer reduced to what ``UploadSession`` reads.
public final class UplinkClient: Sendable {
    public let baseURL: String
    let signature: WebhookSignature
    let http: HTTPClient
    let now: @Sendable () -> Int64
    let timeout: TimeAmount

    /// - Parameter now: Unix seconds, for `webhook-timestamp`.
    public init(baseURL: String, signature: WebhookSignature, tls: TLSConfiguration, timeout: Duration = .seconds(30), now: @escaping @Sendable () -> Int64) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.signature = signature
        self.now = now
        self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls, redirectConfiguration: .disallow))
    }

    /// Where Debian keeps the system's trust anchors (package ca-certificates).
    public static let systemTrustBundle = "/etc/ssl/certs/ca-certificates.crt"

    /// TLS for an uplink: TLS 1.2 minimum, the box's certificate for mutual TLS,
    /// and the receiver checked against `trustRootsPEM` (the system's when nil).
    ///
    /// With `pinSHA256` (the SHA-256 of a SubjectPublicKeyInfo, hex), only the
    /// trust anchors with that key stay trusted: the receiver's chain must end
    /// at it, or the handshake fails before a byte of a request is sent. BoringSSL
    /// enforces this on every connection. A pin must name an anchor — a root CA,
    /// a private CA, or a receiver's own self-signed certificate — since a chain
    /// cannot end at a leaf or an intermediate.
    public static func tlsConfiguration(
        clientCertificatePEM: String, clientKeyPEM: String, trustRootsPEM: String?, pinSHA256: String? = nil
    ) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateChain = try NIOSSLCertificate.fromPEMBytes(Array(clientCertificatePEM.utf8)).map { .certificate($0) }
        configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(clientKeyPEM.utf8), format: .pem))
        if let pinSHA256 {
            let source = trustRootsPEM == nil ? "the system's trust anchors (\(systemTrustBundle))" : "the receiver's CA file"
            let anchors =
                try trustRootsPEM.map { try NIOSSLCertificate.fromPEMBytes(Array($0.utf8)) } ?? NIOSSLCertificate.fromPEMFile(systemTrustBundle)
            let pinned = try anchors.filter { try spkiSHA256(of: $0) == pinSHA256.lowercased() }
            guard !pinned.isEmpty else { throw UplinkPinError(pin: pinSHA256, source: source) }
            configuration.trustRoots = .certificates(pinned)
        } else if let trustRootsPEM {
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(trustRootsPEM.utf8)))
        }
        return configuration
    }

    /// The SHA-256 of a certificate's SubjectPublicKeyInfo in hex, as `pin_sha256` takes it
    /// (`openssl x509 -pubkey -noout -in ca.pem | openssl pkey -pubin -outform der | sha256sum`).
    public static func spkiSHA256(of certificate: NIOSSLCertificate) throws -> String {
        SHA256.hash(data: try certificate.extractPublicKey().toSPKIBytes()).map { String(format: "%02x", $0) }.joined()
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Sends one request of `session` and returns the answer; any failure to
    /// get one (refused, reset, timed out, TLS) is `.unreachable`. Every
    /// request, HEAD included, is signed bound to its method, path and offset.
    public func perform(_ request: UploadSession.Request, of session: UploadSession, announcement: NewUpload, payload: Data) async -> UploadSession.Answer {
        let key = session.idempotencyKey(for: request)
        var body = Data()
        let target: SignedTarget
        switch request {
        case .create:
            target = SignedTarget(method: "POST", path: "/v1/uploads")
            body = (try? JSONEncoder().encode(announcement)) ?? Data()
        case .probe(let upload):
            target = SignedTarget(method: "HEAD", path: upload)
        case .send(let upload, let offset, let length):
            target = SignedTarget(method: "PATCH", path: upload, offset: offset)
            body = payload.subdata(in: offset..<offset + length)
        }
        // The session admits only /v1/uploads/<id> from the receiver, so the
        // request cannot leave the destination's host (docs/uplink-protocol.md).
        guard UploadSession.isUploadPath(target.path) || target.path == "/v1/uploads" else { return .unreachable }
        var outgoing = HTTPClientRequest(url: baseURL + target.path)
        outgoing.method = HTTPMethod(rawValue: target.method)
        switch request {
        case .create:
            outgoing.headers.add(name: "Content-Type", value: "application/json")
        case .probe:
            break
        case .send(_, let offset, _):
            outgoing.headers.add(name: "Content-Type", value: "application/offset+octet-stream")
            outgoing.headers.add(name: "Upload-Offset", value: String(offset))
        }
        return await execute(outgoing, signedAs: key, target: target, body: body)
    }

    /// Sends an erase notice (`POST /v1/erasures`), signed, under `idempotencyKey`.
    public func send(_ notice: EraseNotice, idempotencyKey key: String) async -> UploadSession.Answer {
        let target = SignedTarget(method: "POST", path: "/v1/erasures")
        var outgoing = HTTPClientRequest(url: baseURL + target.path)
        outgoing.method = .POST
        outgoing.headers.add(name: "Content-Type", value: "application/json")
        return await execute(outgoing, signedAs: key, target: target, body: (try? JSONEncoder().encode(notice)) ?? Data())
    }

    /// Whether the receiver answers over TLS as this client trusts it (its chain,
    /// and the pin): nil when an HTTP answer came back, else why none did. Sends
    /// nothing signed and nothing of a customer's: an unsigned `GET /v1/uploads`,
    /// which every receiver refuses; that it answered at all is the result.
    public func reachability() async -> String? {
        var request = HTTPClientRequest(url: baseURL + "/v1/uploads")
        request.method = .GET
        do {
            let response = try await http.execute(request, timeout: timeout)
            _ = try await response.body.collect(upTo: 64 * 1024)
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Signs a request (the key is its `Idempotency-Key` and `webhook-id`) and
    /// sends it; any failure to get an answer is `.unreachable`.
    private func execute(_ request: HTTPClientRequest, signedAs key: String, target: SignedTarget, body: Data) async -> UploadSession.Answer {
        var outgoing = request
        outgoing.headers.add(name: "Idempotency-Key", value: key)
        for header in signature.headers(id: key, timestamp: now(), body: body, target: target) { outgoing.headers.add(name: header.name, value: header.value) }
        if target.method != "HEAD" { outgoing.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await http.execute(outgoing, timeout: timeout)
            let bytes = try await response.body.collect(upTo: 64 * 1024)
            return .response(Self.reading(response.status.code, headers: response.headers, body: Data(bytes.readableBytesView)))
        } catch {
            return .unreachable
        }
    }

    static func reading(_ status: UInt, headers: HTTPHeaders, body: Data) -> UploadSession.Response {
        var response = UploadSession.Response(status: Int(status))
        response.offset = headers.first(name: "Upload-Offset").flatMap { Int($0) }
        response.retryAfter = headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0, now: Date()) }
        if let json = try? JSONSerialization.jsonObject(with: body) as? [String: Any] {
            response.upload = json["upload"] as? String
            response.offset = response.offset ?? json["offset"] as? Int
            response.complete = json["complete"] as? Bool ?? false
        }
        return response
    }
}

/// A `pin_sha256` that names none of the anchors the receiver is checked against.
public struct UplinkPinError: Error, CustomStringConvertible {
    public let pin: String
    public let source: String

    public var description: String {
        "pin_sha256 \(pin) matches no certificate in \(source); pin the key of the CA the receiver's chain ends at "
            + "(or of its self-signed certificate), put that certificate in ca_file when it is not a public root, "
            + "and compute the pin with: openssl x509 -pubkey -noout -in ca.pem | openssl pkey -pubin -outform der | sha256sum"
    }
}
