/// SRTP crypto suites Hushbox can use (RFC 4568, RFC 7714), with the lengths of
/// their master key and salt.
public enum SRTPCryptoSuite: String, Sendable, Hashable, CaseIterable {
    case aesCM128HMACSHA1_80 = "AES_CM_128_HMAC_SHA1_80"
    case aeadAES128GCM = "AEAD_AES_128_GCM"
    case aeadAES256GCM = "AEAD_AES_256_GCM"

    public var masterKeyLength: Int {
        switch self {
        case .aesCM128HMACSHA1_80, .aeadAES128GCM: 16
        case .aeadAES256GCM: 32
        }
    }

    /// RFC 3711's 112-bit salt for AES-CM; RFC 7714's 96-bit salt for GCM.
    public var masterSaltLength: Int {
        switch self {
        case .aesCM128HMACSHA1_80: 14
        case .aeadAES128GCM, .aeadAES256GCM: 12
        }
    }

    public var keyMaterialLength: Int { masterKeyLength + masterSaltLength }
}
