import Crypto
import Foundation
import Testing
import Uplink

@Suite("End-to-end sealing of uplink payloads (HPKE X25519/HKDF-SHA256/AES-256-GCM)")
struct PayloadSealingTests {
    let customer = Curve25519.KeyAgreement.PrivateKey()
    let audio = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
    let info = Data("hushbox voicemail 0b6e…".utf8)

    @Test("The customer's private key opens what the box sealed to its public key; the sealed bytes hide the plaintext")
    func roundTrip() throws {
        let sealed = try PayloadSealing.seal(audio, to: customer.publicKey, info: info)
        #expect(sealed.range(of: audio.prefix(32)) == nil)
        #expect(sealed.count == audio.count + 9 + 32 + 16, "header, encapsulated key and tag: nothing else grows")
        #expect(try PayloadSealing.open(sealed, with: customer, info: info) == audio)
        let again = try PayloadSealing.seal(audio, to: customer.publicKey, info: info)
        #expect(again != sealed, "a fresh ephemeral key each time")
    }

    @Test("Another key, another purpose, or one changed byte does not open")
    func refusals() throws {
        let sealed = try PayloadSealing.seal(audio, to: customer.publicKey, info: info)
        #expect(throws: (any Error).self) { try PayloadSealing.open(sealed, with: Curve25519.KeyAgreement.PrivateKey(), info: info) }
        #expect(throws: (any Error).self) { try PayloadSealing.open(sealed, with: customer, info: Data("hushbox voicemail other".utf8)) }
        var altered = sealed
        altered[altered.count / 2] ^= 0x01
        #expect(throws: (any Error).self) { try PayloadSealing.open(altered, with: customer, info: info) }
        #expect(throws: PayloadSealingError.self) { try PayloadSealing.open(Data("plain".utf8), with: customer, info: info) }
    }
}
