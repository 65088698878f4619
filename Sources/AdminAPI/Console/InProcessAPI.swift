import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The admin API called from inside the box, as the console's signed-in user.
///
/// Every page the console shows and every form it takes goes through the very
/// routes `/api/v1` serves, with the same permission checks, validation and
/// audit entries: the console cannot do what the API refuses, and there is
/// one implementation of each task to keep right.
struct InProcessAPI: Sendable {
    let responder: RouterResponder<AdminRequestContext>

    /// A JSON answer is at most this long (an audit page of 200 entries is about 100 KB).
    static let maximumJSONBytes = 4 << 20

    /// Sends one request to the API as `principal` and returns its response,
    /// body unread. Refusals come back as thrown ``Problem``s.
    func send(
        _ method: HTTPRequest.Method, _ path: String, as principal: AdminPrincipal?, json: [String: any Sendable]? = nil,
        body: RequestBody? = nil, headers: HTTPFields = [:], context: AdminRequestContext
    ) async throws -> Response {
        let response = try await forward(method, path, as: principal, json: json, body: body, headers: headers, context: context)
        // The router answers a route's thrown problem as a response: it is thrown again here, for the page to show.
        guard response.status.code >= 400 else { return response }
        let collected = CollectedBody(limit: 64 * 1024)
        try await response.body.write(collected)
        let problem = (try? ConsoleJSON.values(from: Data(collected.buffer.readableBytesView))) as? [String: Any] ?? [:]
        throw Problem(
            response.status, (problem["type"] as? String)?.components(separatedBy: ":").last ?? "http-error",
            problem["title"] as? String ?? response.status.reasonPhrase, problem["detail"] as? String ?? "the box refused this",
            retryAfter: problem["retry_after"] as? Int
        )
    }

    /// Sends one request and returns the API's response as it is, refusals
    /// included: for a media element, which reads a 416's `Content-Range` or a
    /// 429's `Retry-After` itself.
    func forward(
        _ method: HTTPRequest.Method, _ path: String, as principal: AdminPrincipal?, json: [String: any Sendable]? = nil,
        body: RequestBody? = nil, headers extra: HTTPFields = [:], context: AdminRequestContext
    ) async throws -> Response {
        var headers = extra
        var requestBody = body ?? RequestBody(buffer: ByteBuffer())
        if let json {
            headers[.contentType] = "application/json"
            requestBody = RequestBody(buffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let request = Request(head: HTTPRequest(method: method, scheme: "https", authority: "console", path: "/api/v1/" + path, headerFields: headers), body: requestBody)
        var context = context
        context.principal = principal
        return try await responder.respond(to: request, context: context)
    }

    /// Sends a request and reads its JSON answer as plain values (dictionaries,
    /// arrays, strings, numbers, booleans) for a template.
    func json(
        _ method: HTTPRequest.Method, _ path: String, as principal: AdminPrincipal?, json: [String: any Sendable]? = nil, context: AdminRequestContext
    ) async throws -> Any {
        let response = try await send(method, path, as: principal, json: json, context: context)
        let collected = CollectedBody(limit: Self.maximumJSONBytes)
        try await response.body.write(collected)
        guard collected.buffer.readableBytes > 0 else { return [String: Any]() }
        return try ConsoleJSON.values(from: Data(collected.buffer.readableBytesView))
    }
}

/// A response body gathered into memory, up to a limit. A class: writing
/// consumes the writer, and the caller reads what it gathered afterwards.
final class CollectedBody: ResponseBodyWriter {
    struct TooLarge: Error {}
    let limit: Int
    var buffer = ByteBuffer()

    init(limit: Int) { self.limit = limit }

    func write(_ part: ByteBuffer) async throws {
        guard buffer.readableBytes + part.readableBytes <= limit else { throw TooLarge() }
        var part = part
        buffer.writeBuffer(&part)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
