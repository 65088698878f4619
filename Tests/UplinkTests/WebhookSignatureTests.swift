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

    @Test("A timestamp at Int64's extremes is refused as out of tolerance, never a trap (it killed the receiver)")
    func extremeTimestamps() throws {
        let signer = try WebhookSignature(encodedSecret: Self.secret)
        let header = signer.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body)
        for timestamp in [Int64.min, Int64.max, Int64.min + 1] {
            let verdict = signer.verify(id: Self.id, timestamp: String(timestamp), signatures: header, body: Self.body, now: Self.timestamp)
            #expect(verdict != .valid, "timestamp \(timestamp)")
        }
        #expect(signer.verify(id: Self.id, timestamp: "99999999999", signatures: header, body: Self.body, now: Self.timestamp) == .outsideTolerance)
        #expect(signer.verify(id: Self.id, timestamp: String(Self.timestamp), signatures: header, body: Self.body, now: Int64.max) == .outsideTolerance)
        #expect(signer.verify(id: Self.id, timestamp: String(Self.timestamp), signatures: header, body: Self.body, now: Int64.min) == .outsideTolerance)
    }

    @Test("More signatures than a rotation needs, an overlong header or id are refused before anything is hashed")
    func boundedWork() throws {
        let signer = try WebhookSignature(encodedSecret: Self.secret)
        let valid = signer.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body)
        let stamp = String(Self.timestamp)
        let fiveEntries = Array(repeating: "v1,AAAA", count: 4).joined(separator: " ") + " " + valid
        #expect(signer.verify(id: Self.id, timestamp: stamp, signatures: fiveEntries, body: Self.body, now: Self.timestamp) != .valid)
        let thousands = Array(repeating: "v1,AAAA", count: 10_000).joined(separator: " ") + " " + valid
        guard case .malformed = signer.verify(id: Self.id, timestamp: stamp, signatures: thousands, body: Self.body, now: Self.timestamp) else {
            Issue.record("10,000 signatures must be refused as malformed")
            return
        }
        #expect(signer.verify(id: Self.id, timestamp: stamp, signatures: "v1,AAAA " + valid, body: Self.body, now: Self.timestamp) == .valid, "two, a rotation: fine")
        let long = String(repeating: "i", count: WebhookSignature.maximumIDLength + 1)
        guard case .malformed = signer.verify(id: long, timestamp: stamp, signatures: valid, body: Self.body, now: Self.timestamp) else {
            Issue.record("an overlong id must be malformed")
            return
        }
    }

    @Test("An hb2 signature is bound to method, path and offset: it fails for any other, and v1 signatures do not count for a bound request")
    func boundSignatures() throws {
        let signer = try WebhookSignature(encodedSecret: Self.secret)
        let stamp = String(Self.timestamp)
        let chunk = SignedTarget(method: "PATCH", path: "/v1/uploads/abc", offset: 0)
        let header = signer.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body, target: chunk)
        #expect(header.hasPrefix("hb2,"))
        #expect(signer.verify(id: Self.id, timestamp: stamp, signatures: header, body: Self.body, target: chunk, now: Self.timestamp) == .valid)
        for other in [
            SignedTarget(method: "PATCH", path: "/v1/uploads/abc", offset: 1000), SignedTarget(method: "PATCH", path: "/v1/uploads/abd", offset: 0),
            SignedTarget(method: "POST", path: "/v1/uploads/abc", offset: 0), SignedTarget(method: "PATCH", path: "/v1/uploads/abc"),
        ] {
            #expect(signer.verify(id: Self.id, timestamp: stamp, signatures: header, body: Self.body, target: other, now: Self.timestamp) == .mismatch)
        }
        #expect(signer.verify(id: Self.id, timestamp: stamp, signatures: header, body: Self.body, now: Self.timestamp) == .mismatch, "not a Standard Webhooks signature")
        let unbound = signer.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body)
        guard case .malformed(let why) = signer.verify(id: Self.id, timestamp: stamp, signatures: unbound, body: Self.body, target: chunk, now: Self.timestamp) else {
            Issue.record("a v1 signature on a bound request must be refused with an explanation")
            return
        }
        #expect(why.contains("protocol 2"))
    }
}
