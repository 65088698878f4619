import Media
import MediaFormat
import Testing

/// RFC 3711 Appendix B and RFC 7714 §16/§17, in two steps. The RFCs publish
/// session keys (or, for B.3, the derivation from one master key) and the
/// packets they produce; libsrtp takes only master keys. So first the
/// independent ``SRTPReference`` is shown to reproduce every published
/// value, then libsrtp through ``SRTPContext`` is shown to produce exactly
/// the reference's packets from the same master keys — and to accept the
/// reference's packets as the receiving side.
@Suite("SRTP against the RFC 3711 and RFC 7714 test vectors")
struct SRTPVectorTests {
    static let hex = SRTPTests.hex

    // RFC 3711 B.3
    static let b3MasterKey = hex("E1F97A0D3E018BE0D64FA32C06DE4139")
    static let b3MasterSalt = hex("0EC675AD498AFEEBB6960B3AABE6")
    static let b3CipherKey = hex("C61E7A93744F39EE10734AFE3FF7A087")
    static let b3CipherSalt = hex("30CBBC08863D8C85D49DB34A9AE1")
    static let b3AuthKey = hex("""
        CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE E049646C43D9327AD175578EF7227098
        6371C10C9A369AC2F94A8C5FBCDDDC25 6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2
        """)

    // RFC 7714 §16 and §17
    static let gcmKey128 = hex("000102030405060708090a0b0c0d0e0f")
    static let gcmKey256 = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
    static let quidProQuo = Array("Quid pro quo".utf8)
    /// "Gallia est omnis divisa in partes tres" from SSRC 5501a0b2, sequence f17b.
    static let rtp = hex("8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573")
    /// The sender report §17.1–17.4 process (not the one in §17's preamble, which differs).
    static let rtcp = hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef")

