/// What the box announces when it starts an upload (`POST /v1/uploads`):
/// which object, how many bytes, their SHA-256, and whether they are sealed.
public struct NewUpload: Codable, Sendable, Hashable {
    /// The largest object the protocol carries.
    public static let largestLength = 256 * 1024 * 1024

    public enum Sealing: String, Codable, Sendable, Hashable {
        case hpke = "hpke-x25519-hkdf-sha256-aes256gcm"
        case none
    }

    public var objectID: String
    public var kind: String
    public var length: Int
    public var sha256: String
    public var sealing: Sealing

    public init(objectID: String, kind: String, length: Int, sha256: String, sealing: Sealing) {
        self.objectID = objectID
        self.kind = kind
        self.length = length
        self.sha256 = sha256
        self.sealing = sealing
    }

    enum CodingKeys: String, CodingKey {
        case objectID = "object_id"
        case kind, length, sha256, sealing
    }

    /// Nil when the announcement is acceptable; otherwise what is wrong with it.
    public var problem: String? {
        guard !objectID.isEmpty, objectID.count <= 128, objectID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            return "object_id must be 1 to 128 letters, digits or hyphens"
        }
        guard kind == "voicemail" else { return "kind must be voicemail" }
        guard length > 0, length <= Self.largestLength else { return "length must be from 1 to \(Self.largestLength) bytes" }
        guard sha256.count == 64, sha256.allSatisfy(\.isHexDigit) else { return "sha256 must be 64 hex digits" }
        return nil
    }
}
