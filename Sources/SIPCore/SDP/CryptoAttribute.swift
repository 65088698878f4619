/// `a=crypto:<tag> <suite> inline:<key||salt base64>[|lifetime][|MKI:length] [session params]`
/// (RFC 4568 §9.1). Only the `inline` key method exists for SRTP.
public struct CryptoAttribute: Sendable, Hashable {
    public var tag: Int
    /// The suite name as written; `suite` is nil for suites Hushbox does not know.
    public var suiteName: String
    public var keyMaterial: [UInt8]
    public var lifetime: String?
    public var mki: String?
    public var sessionParameters: [String]

    public var suite: SRTPCryptoSuite? { SRTPCryptoSuite(rawValue: suiteName) }

    public init(tag: Int, suite: SRTPCryptoSuite, keyMaterial: [UInt8]) {
        self.tag = tag
        suiteName = suite.rawValue
        self.keyMaterial = keyMaterial
        lifetime = nil
        mki = nil
        sessionParameters = []
    }

    public static func parse(_ value: String) throws(SDPError) -> CryptoAttribute {
        let fields = value.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 3, let tag = Int(fields[0]), (0...999_999_999).contains(tag) else {
            throw SDPError("a=crypto needs 'tag suite inline:key'")
        }
        let keyParameters = fields[2].split(separator: ";")
        guard keyParameters.count == 1 else {
            throw SDPError("a=crypto with several keys is not supported")
        }
        let keyParameter = keyParameters[0]
        guard keyParameter.hasPrefix("inline:") else { throw SDPError("a=crypto key method must be inline") }
        let parts = keyParameter.dropFirst("inline:".count).split(separator: "|", omittingEmptySubsequences: false)
        guard let material = Base64.decode(parts[0]) else { throw SDPError("a=crypto key is not base64") }
        var attribute = CryptoAttribute(tag: tag, suite: .aesCM128HMACSHA1_80, keyMaterial: material)
        attribute.suiteName = String(fields[1])
        for extra in parts.dropFirst() {
            if extra.contains(":") { attribute.mki = String(extra) } else { attribute.lifetime = String(extra) }
        }
        attribute.sessionParameters = fields.dropFirst(3).map(String.init)
        if let suite = attribute.suite, material.count != suite.keyMaterialLength {
            throw SDPError("a=crypto \(suite.rawValue) key material is \(material.count) bytes, not \(suite.keyMaterialLength)")
        }
        return attribute
    }

    public var attributeValue: String {
        var key = "inline:" + Base64.encode(keyMaterial)
        if let lifetime { key += "|" + lifetime }
        if let mki { key += "|" + mki }
        return ([String(tag), suiteName, key] + sessionParameters).joined(separator: " ")
    }
}

/// Standard base64 with padding (RFC 4648 §4), as SDES uses.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * $1.offset) }
            for position in 0..<4 {
                output.append(position <= chunk.count ? alphabet[Int((value >> (18 - 6 * position)) & 0x3F)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var values: [UInt8] = []
        var padding = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let value = alphabet.firstIndex(of: byte) else { return nil }
            values.append(UInt8(value))
        }
        guard (values.count + padding) % 4 == 0, padding <= 2 else { return nil }
        var output: [UInt8] = []
        var index = 0
        while index < values.count {
            let group = Array(values[index..<min(index + 4, values.count)])
            let value = group.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (18 - 6 * $1.offset) }
            for position in 0..<(group.count - 1) {
                output.append(UInt8((value >> (16 - 8 * position)) & 0xFF))
            }
            index += 4
        }
        return output
    }
}