    @Test("The reference reproduces RFC 3711 B.2's AES-CM keystream, first and last blocks")
    func referenceKeystream() throws {
        let stream = try SRTPReference.keystream(
            key: Self.hex("2B7E151628AED2A6ABF7158809CF4F3C"), counterBlock: Self.hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), count: 65_282 * 16
        )
        #expect(Array(stream.prefix(48)) == Self.hex("E03EAD0935C95E80E166B16DD92B4EB4 D23513162B02D0F72A43A2FE4A5F97AB 41E95B3BB0A2E8DD477901E4FCA894C0"))
        #expect(Array(stream.suffix(48)) == Self.hex("EC8CDF7398607CB0F2D21675EA9EA1E4 362B7C3C6773516318A077D7FC5073AE 6A2CC3787889374FBEB4C81B17BA6C44"))
    }

    @Test("The reference reproduces RFC 3711 B.3's key derivation: cipher key, cipher salt, 94-byte auth key")
    func referenceKeyDerivation() throws {
        let derive = { (label: UInt8, length: Int) in
            try SRTPReference.derive(label: label, masterKey: Self.b3MasterKey, masterSalt: Self.b3MasterSalt, length: length)
        }
        #expect(try derive(0, 16) == Self.b3CipherKey)
        #expect(try derive(2, 14) == Self.b3CipherSalt)
        #expect(try derive(1, 94) == Self.b3AuthKey)
    }

    @Test("The reference reproduces RFC 7714 §16.1.1, §16.2.1 and §17.1, §17.2: AES-128 and AES-256 GCM packets")
    func referenceGCM() throws {
        let keys128 = SRTPReference.SessionKeys(cipherKey: Self.gcmKey128, salt: Self.quidProQuo, authKey: [])
        let keys256 = SRTPReference.SessionKeys(cipherKey: Self.gcmKey256, salt: Self.quidProQuo, authKey: [])
        #expect(try SRTPReference.protectGCM(rtp: Self.rtp, keys: keys128) == Self.hex("""
            8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf
            8833899d 7f27beb1 6a9152cf 765ee439 0cce
            """))
        #expect(try SRTPReference.protectGCM(rtp: Self.rtp, keys: keys256) == Self.hex("""
            8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa b1801238 9a58e2f3 b50b2a02 76ffae0f 1ba63799
            b87b7aa3 db36dfff d6b0f9bb 7878d7a7 6c13
            """))
        #expect(try SRTPReference.protectGCM(rtcp: Self.rtcp, keys: keys128, index: 0x5d4) == Self.hex("""
            81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded
            0bb9275b c84aa458 96cf4d2f c5abf872 45d9eade 800005d4
            """))
        #expect(try SRTPReference.protectGCM(rtcp: Self.rtcp, keys: keys256, index: 0x5d4) == Self.hex("""
            81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d bffe0a50 a2eaa5c1 110555be 8415f658 c61de047
            6f1b6fad 1d1eb30c 4446839f 57ff6f6c b26ac3be 800005d4
            """))
    }

    /// The SRTCP index libsrtp chose, from the E‖index word of a protected packet.
    static func srtcpIndex(_ packet: [UInt8], wordAt offset: Int) -> UInt32 {
        packet[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) } & 0x7FFF_FFFF
    }

    @Test("AES_CM_128_HMAC_SHA1_80: libsrtp keyed with B.3's master key sends what B.3's session keys give, RTP and RTCP")
    func libsrtpCountermode() throws {
        let material = Self.b3MasterKey + Self.b3MasterSalt
        let sender = try SRTPContext(suite: .aesCM128HMACSHA1_80, keyMaterial: material, direction: .outbound)
        let published = SRTPReference.SessionKeys(cipherKey: Self.b3CipherKey, salt: Self.b3CipherSalt, authKey: Array(Self.b3AuthKey.prefix(20)))
        let protected = try sender.protect(rtp: Self.rtp)
        #expect(protected == (try SRTPReference.protectCountermode(rtp: Self.rtp, keys: published)))
        #expect(protected.count == Self.rtp.count + 10)

        let rtcpKeys = try SRTPReference.sessionKeys(.aesCM128HMACSHA1_80, masterKey: Self.b3MasterKey, masterSalt: Self.b3MasterSalt, rtcp: true)
        let protectedReport = try sender.protect(rtcp: Self.rtcp)
        let index = Self.srtcpIndex(protectedReport, wordAt: protectedReport.count - 14)
        #expect(protectedReport == (try SRTPReference.protectCountermode(rtcp: Self.rtcp, keys: rtcpKeys, index: index)))

        // The receiving side takes the reference's packets, including one after a sequence wrap (ROC 1).
        let receiver = try SRTPContext(suite: .aesCM128HMACSHA1_80, keyMaterial: material, direction: .inbound)
        #expect(try receiver.unprotect(rtp: SRTPReference.protectCountermode(rtp: Self.rtp, keys: published)) == Self.rtp)
        var wrapped = Self.rtp
        wrapped[2] = 0x00
        wrapped[3] = 0x05
        #expect(try receiver.unprotect(rtp: SRTPReference.protectCountermode(rtp: wrapped, keys: published, rolloverCounter: 1)) == wrapped)
        #expect(try receiver.unprotect(rtcp: SRTPReference.protectCountermode(rtcp: Self.rtcp, keys: rtcpKeys, index: 0x5d4)) == Self.rtcp)
    }

    @Test("AEAD_AES_128_GCM and AEAD_AES_256_GCM: libsrtp keyed with RFC 7714's key and salt sends what the RFC's algorithm gives from the derived keys",
          arguments: [SRTPCryptoSuite.aeadAES128GCM, .aeadAES256GCM])
    func libsrtpGCM(suite: SRTPCryptoSuite) throws {
        let masterKey = suite == .aeadAES128GCM ? Self.gcmKey128 : Self.gcmKey256
        let material = masterKey + Self.quidProQuo
        let rtpKeys = try SRTPReference.sessionKeys(suite, masterKey: masterKey, masterSalt: Self.quidProQuo, rtcp: false)
        let rtcpKeys = try SRTPReference.sessionKeys(suite, masterKey: masterKey, masterSalt: Self.quidProQuo, rtcp: true)
        #expect(rtpKeys.cipherKey != masterKey, "§16's keys are session keys; libsrtp derives its own from the master key")

        let sender = try SRTPContext(suite: suite, keyMaterial: material, direction: .outbound)
        #expect(try sender.protect(rtp: Self.rtp) == SRTPReference.protectGCM(rtp: Self.rtp, keys: rtpKeys))
        let protectedReport = try sender.protect(rtcp: Self.rtcp)
        let index = Self.srtcpIndex(protectedReport, wordAt: protectedReport.count - 4)
        #expect(protectedReport == (try SRTPReference.protectGCM(rtcp: Self.rtcp, keys: rtcpKeys, index: index)))

        let receiver = try SRTPContext(suite: suite, keyMaterial: material, direction: .inbound)
        #expect(try receiver.unprotect(rtp: SRTPReference.protectGCM(rtp: Self.rtp, keys: rtpKeys)) == Self.rtp)
        #expect(try receiver.unprotect(rtcp: SRTPReference.protectGCM(rtcp: Self.rtcp, keys: rtcpKeys, index: 0x5d4)) == Self.rtcp)
    }
}
