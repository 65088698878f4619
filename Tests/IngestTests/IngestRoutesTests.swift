import Crypto
import Foundation
import HTTPTypes
import HushboxTestSupport
import Hummingbird
import HummingbirdTesting
import Ingest
import NIOCore
import Testing
import Uplink

/// The receiver's HTTP answers, through Hummingbird's router: what a box sees.
@Suite("Ingest routes: signed, idempotent, resumable")
struct IngestRoutesTests {
    static let secret = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
    static let now: Int64 = 1_795_000_000
    let directory: TemporaryDirectory
    let signer: WebhookSignature

    init() throws {
        directory = try TemporaryDirectory(prefix: "hushbox-ingest")
        signer = try WebhookSignature(encodedSecret: Self.secret)
    }

    static let create = SignedTarget(method: "POST", path: "/v1/uploads")
    static let erase = SignedTarget(method: "POST", path: "/v1/erasures")

    /// Headers that sign a request for `target`; the offset of a PATCH goes in `Upload-Offset` too.
    func headers(key: String, body: Data, target: SignedTarget, timestamp: Int64 = Self.now) -> HTTPFields {
        var fields: HTTPFields = [:]
        if let offset = target.offset { fields[HTTPField.Name("Upload-Offset")!] = String(offset) }
        fields[HTTPField.Name("Idempotency-Key")!] = key
        fields[HTTPField.Name("webhook-id")!] = key
        fields[HTTPField.Name("webhook-timestamp")!] = String(timestamp)
        fields[HTTPField.Name("webhook-signature")!] = signer.sign(id: key, timestamp: timestamp, body: body, target: target)
        return fields
    }

