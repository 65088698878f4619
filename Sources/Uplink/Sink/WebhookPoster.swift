import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1
public import NIOSSL

/// POSTs signed JSON notifications (Standard Webhooks) to one URL over TLS 1.2
/// or newer, without following redirects: a notification goes where the
/// owner said, or nowhere.
public final class WebhookPoster: Sendable {
    /// What came of one POST.
    public enum Outcome: Sendable, Hashable {
        /// A 2xx answer.
        case accepted
        /// Any other status.
        case refused(status: Int)
        /// No answer: refused, reset, timed out or TLS failed.
        case unreachable(String)
    }

    public let url: String
    let signature: WebhookSignature
    let http: HTTPClient
    let timeout: TimeAmount

    public init(url: String, signature: WebhookSignature, tls: TLSConfiguration, timeout: Duration = .seconds(10)) {
        self.url = url
        self.signature = signature
        self.timeout = .seconds(timeout.components.seconds)
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls, redirectConfiguration: .disallow))
    }

    /// Sends `body` signed as message `id` at `timestamp` (Unix seconds).
    public func post(_ body: Data, id: String, timestamp: Int64) async -> Outcome {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        for header in signature.headers(id: id, timestamp: timestamp, body: body) { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await http.execute(request, timeout: timeout)
            _ = try await response.body.collect(upTo: 64 * 1024)
            return (200..<300).contains(response.status.code) ? .accepted : .refused(status: Int(response.status.code))
        } catch {
            return .unreachable("\(error)")
        }
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }
}
