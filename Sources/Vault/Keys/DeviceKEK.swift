import Crypto
import Foundation

/// The device key-encryption key: 32 bytes from the box's credential that wrap
/// every tenant key. It is never stored in the database; the database keeps only
/// a check value, so a wrong key is refused at once by name rather than failing
/// later as a puzzling decryption error.
public struct DeviceKEK: Sendable {
    let key: SymmetricKey

    public static let byteCount = 32

    public init(bytes: some Collection<UInt8>) throws(VaultError) {
        guard bytes.count == Self.byteCount else {
            throw VaultError(.invalidDeviceKey, "the device key must be exactly \(Self.byteCount) bytes, not \(bytes.count)")
        }
        key = SymmetricKey(data: Array(bytes))
    }

    /// A new random key and its bytes, for provisioning and rotation.
    public static func generate() -> (kek: DeviceKEK, bytes: [UInt8]) {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
        // 32 bytes by construction.
        return (DeviceKEK(unchecked: bytes), bytes)
    }

    private init(unchecked bytes: [UInt8]) {
        key = SymmetricKey(data: bytes)
    }

    /// HMAC-SHA256 of a fixed label: identifies the key without revealing it.
    var checkValue: Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data("hushbox/device-kek-check/v1".utf8), using: key))
    }
}
