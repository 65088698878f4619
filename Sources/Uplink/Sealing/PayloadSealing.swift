public import Crypto
public import Foundation

/// End-to-end sealing of what goes up: HPKE (RFC 9180) base mode with X25519,
/// HKDF-SHA256 and AES-256-GCM to the customer's public key, so the web tier
/// that receives it holds only ciphertext. `info` binds a payload to its
/// purpose and object, so a sealed payload cannot be passed off as another.
public enum PayloadSealing {
    public static let ciphersuite = HPKE.Ciphersuite(kem: .Curve25519_HKDF_SHA256, kdf: .HKDF_SHA256, aead: .AES_GCM_256)
    /// Written first in a sealed payload: format and suite, so a later one can change.
    static let magic = Array("HBX-HPKE1".utf8)

    /// `magic ‖ enc (32 bytes) ‖ ciphertext+tag`.
    public static func seal(_ plaintext: some DataProtocol, to recipient: Curve25519.KeyAgreement.PublicKey, info: Data) throws -> Data {
        var sender = try HPKE.Sender(recipientKey: recipient, ciphersuite: ciphersuite, info: info)
        let ciphertext = try sender.seal(plaintext)
        var sealed = Data(magic)
        sealed.append(sender.encapsulatedKey)
        sealed.append(ciphertext)
        return sealed
    }

    /// Opens what ``seal(_:to:info:)`` made; throws when it was altered, sealed to another key, or for another `info`.
    public static func open(_ sealed: Data, with recipient: Curve25519.KeyAgreement.PrivateKey, info: Data) throws -> Data {
        let bytes = [UInt8](sealed)
        let encapsulatedLength = 32
        guard bytes.count > magic.count + encapsulatedLength, Array(bytes.prefix(magic.count)) == magic else {
            throw PayloadSealingError("not a Hushbox HPKE payload (wrong header)")
        }
        let encapsulated = Data(bytes[magic.count..<magic.count + encapsulatedLength])
        var receiver = try HPKE.Recipient(privateKey: recipient, ciphersuite: ciphersuite, info: info, encapsulatedKey: encapsulated)
        return try receiver.open(Data(bytes[(magic.count + encapsulatedLength)...]))
    }
}

public struct PayloadSealingError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
