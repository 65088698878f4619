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

    func headers(key: String, body: Data, timestamp: Int64 = Self.now, extra: HTTPFields = [:]) -> HTTPFields {
        var fields = extra
        fields[HTTPField.Name("Idempotency-Key")!] = key
        fields[HTTPField.Name("webhook-id")!] = key
        fields[HTTPField.Name("webhook-timestamp")!] = String(timestamp)
        fields[HTTPField.Name("webhook-signature")!] = signer.sign(id: key, timestamp: timestamp, body: body)
        return fields
    }

    func application() throws -> some ApplicationProtocol {
        let store = try IngestStore(directory: directory.path, recipientKey: nil)
        return Application(router: IngestRoutes.router(store: store, signature: signer, now: { Self.now }))
    }

    @Test("Create, send in chunks, resume with HEAD, finish: 201, 204s with offsets, 409 at a stale offset, 201 at the end")
    func upload() async throws {
        let payload = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0) })
        let digest = SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined()
        let announcement = Data(#"{"object_id":"obj-1","kind":"voicemail","length":3000,"sha256":"\#(digest)","sealing":"none"}"#.utf8)
        let offset = HTTPField.Name("Upload-Offset")!
        try await application().test(.router) { client in
            var path = ""
            try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: "e1.0", body: announcement), body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .created)
                let json = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                path = json?["upload"] as? String ?? ""
                #expect(json?["offset"] as? Int == 0)
            }
            try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: "e1.0", body: announcement), body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .ok, "the same key: the same upload")
                #expect(String(buffer: response.body).contains(path))
            }
            let first = payload.prefix(1000)
            try await client.execute(uri: path, method: .patch, headers: headers(key: "e1.0:0", body: first, extra: [offset: "0"]), body: ByteBuffer(bytes: first)) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[offset] == "1000")
            }
            try await client.execute(uri: path, method: .patch, headers: headers(key: "e1.0:0", body: first, extra: [offset: "0"]), body: ByteBuffer(bytes: first)) { response in
                #expect(response.status == .conflict)
                #expect(response.headers[offset] == "1000")
            }
            try await client.execute(uri: path, method: .head) { response in
                #expect(response.headers[offset] == "1000")
            }
            let rest = payload.suffix(2000)
            try await client.execute(uri: path, method: .patch, headers: headers(key: "e1.0:1000", body: rest, extra: [offset: "1000"]), body: ByteBuffer(bytes: rest)) { response in
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
            var forged = headers(key: "e2", body: announcement)
            forged[HTTPField.Name("webhook-signature")!] = WebhookSignature(secret: [UInt8](repeating: 9, count: 32)).sign(id: "e2", timestamp: Self.now, body: announcement)
            try await client.execute(uri: "/v1/uploads", method: .post, headers: forged, body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/v1/uploads", method: .post, headers: headers(key: "e2", body: announcement, timestamp: Self.now - 301), body: ByteBuffer(bytes: announcement)) { response in
                #expect(response.status == .unauthorized)
                #expect(String(buffer: response.body).contains("5 minutes"))
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.child("keys")).isEmpty)
    }
}
