import Media
import MediaFormat
import Testing

/// libsrtp2 through SRTPContext, against libsrtp's published known answers
/// (the reference packets of its srtp_driver: master key and salt in, exact
/// ciphertext out), and the behaviour a call relies on: forged and replayed
/// packets are refused.
@Suite("SRTP through libsrtp2")
struct SRTPTests {
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter(\.isHexDigit))
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// RTP version 2, PT 15, sequence 0x1234, timestamp 0xdecafbad, SSRC 0xcafebabe, 16 bytes of 0xab.
    static let rtp = hex("800f1234 decafbad cafebabe") + [UInt8](repeating: 0xAB, count: 16)
    /// A sender report from SSRC 0xcafebabe with 16 bytes of 0xab.
    static let rtcp = hex("81c8000b cafebabe") + [UInt8](repeating: 0xAB, count: 16)

    @Test("AES_CM_128_HMAC_SHA1_80: the reference packet encrypts to the known ciphertext and back")
    func aesCountermodeKnownAnswer() throws {
        let key = Self.hex("e1f97a0d3e018be0d64fa32c06de4139 0ec675ad498afeebb6960b3aabe6")
        let sender = try SRTPContext(suite: .aesCM128HMACSHA1_80, keyMaterial: key, direction: .outbound)
        let protected = try sender.protect(rtp: Self.rtp)
        #expect(protected == Self.hex("800f1234 decafbad cafebabe 4e55dc4c e79978d8 8ca4d215 949d2402 b78d6acc 99ea179b 8dbb"))
        let receiver = try SRTPContext(suite: .aesCM128HMACSHA1_80, keyMaterial: key, direction: .inbound)
        #expect(try receiver.unprotect(rtp: protected) == Self.rtp)
    }

    @Test("AEAD_AES_128_GCM (RFC 7714): RTP and RTCP encrypt to the known ciphertexts and back")
    func gcmKnownAnswer() throws {
        let key = Self.hex("000102030405060708090a0b0c0d0e0f a0a1a2a3a4a5a6a7a8a9aaab")
        let sender = try SRTPContext(suite: .aeadAES128GCM, keyMaterial: key, direction: .outbound)
        let protected = try sender.protect(rtp: Self.rtp)
        #expect(protected == Self.hex("800f1234 decafbad cafebabe c5002ede 04cfdd2e b91159e0 880aa06e d2976826 f796b201 df3131a1 27e8a392"))
        let protectedReport = try sender.protect(rtcp: Self.rtcp)
        #expect(protectedReport == Self.hex("81c8000b cafebabe c98b8b5d f0392a55 852b6c21 ac8e7025 c52c6fbe a2b3b446 ea31123b a88ce61e 80000001"))
        let receiver = try SRTPContext(suite: .aeadAES128GCM, keyMaterial: key, direction: .inbound)
        #expect(try receiver.unprotect(rtp: protected) == Self.rtp)
        #expect(try receiver.unprotect(rtcp: protectedReport) == Self.rtcp)
    }

    @Test("Every suite Hushbox offers round-trips, and refuses a flipped bit, a replay and a wrong key", arguments: SRTPCryptoSuite.allCases)
    func refusals(suite: SRTPCryptoSuite) throws {
        let key = (0..<suite.keyMaterialLength).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let sender = try SRTPContext(suite: suite, keyMaterial: key, direction: .outbound)
        let receiver = try SRTPContext(suite: suite, keyMaterial: key, direction: .inbound)
        let first = try sender.protect(rtp: Self.rtp)
        #expect(first != Self.rtp + first.suffix(first.count - Self.rtp.count), "the payload is encrypted")

        var forged = first
        forged[14] ^= 0x01
        #expect(throws: SRTPError.self) { try receiver.unprotect(rtp: forged) }
        #expect(try receiver.unprotect(rtp: first) == Self.rtp)
        do {
            _ = try receiver.unprotect(rtp: first)
            Issue.record("a replayed packet was accepted")
        } catch {
            #expect(error.code == .replayed)
        }
        let stranger = try SRTPContext(suite: suite, keyMaterial: key.map { $0 ^ 0xFF }, direction: .inbound)
        var next = Self.rtp
        next[3] = 0x35
        do {
            _ = try stranger.unprotect(rtp: try sender.protect(rtp: next))
            Issue.record("a packet under another key was accepted")
        } catch {
            #expect(error.code == .authenticationFailed)
        }
        do {
            _ = try SRTPContext(suite: suite, keyMaterial: Array(key.dropLast()), direction: .inbound)
            Issue.record("a short key was accepted")
        } catch {
            #expect(error.code == .badKey)
        }
    }
}
