import Crypto

/// The digest algorithms of RFC 7616 that SIP uses (RFC 8760 adds SHA-256 to SIP).
public enum DigestAlgorithm: String, Sendable, Hashable, CaseIterable {
    case md5 = "MD5"
    case sha256 = "SHA-256"

    /// Lower-case hex of the hash of `text`'s UTF-8 bytes.
    func hash(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let digest: [UInt8] =
            switch self {
            case .md5: Array(Insecure.MD5.hash(data: bytes))
            case .sha256: Array(SHA256.hash(data: bytes))
            }
        return Hex.encode(digest)
    }

    /// RFC 7616 §3.4.1–3.4.3 with qop=auth (or RFC 2069 without qop):
    /// response = H(H(user:realm:password) : nonce [: nc : cnonce : qop] : H(method:uri)).
    public func response(
        username: String, realm: String, password: String, method: String, uri: String, nonce: String,
        qop: String?, nonceCount: String?, clientNonce: String?
    ) -> String {
        response(ha1: ha1(username: username, realm: realm, password: password), method: method, uri: uri, nonce: nonce, qop: qop, nonceCount: nonceCount, clientNonce: clientNonce)
    }

    /// H(username:realm:password): what a server may store instead of the password.
    public func ha1(username: String, realm: String, password: String) -> String {
        hash("\(username):\(realm):\(password)")
    }

    public func response(ha1: String, method: String, uri: String, nonce: String, qop: String?, nonceCount: String?, clientNonce: String?) -> String {
        let ha2 = hash("\(method):\(uri)")
        if let qop, let nonceCount, let clientNonce {
            return hash("\(ha1):\(nonce):\(nonceCount):\(clientNonce):\(qop):\(ha2)")
        }
        return hash("\(ha1):\(nonce):\(ha2)")
    }
}

enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}
