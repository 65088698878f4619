import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
public import Uplink

/// The receiver's HTTP side of docs/uplink-protocol.md on Hummingbird: every
/// request, HEAD included, signed and bound to its method, path and offset
/// (uplink protocol 2, ±5 minutes), checked before any body is read as far as
/// headers allow, uploads created by
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

    /// The largest announcement or erase notice taken (they are a few hundred bytes).
    static let largestNotice = 16 * 1024
    /// The longest `Idempotency-Key` and `Upload-Offset` taken.
    static let longestKey = WebhookSignature.maximumIDLength
    static let longestOffset = 10

    /// - Parameter now: Unix seconds; injected so tests can move the clock.
    public static func router(
        store: IngestStore, signature: WebhookSignature, now: @escaping @Sendable () -> Int64
    ) -> Router<IngestRequestContext> {
        let router = Router(context: IngestRequestContext.self)
        router.post("v1/uploads") { request, context -> Response in
            var request = request
            if let refusal = precheck(request, now: now()) { return refusal }
            let body = try await request.collectBody(upTo: largestNotice)
            let bytes = Data(body.readableBytesView)
            let target = SignedTarget(method: "POST", path: "/v1/uploads")
            if let refusal = verify(request, body: bytes, target: target, signature: signature, now: now()) { return refusal }
            guard let key = idempotencyKey(of: request) else { return problem(.badRequest, "Idempotency-Key is required: 1 to \(longestKey) printable ASCII characters") }
            let announcement: NewUpload
            do { announcement = try NewUpload.decodeStrictly(bytes) } catch {
                return problem(.badRequest, "the body is not an upload announcement: \(error)")
            }
            let box = await context.box()
            let (status, created) = try await answer { () async throws(IngestError) in try await store.create(idempotencyKey: key, announcement, box: box) }
            let json = #"{"upload":"/v1/uploads/\#(status.id)","offset":\#(status.offset),"complete":\#(status.complete)}"#
            return Response(
                status: created ? .created : .ok, headers: [.contentType: "application/json", uploadOffset: String(status.offset)],
                body: .init(byteBuffer: ByteBuffer(string: json))
            )
        }
        router.head("v1/uploads/:upload") { request, context -> Response in
            let id = try context.parameters.require("upload")
            if let refusal = precheck(request, now: now()) { return refusal }
            let target = SignedTarget(method: "HEAD", path: "/v1/uploads/" + id)
            if let refusal = verify(request, body: Data(), target: target, signature: signature, now: now()) { return refusal }
            guard let status = try await answer({ () async throws(IngestError) in try await store.status(of: id) }) else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [uploadOffset: String(status.offset)])
        }
        router.patch("v1/uploads/:upload") { request, context -> Response in
            let id = try context.parameters.require("upload")
            var request = request
            if let refusal = precheck(request, now: now()) { return refusal }
            guard let offsetText = request.headers[uploadOffset], offsetText.utf8.count <= longestOffset,
                offsetText.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let offset = Int(offsetText)
            else {
                return problem(.badRequest, "Upload-Offset is required: the committed offset, in decimal digits")
            }
            let body = try await request.collectBody(upTo: largestChunk)
            let bytes = Data(body.readableBytesView)
            let target = SignedTarget(method: "PATCH", path: "/v1/uploads/" + id, offset: offset)
            if let refusal = verify(request, body: bytes, target: target, signature: signature, now: now()) { return refusal }
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
            if let refusal = precheck(request, now: now()) { return refusal }
            let body = try await request.collectBody(upTo: largestNotice)
            let bytes = Data(body.readableBytesView)
            let target = SignedTarget(method: "POST", path: "/v1/erasures")
            if let refusal = verify(request, body: bytes, target: target, signature: signature, now: now()) { return refusal }
            let notice: EraseNotice
            do { notice = try EraseNotice.decodeStrictly(bytes) } catch {
                return problem(.badRequest, "the body is not an erase notice: \(error)")
            }
            let removed = try await answer { () async throws(IngestError) in try await store.erase(notice) }
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"erased":\#(removed)}"#))
            )
        }
        return router
    }

    static func idempotencyKey(of request: Request) -> String? {
        guard let key = request.headers[idempotencyKey], !key.isEmpty, key.utf8.count <= longestKey, key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            return nil
        }
        return key
    }

    /// What can be refused before the body is read: missing or oversized
    /// signature headers, too many signatures, a timestamp out of tolerance.
    static func precheck(_ request: Request, now: Int64) -> Response? {
        guard let id = request.headers[webhookID], let timestamp = request.headers[webhookTimestamp],
            let signatures = request.headers[webhookSignature]
        else {
            return problem(.unauthorized, "webhook-id, webhook-timestamp and webhook-signature are required")
        }
        return refusal(for: WebhookSignature.precheck(id: id, timestamp: timestamp, signatures: signatures, now: now))
    }

    /// Nil when the request is signed for `target` with the shared secret within five minutes; else the 401.
    static func verify(_ request: Request, body: Data, target: SignedTarget, signature: WebhookSignature, now: Int64) -> Response? {
        guard let id = request.headers[webhookID], let timestamp = request.headers[webhookTimestamp],
            let signatures = request.headers[webhookSignature]
        else {
            return problem(.unauthorized, "webhook-id, webhook-timestamp and webhook-signature are required")
        }
        return refusal(for: signature.verify(id: id, timestamp: timestamp, signatures: signatures, body: body, target: target, now: now))
    }

    private static func refusal(for verdict: WebhookSignature.Verdict) -> Response? {
        switch verdict {
        case .valid: nil
        case .outsideTolerance: problem(.unauthorized, "webhook-timestamp is more than 5 minutes from this receiver's clock")
        case .mismatch: problem(.unauthorized, "no signature matches this request (method, path, offset and body)")
        case .malformed(let why): problem(.unauthorized, why)
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
        } catch .insufficientStorage(let why) {
            throw HTTPError(.init(code: 507, reasonPhrase: "Insufficient Storage"), message: why)
        } catch .tooLarge(let why) {
            throw HTTPError(.contentTooLarge, message: why)
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