    static func announcement(_ objectID: String, of payload: Data, sealing: String = "none") -> Data {
        let digest = SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined()
        return Data(#"{"object_id":"\#(objectID)","kind":"voicemail","length":\#(payload.count),"sha256":"\#(digest)","sealing":"\#(sealing)"}"#.utf8)
    }

    func application(boxQuota: Int = IngestStore.defaultBoxQuota) throws -> some ApplicationProtocol {
        let store = try IngestStore(directory: directory.path, recipientKey: nil, boxQuota: boxQuota, diskReserve: 0)
        return Application(router: IngestRoutes.router(store: store, signature: signer, now: { Self.now }))
    }

    @Test("Create, send in chunks, resume with HEAD, finish: 201, 204s with offsets, 409 at a stale offset, 201 at the end")
    func upload() async throws {
        let payload = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0) })
        let announcement = Self.announcement("obj-1", of: payload)
        let offset = HTTPField.Name("Upload-Offset")!
        try await application().test(.router) { client in
            var path = ""
            try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: "e1.0", body: announcement, target: Self.create), body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .created)
                let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                path = json?["upload"] as? String ?? ""
                #expect(json?["offset"] as? Int == 0)
            }
            try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: "e1.0", body: announcement, target: Self.create), body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .ok, "the same key: the same upload")
                #expect(String(buffer: response.body).contains(path))
            }
            let first = payload.prefix(1000)
            try await client.execute(uri: path, method: .patch, headers: headers(key: "e1.0:0", body: first, target: SignedTarget(method: "PATCH", path: path, offset: 0)), body: ByteBuffer(bytes: first)) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[offset] == "1000")
            }
            try await client.execute(uri: path, method: .patch, headers: headers(key: "e1.0:0", body: first, target: SignedTarget(method: "PATCH", path: path, offset: 0)), body: ByteBuffer(bytes: first)) { response in
                #expect(response.status == .conflict)
                #expect(response.headers[offset] == "1000")
            }
            try await client.execute(uri: path, method: .head, headers: headers(key: "e1.0", body: Data(), target: SignedTarget(method: "HEAD", path: path))) { response in
                #expect(response.headers[offset] == "1000")
            }
            let rest = payload.suffix(2000)
            try await client.execute(uri: path, method: .patch, headers: headers(key: "e1.0:1000", body: rest, target: SignedTarget(method: "PATCH", path: path, offset: 1000)), body: ByteBuffer(bytes: rest)) { response in
                #expect(response.status == .created)
            }
        }
        #expect(FileManager.default.contents(atPath: directory.child("objects/obj-1/payload")) == payload)
    }

    @Test("Unsigned, wrongly signed and replayed (more than 5 minutes old) requests get 401 and store nothing")
    func refusals() async throws {
        let announcement = Data(#"{"object_id":"obj-2","kind":"voicemail","length":3,"sha256":"\#(String(repeating: "a", count: 64))","sealing":"none"}"#.utf8)
        try await application().test(.router) { client in
            try await client.execute(uri: "/v1/uploads", method: .post, headers: [HTTPField.Name("Idempotency-Key")!: "e2"], body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .unauthorized)
            }
            var forged = headers(key: "e2", body: announcement, target: Self.create)
            forged[HTTPField.Name("webhook-signature")!] = WebhookSignature(secret: [UInt8](repeating: 9, count: 32)).sign(
                id: "e2", timestamp: Self.now, body: announcement, target: Self.create
            )
            try await client.execute(uri: "/v1/uploads", method: .post, headers: forged, body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: "e2", body: announcement, target: Self.create, timestamp: Self.now - 301), body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("5 minutes"))
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.child("keys")).isEmpty)
    }

    /// Creates an upload of `payload` and sends its first `sent` bytes; returns the upload's path.
    func startUpload(_ client: some TestClientProtocol, objectID: String, payload: Data, sent: Int) async throws -> String {
        let announcement = Self.announcement(objectID, of: payload)
        var path = ""
        try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: objectID, body: announcement, target: Self.create), body: ByteBuffer(bytes: announcement)) { response in
            #expect(response.status == .created)
            path = (try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])?["upload"] as? String ?? ""
        }
        let chunk = payload.prefix(sent)
        try await client.execute(
            uri: path, method: .patch, headers: headers(key: objectID + ":0", body: chunk, target: SignedTarget(method: "PATCH", path: path, offset: 0)),
            body: ByteBuffer(bytes: chunk)
        ) { response in
            #expect(response.status == .noContent)
        }
        return path
    }

    @Test("A signed request is good for its own method, path and offset only: an announcement replayed as an erasure, a chunk replayed at another offset or upload, and an unsigned or re-used HEAD are refused")
    func replayAcrossRoutes() async throws {
        let payload = Data((0..<2000).map { UInt8(truncatingIfNeeded: $0) })
        try await application().test(.router) { client in
            let path = try await startUpload(client, objectID: "obj-r", payload: payload, sent: 1000)
            let other = try await startUpload(client, objectID: "obj-s", payload: payload, sent: 1000)
            // The captured announcement's exact bytes and headers, sent to /v1/erasures: the same object id, so it would erase it.
            let announcement = Self.announcement("obj-r", of: payload)
            try await client.execute(uri: "/v1/erasures", method: .post, headers: headers(key: "obj-r", body: announcement, target: Self.create), body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .unauthorized)
            }
            // Even signed for the erasure route, an announcement is not an erase notice: its extra fields are refused.
            try await client.execute(uri: "/v1/erasures", method: .post, headers: headers(key: "obj-r", body: announcement, target: Self.erase), body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("unknown fields"))
            }
            // The first chunk's signed bytes, replayed at offset 1000 of the same upload and at offset 0 of another.
            let chunk = payload.prefix(1000)
            var replayed = headers(key: "obj-r:0", body: chunk, target: SignedTarget(method: "PATCH", path: path, offset: 0))
            replayed[HTTPField.Name("Upload-Offset")!] = "1000"
            try await client.execute(uri: path, method: .patch, headers: replayed, body: ByteBuffer(bytes: chunk)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(
                uri: other, method: .patch, headers: headers(key: "obj-r:0", body: chunk, target: SignedTarget(method: "PATCH", path: path, offset: 0)),
                body: ByteBuffer(bytes: chunk)
            ) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: path, method: .head) { response in
                #expect(response.status == .unauthorized, "HEAD is signed too")
            }
            try await client.execute(uri: other, method: .head, headers: headers(key: "obj-r", body: Data(), target: SignedTarget(method: "HEAD", path: path))) { response in
                #expect(response.status == .unauthorized, "a HEAD signed for one upload does not read another")
            }
            // A box of protocol 1 (v1 signatures, not bound) is told what to do.
            var old = headers(key: "obj-t", body: announcement, target: Self.create)
            old[HTTPField.Name("webhook-signature")!] = signer.sign(id: "obj-t", timestamp: Self.now, body: announcement)
            try await client.execute(uri: "/v1/uploads", method: .post, headers: old, body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("protocol 2"))
            }
            try await client.execute(uri: path, method: .head, headers: headers(key: "obj-r", body: Data(), target: SignedTarget(method: "HEAD", path: path))) { response in
                #expect(response.headers[HTTPField.Name("Upload-Offset")!] == "1000", "nothing replayed was stored")
            }
        }
        #expect(FileManager.default.fileExists(atPath: directory.child("uploads")))
        #expect(!FileManager.default.fileExists(atPath: directory.child("erased/obj-r")), "the object was not erased")
    }

    @Test("Headers at integer extremes and absurd lengths, and 10,000 signatures, are refused with 401 or 400 before any hashing; the receiver goes on serving")
    func hostileHeaders() async throws {
        let announcement = Self.announcement("obj-h", of: Data([1, 2, 3]))
        try await application().test(.router) { client in
            for timestamp in ["-9223372036854775808", "9223372036854775807", "99999999999999999999999", "-1", "+1795000000", "1795000000.5", ""] {
                var fields = headers(key: "h1", body: announcement, target: Self.create)
                fields[HTTPField.Name("webhook-timestamp")!] = timestamp
                try await client.execute(uri: "/v1/uploads", method: .post, headers: fields, body: ByteBuffer(bytes: announcement)) { response in
                    #expect(response.status == .unauthorized, "timestamp \(timestamp)")
                }
            }
            var many = headers(key: "h2", body: announcement, target: Self.create)
            let valid = many[HTTPField.Name("webhook-signature")!]!
            many[HTTPField.Name("webhook-signature")!] = Array(repeating: "hb2,AAAA", count: 10_000).joined(separator: " ") + " " + valid
            try await client.execute(uri: "/v1/uploads", method: .post, headers: many, body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("longer than"))
            }
            var longID = headers(key: String(repeating: "k", count: 5000), body: announcement, target: Self.create)
            longID[HTTPField.Name("webhook-id")!] = String(repeating: "k", count: 5000)
            try await client.execute(uri: "/v1/uploads", method: .post, headers: longID, body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .unauthorized)
            }
            for offset in ["-1", "9223372036854775808", "1e3", String(repeating: "9", count: 400)] {
                var fields = headers(key: "h3", body: Data([1]), target: SignedTarget(method: "PATCH", path: "/v1/uploads/x", offset: 0))
                fields[HTTPField.Name("Upload-Offset")!] = offset
                try await client.execute(uri: "/v1/uploads/x", method: .patch, headers: fields, body: ByteBuffer(bytes: [1])) { response in
                    #expect(response.status == .badRequest, "offset \(offset)")
                }
            }
            // Still serving: a signed announcement is taken.
            try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: "h4", body: announcement, target: Self.create), body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .created)
            }
        }
    }

    @Test("A box over its quota gets 507 with what to do, and a sealed payload larger than the receiver opens gets 413; nothing is stored for either")
    func quota() async throws {
        let payload = Data(repeating: 7, count: 600)
        try await application(boxQuota: 1000).test(.router) { client in
            let first = Self.announcement("obj-q1", of: payload)
            try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: "q1", body: first, target: Self.create), body: ByteBuffer(bytes: first)) { response in
                #expect(response.status == .created)
            }
            let second = Self.announcement("obj-q2", of: payload)
            try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: "q2", body: second, target: Self.create), body: ByteBuffer(bytes: second)) { response in
                #expect(response.status.code == 507)
                #expect(String(buffer: response.body).contains("may hold 1000"))
            }
            let digest = String(repeating: "a", count: 64)
            let huge = Data(#"{"object_id":"obj-q3","kind":"voicemail","length":\#(IngestStore.largestSealedLength + 1),"sha256":"\#(digest)","sealing":"hpke-x25519-hkdf-sha256-aes256gcm"}"#.utf8)
            try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: "q3", body: huge, target: Self.create), body: ByteBuffer(bytes: huge)) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.child("keys")).count == 1, "only the first upload was started")
    }
}
