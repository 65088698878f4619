import Crypto
import CryptoExtras
import MediaFormat

/// A second, independent SRTP implementation, written from the text of
/// RFC 3711 (§3.3, §3.4, §4.1.1, §4.2, §4.3) and RFC 7714 (§8, §9, §11 with
/// errata 4938) on swift-crypto's BoringSSL primitives. It exists only to
/// check libsrtp through ``SRTPContext`` against the RFCs' published
/// vectors: the vector tests first prove this reference reproduces them, then
/// that libsrtp's packets equal the reference's, byte for byte.
///
/// Packets here have a plain 12-byte header plus CSRCs (no header extension),
/// like every packet in the RFCs' vectors.
enum SRTPReference {
    struct SessionKeys {
        var cipherKey: [UInt8]
        var salt: [UInt8]
        /// HMAC-SHA1 key (160 bits) for AES-CM; empty for the AEAD suites.
        var authKey: [UInt8]
    }

    /// AES in counter mode from a full 128-bit counter block: the AES-CM
    /// keystream of RFC 3711 §4.1.1.
    static func keystream(key: [UInt8], counterBlock: [UInt8], count: Int) throws -> [UInt8] {
        let nonce = try AES._CTR.Nonce(nonceBytes: counterBlock)
        let zeros = [UInt8](repeating: 0, count: count)
        return Array(try AES._CTR.encrypt(zeros, using: SymmetricKey(data: key), nonce: nonce))
    }

    /// RFC 3711 §4.3.1 and §4.3.3 with kdr = 0: the AES-CM PRF keyed with the
    /// master key (AES-256 for a 32-byte key, RFC 6188 §7) over
    /// (master salt XOR label‖r)·2^16. A 96-bit AEAD master salt is first
    /// multiplied by 2^16 to make the 112 bits the KDF takes (RFC 7714
    /// errata 4938).
    static func derive(label: UInt8, masterKey: [UInt8], masterSalt: [UInt8], length: Int) throws -> [UInt8] {
        var x = masterSalt + [UInt8](repeating: 0, count: 14 - masterSalt.count)
        // key_id = label ‖ r (48 zero bits) is right-aligned against the salt.
        x[7] ^= label
        return try keystream(key: masterKey, counterBlock: x + [0, 0], count: length)
    }

    /// The session keys of one direction for RTP (labels 0, 1, 2) or RTCP (3, 4, 5).
    static func sessionKeys(_ suite: SRTPCryptoSuite, masterKey: [UInt8], masterSalt: [UInt8], rtcp: Bool) throws -> SessionKeys {
        let base: UInt8 = rtcp ? 3 : 0
        let isAEAD = suite != .aesCM128HMACSHA1_80
        return SessionKeys(
            cipherKey: try derive(label: base, masterKey: masterKey, masterSalt: masterSalt, length: suite.masterKeyLength),
            salt: try derive(label: base + 2, masterKey: masterKey, masterSalt: masterSalt, length: suite.masterSaltLength),
            authKey: isAEAD ? [] : try derive(label: base + 1, masterKey: masterKey, masterSalt: masterSalt, length: 20)
        )
    }

    private static func headerLength(_ packet: [UInt8]) -> Int { 12 + 4 * Int(packet[0] & 0x0F) }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func xor(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] { zip(lhs, rhs).map { $0 ^ $1 } }

    private static func hmacSHA1Tag80(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: key)).prefix(10))
    }

    /// AES_CM_128_HMAC_SHA1_80 RTP (RFC 3711 §4.1.1, §4.2): IV = salt·2^16
    /// XOR SSRC·2^64 XOR (ROC‖SEQ)·2^16; the tag covers the packet and the ROC.
    static func protectCountermode(rtp packet: [UInt8], keys: SessionKeys, rolloverCounter: UInt32 = 0) throws -> [UInt8] {
        let header = Array(packet[..<headerLength(packet)])
        var iv = keys.salt + [0, 0]
        for offset in 0..<4 { iv[4 + offset] ^= packet[8 + offset] }
        let index = bigEndian(rolloverCounter) + packet[2..<4]
        for offset in 0..<6 { iv[8 + offset] ^= index[offset] }
        let payload = Array(packet[header.count...])
        let encrypted = header + xor(payload, try keystream(key: keys.cipherKey, counterBlock: iv, count: payload.count))
        return encrypted + hmacSHA1Tag80(encrypted + bigEndian(rolloverCounter), key: keys.authKey)
    }

    /// AES_CM_128_HMAC_SHA1_80 RTCP (RFC 3711 §3.4): everything after the
    /// first 8 octets encrypted under IV = salt·2^16 XOR SSRC·2^64 XOR
    /// index·2^16, then E‖index, then the tag over all of it.
    static func protectCountermode(rtcp packet: [UInt8], keys: SessionKeys, index: UInt32) throws -> [UInt8] {
        var iv = keys.salt + [0, 0]
        for offset in 0..<4 { iv[4 + offset] ^= packet[4 + offset] }
        let indexBytes = bigEndian(index)
        for offset in 0..<4 { iv[10 + offset] ^= indexBytes[offset] }
        let body = Array(packet[8...])
        let encrypted = Array(packet[..<8]) + xor(body, try keystream(key: keys.cipherKey, counterBlock: iv, count: body.count))
        let authenticated = encrypted + bigEndian(0x8000_0000 | index)
        return authenticated + hmacSHA1Tag80(authenticated, key: keys.authKey)
    }

    /// AEAD_AES_*_GCM RTP (RFC 7714 §8): IV = (00 00 ‖ SSRC ‖ ROC ‖ SEQ) XOR
    /// salt, the header as associated data, ciphertext then the 16-byte tag.
    static func protectGCM(rtp packet: [UInt8], keys: SessionKeys, rolloverCounter: UInt32 = 0) throws -> [UInt8] {
        let header = Array(packet[..<headerLength(packet)])
        let iv = xor([0, 0] + packet[8..<12] + bigEndian(rolloverCounter) + packet[2..<4], keys.salt)
        let sealed = try AES.GCM.seal(
            packet[header.count...], using: SymmetricKey(data: keys.cipherKey), nonce: try AES.GCM.Nonce(data: iv), authenticating: header
        )
        return header + sealed.ciphertext + sealed.tag
    }

    /// AEAD_AES_*_GCM RTCP (RFC 7714 §9): IV = (00 00 ‖ SSRC ‖ 00 00 ‖
    /// 0‖index) XOR salt, the first 8 octets and E‖index as associated data;
    /// the packet ends with E‖index after the tag.
    static func protectGCM(rtcp packet: [UInt8], keys: SessionKeys, index: UInt32) throws -> [UInt8] {
        let word = bigEndian(0x8000_0000 | index)
        let iv = xor([0, 0] + packet[4..<8] + [0, 0] + bigEndian(index), keys.salt)
        let sealed = try AES.GCM.seal(
            packet[8...], using: SymmetricKey(data: keys.cipherKey), nonce: try AES.GCM.Nonce(data: iv),
            authenticating: Array(packet[..<8]) + word
        )
        return Array(packet[..<8]) + sealed.ciphertext + sealed.tag + word
    }
}
