import Foundation
import SIPCore
import Testing

@Suite("SDP and audio offer/answer")
struct SDPTests {
    /// What baresip 1.0 offers with mediaenc=srtp-mand and opus|pcmu (INTEROP-NOTES.md).
    static let baresipOffer = """
        v=0\r
        o=- 3145 2719 IN IP4 127.0.0.1\r
        s=-\r
        c=IN IP4 127.0.0.1\r
        t=0 0\r
        m=audio 10000 RTP/SAVP 96 0 101\r
        b=AS:95\r
        a=rtpmap:96 opus/48000/2\r
        a=fmtp:96 stereo=1;sprop-stereo=1\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:101 telephone-event/8000\r
        a=fmtp:101 0-15\r
        a=sendrecv\r
        a=rtcp-mux\r
        a=ptime:20\r
        a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r
        m=video 10002 RTP/SAVP 97\r
        a=rtpmap:97 H264/90000\r

        """

    private func parse(_ text: String) throws -> SessionDescription {
        try SDPParser.parse(Array(text.utf8))
    }

    private func answer(_ text: String, policy: AudioAnswerPolicy = AudioAnswerPolicy()) throws -> AudioOfferAnswer.Outcome {
        AudioOfferAnswer.answer(
            try parse(text), policy: policy, local: LocalMedia(address: "127.0.0.1", rtpPort: 20000, sessionID: "42"),
            keyMaterial: { count in (0..<count).map { UInt8($0) } }
        )
    }

    @Test("a description parses, keeps every line, and serialises back")
    func roundTrip() throws {
        let offer = try parse(Self.baresipOffer)
        #expect(offer.media.count == 2)
        let audio = offer.media[0]
        #expect(audio.port == 10000)
        #expect(audio.isSecureProfile)
        #expect(audio.rtpMaps.map(\.encodingName) == ["opus", "PCMU", "telephone-event"])
        #expect(audio.formatParameters(payloadType: 96) == "stereo=1;sprop-stereo=1")
        #expect(audio.otherLines == ["b=AS:95"])
        let again = try SDPParser.parse(offer.serialized)
        #expect(again == offer)
    }

    @Test("SDES crypto attributes parse with their key, lifetime and MKI, and reject wrong key lengths")
    func cryptoAttributes() throws {
        let crypto = try CryptoAttribute.parse("1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4")
        #expect(crypto.suite == .aesCM128HMACSHA1_80)
        #expect(crypto.keyMaterial.count == 30)
        #expect(crypto.lifetime == "2^20")
        #expect(crypto.mki == "1:4")
        #expect(try CryptoAttribute.parse(crypto.attributeValue) == crypto)
        #expect(throws: SDPError.self) { try CryptoAttribute.parse("1 AEAD_AES_256_GCM inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz") }
        #expect(try CryptoAttribute.parse("2 F8_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz").suite == nil)
    }

    @Test("the answer picks Opus, keeps telephone-event, answers SDES with our own key and declines video")
    func answerBaresip() throws {
        guard case .answer(let answer, let negotiated) = try answer(Self.baresipOffer) else {
            Issue.record("the baresip offer was refused")
            return
        }
        #expect(negotiated.codec == .opus)
        #expect(negotiated.payloadType == 96)
        #expect(negotiated.telephoneEventPayloadType == 101)
        #expect(negotiated.packetTimeMilliseconds == 20)
        #expect(negotiated.remoteAddress == "127.0.0.1")
        #expect(negotiated.remoteRTPPort == 10000)
        #expect(negotiated.localDirection == .sendrecv)
        #expect(negotiated.srtp?.suite == .aesCM128HMACSHA1_80)
        #expect(negotiated.srtp?.tag == 1)
        #expect(negotiated.srtp?.localKeyMaterial == (0..<30).map { UInt8($0) })
        #expect(negotiated.srtp?.remoteKeyMaterial.count == 30)

        let text = String(decoding: answer.serialized, as: UTF8.self)
        #expect(text.contains("m=audio 20000 RTP/SAVP 96 101\r\n"))
        #expect(text.contains("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\r\n"))
        #expect(text.contains("m=video 0 RTP/SAVP 97\r\n"))
        #expect(text.contains("a=rtcp:20001\r\n"))
        #expect(try SDPParser.parse(answer.serialized) == answer)
    }

    @Test("GCM is preferred when offered; PCMU when Opus is not")
    func preferences() throws {
        let offer = Self.baresipOffer
            .replacingOccurrences(of: "m=audio 10000 RTP/SAVP 96 0 101", with: "m=audio 10000 RTP/SAVP 0 101")
            .replacingOccurrences(of: "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4", with: "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\na=crypto:2 AEAD_AES_256_GCM inline:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKis=")
        guard case .answer(_, let negotiated) = try answer(offer) else {
            Issue.record("refused")
            return
        }
        #expect(negotiated.codec == .pcmu)
        #expect(negotiated.srtp?.suite == .aeadAES256GCM)
        #expect(negotiated.srtp?.tag == 2)
        #expect(negotiated.srtp?.localKeyMaterial.count == 44)
    }

    @Test("plain RTP without crypto gets 488 unless the peer is marked plaintext")
    func plaintextRefused() throws {
        let plain = """
            v=0\r
            o=- 1 1 IN IP4 127.0.0.1\r
            s=-\r
            c=IN IP4 127.0.0.1\r
            t=0 0\r
            m=audio 10000 RTP/AVP 0\r
            a=sendonly\r

            """
        guard case .refuse(let status, let reason) = try answer(plain) else {
            Issue.record("plaintext was accepted")
            return
        }
        #expect(status == 488)
        #expect(reason.contains("plaintext"))
        guard case .answer(let answer, let negotiated) = try answer(plain, policy: AudioAnswerPolicy(requireSRTP: false)) else {
            Issue.record("a plaintext peer was refused")
            return
        }
        #expect(negotiated.srtp == nil)
        #expect(negotiated.localDirection == .recvonly)
        #expect(answer.media[0].transportProtocol == "RTP/AVP")
    }

    @Test("an offer whose only crypto suites are unsupported gets 488 naming them")
    func unsupportedSuites() throws {
        let offer = Self.baresipOffer.replacingOccurrences(of: "AES_CM_128_HMAC_SHA1_80", with: "F8_128_HMAC_SHA1_80")
        guard case .refuse(let status, let reason) = try answer(offer) else {
            Issue.record("an unsupported suite was accepted")
            return
        }
        #expect(status == 488)
        #expect(reason.contains("F8_128_HMAC_SHA1_80"))
    }

    @Test("hold the old way (c=0.0.0.0) and the new way (sendonly) are answered recvonly")
    func hold() throws {
        for offer in [
            Self.baresipOffer.replacingOccurrences(of: "c=IN IP4 127.0.0.1", with: "c=IN IP4 0.0.0.0"),
            Self.baresipOffer.replacingOccurrences(of: "a=sendrecv", with: "a=sendonly"),
        ] {
            guard case .answer(_, let negotiated) = try answer(offer) else {
                Issue.record("hold refused")
                continue
            }
            #expect(negotiated.localDirection == .recvonly)
        }
    }

    @Test("malformed descriptions are refused with the line", arguments: ["v=1\r\n", "v=0\r\no=bad\r\n", "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 99999 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\n", "v=0\r\no=- 1 1 IN IP4 a\r\ns=-\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\n"])
    func malformed(text: String) {
        #expect(throws: SDPError.self) { try SDPParser.parse(Array(text.utf8)) }
    }
}
