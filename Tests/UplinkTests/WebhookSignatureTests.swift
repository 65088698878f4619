import Foundation
import Testing
import Uplink

@Suite("Webhook signatures (Standard Webhooks)")
struct WebhookSignatureTests {
    /// The example the Standard Webhooks specification publishes.
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = Data(#"{"test": 2432232314}"#.utf8)

    @Test("Signs the specification's example to its published signature")
    func knownAnswer() throws {
        let signer = try WebhookSignature(encodedSecret: Self.secret)
        #expect(signer.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("A receiver accepts the signed request, and refuses a changed body, id or timestamp, a replay after 5 minutes and another secret")
    func verification() throws {
        let signer = try WebhookSignature(encodedSecret: Self.secret)
        let header = signer.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body)
        let stamp = String(Self.timestamp)
        #expect(signer.verify(id: Self.id, timestamp: stamp, signatures: header, body: Self.body, now: Self.timestamp + 10) == .valid)
        #expect(signer.verify(id: Self.id, timestamp: stamp, signatures: "v1,bm9wZQ== " + header, body: Self.body, now: Self.timestamp) == .valid,
                "any of several signatures (a secret being rotated)")
        #expect(signer.verify(id: Self.id, timestamp: stamp, signatures: header, body: Data(#"{"test": 2432232315}"#.utf8), now: Self.timestamp) == .mismatch)
        #expect(signer.verify(id: "msg_other", timestamp: stamp, signatures: header, body: Self.body, now: Self.timestamp) == .mismatch)
        #expect(signer.verify(id: Self.id, timestamp: String(Self.timestamp + 1), signatures: header, body: Self.body, now: Self.timestamp) == .mismatch)
        #expect(signer.verify(id: Self.id, timestamp: stamp, signatures: header, body: Self.body, now: Self.timestamp + 301) == .outsideTolerance)
        #expect(signer.verify(id: Self.id, timestamp: stamp, signatures: header, body: Self.body, now: Self.timestamp - 301) == .outsideTolerance)
        let other = WebhookSignature(secret: [UInt8](repeating: 7, count: 32))
        #expect(other.verify(id: Self.id, timestamp: stamp, signatures: header, body: Self.body, now: Self.timestamp) == .mismatch)
        if case .malformed = signer.verify(id: Self.id, timestamp: "yesterday", signatures: header, body: Self.body, now: Self.timestamp) {} else {
            Issue.record("a timestamp that is not a number is malformed")
        }
    }

    @Test("A secret that is not whsec_ and enough base64 is refused")
    func badSecret() {
        #expect(throws: WebhookSecretError.self) { try WebhookSignature(encodedSecret: "whsec_short") }
        #expect(throws: WebhookSecretError.self) { try WebhookSignature(encodedSecret: "not base64 at all!") }
    }
}
