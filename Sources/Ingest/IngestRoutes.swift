import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
public import Uplink

/// The receiver's HTTP side of docs/uplink-protocol.md on Hummingbird: every
/// request signed (Standard Webhooks, ±5 minutes), uploads created by
/// idempotency key, resumed with HEAD, appended with PATCH at the committed
/// offset. Answers never echo payload bytes.
public enum IngestRoutes {
    static let largestChunk = 16 * 1024 * 1024
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let uploadOffset = HTTPField.Name("Upload-Offset")!
    static let webhookID = HTTPField.Name("webhook-id")!
    static let webhookTimestamp = HTTPField.Name("webhook-timestamp")!
    static let webhookSignature = HTTPField.Name("webhook-signature")!

    /// The system clock in Unix seconds, what `now` is outside tests.
    public static func systemNow() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// - Parameter now: Unix seconds; injected so tests can move the clock.
    public static func router(
        store: IngestStore, signature: WebhookSignature, now: @escaping @Sendable () -> Int64
    ) -> Router<BasicRequestContext> {
        let router = Router()
        router.post("v1/uploads") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            let bytes = Data(body.readableBytesView)
            if let refusal = verify(request, body: bytes, signature: signature, now: now()) { return refusal }
            guard let key = request.headers[idempotencyKey] else { return problem(.badRequest, "Idempotency-Key is required") }
            let announcement: NewUpload
            do { announcement = try JSONDecoder().decode(NewUpload.self, from: bytes) } catch {
                return problem(.badRequest, "the body is not an upload announcement: \(error)")
            }
            let (status, created) = try await answer { () async throws(IngestError) in try await store.create(idempotencyKey: key, announcement) }
            let json = #"{"upload":"/v1/uploads/\#(status.id)","offset":\#(status.offset),"complete":\#(status.complete)}"#
            return Response(
                status: created ? .created : .ok, headers: [.contentType: "application/json", uploadOffset: String(status.offset)],
                body: .init(byteBuffer: ByteBuffer(string: json))
            )
        }
        router.head("v1/uploads/:upload") { _, context -> Response in
            let id = try context.parameters.require("upload")
            guard let status = try await answer({ () async throws(IngestError) in try await store.status(of: id) }) else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [uploadOffset: String(status.offset)])
        }
        router.patch("v1/uploads/:upload") { request, context -> Response in
            let id = try context.parameters.require("upload")
            var request = request
            let body = try await request.collectBody(upTo: largestChunk)
            let bytes = Data(body.readableBytesView)
            if let refusal = verify(request, body: bytes, signature: signature, now: now()) { return refusal }
            guard let offsetText = request.headers[uploadOffset], let offset = Int(offsetText), offset >= 0 else {
                return problem(.badRequest, "Upload-Offset is required")
            }
            switch try await answer({ () async throws(IngestError) in try await store.append(to: id, at: offset, [UInt8](bytes)) }) {
            case .stored(let committed):
                return Response(status: .noContent, headers: [uploadOffset: String(committed)])
            case .complete:
                return Response(status: .created)
            case .conflict(let committed):
                return Response(status: .conflict, headers: [uploadOffset: String(committed)])
            case .rejected(let why):
                return problem(.unprocessableContent, why)
            }
        }
        router.post("v1/erasures") { request, _ -> Response in
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            let bytes = Data(body.readableBytesView)
            if let refusal = verify(request, body: bytes, signature: signature, now: now()) { return refusal }
            let notice: EraseNotice
            do { notice = try JSONDecoder().decode(EraseNotice.self, from: bytes) } catch {
                return problem(.badRequest, "the body is not an erase notice: \(error)")
            }
            let removed = try await answer { () async throws(IngestError) in try await store.erase(notice) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"erased":\#(removed)}"#))
            )
        }
        return router
    }

    /// Nil when the request is signed with the shared secret within five minutes; else the 401.
    static func verify(_ request: Request, body: Data, signature: WebhookSignature, now: Int64) -> Response? {
        guard let id = request.headers[webhookID], let timestamp = request.headers[webhookTimestamp],
            let signatures = request.headers[webhookSignature]
        else {
            return problem(.unauthorized, "webhook-id, webhook-timestamp and webhook-signature are required")
        }
        switch signature.verify(id: id, timestamp: timestamp, signatures: signatures, body: body, now: now) {
        case .valid: return nil
        case .outsideTolerance: return problem(.unauthorized, "webhook-timestamp is more than 5 minutes from this receiver's clock")
        case .mismatch: return problem(.unauthorized, "no signature matches")
        case .malformed(let why): return problem(.unauthorized, why)
        }
    }

    /// The store's errors as HTTP answers.
    static func answer<Value>(_ work: () async throws(IngestError) -> Value) async throws -> Value {
        do {
            return try await work()
        } catch .badRequest(let why) {
            throw HTTPError(.badRequest, message: why)
        } catch .keyReused(let why) {
            throw HTTPError(.unprocessableContent, message: why)
        } catch .notFound {
            throw HTTPError(.notFound)
        } catch .erased(let why) {
            throw HTTPError(.gone, message: why)
        } catch .storage {
            throw HTTPError(.serviceUnavailable)
        }
    }

    static func problem(_ status: HTTPResponse.Status, _ detail: String) -> Response {
        let escaped = detail.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return Response(
            status: status, headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(string: #"{"title":"\#(status.reasonPhrase)","detail":"\#(escaped)"}"#))
        )
    }
}
