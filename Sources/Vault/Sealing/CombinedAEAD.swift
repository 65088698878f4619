import Crypto
import Foundation

/// AES-256-GCM in its combined form (nonce ‖ ciphertext ‖ tag) with a random
/// nonce: how wrapped keys and audit details are stored, each in one BLOB.
enum CombinedAEAD {
    static func seal(_ plaintext: Data, key: SymmetricKey, associatedData: Data, what: String) throws(VaultError) -> Data {
        do {
            // A 256-bit key and the default 12-byte nonce always give a combined form.
            guard let combined = try AES.GCM.seal(plaintext, using: key, authenticating: associatedData).combined else {
                throw VaultError(.invalidInput, "AES-GCM produced no combined form for \(what)")
            }
            return combined
        } catch let error as VaultError {
            throw error
        } catch {
            throw VaultError(.invalidInput, "sealing \(what) failed: \(error)")
        }
    }

    /// The plaintext, or nil when the bytes do not authenticate.
    static func open(_ combined: Data, key: SymmetricKey, associatedData: Data) -> Data? {
        guard let box = try? AES.GCM.SealedBox(combined: combined) else { return nil }
        return try? AES.GCM.open(box, using: key, authenticating: associatedData)
    }
}
