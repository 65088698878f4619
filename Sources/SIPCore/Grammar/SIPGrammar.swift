/// Character classes of RFC 3261 §25.1, on bytes.
enum SIPGrammar {
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")

    static func isAlpha(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    static func isAlphanumeric(_ byte: UInt8) -> Bool { isAlpha(byte) || isDigit(byte) }

    static func isWhitespace(_ byte: UInt8) -> Bool { byte == space || byte == tab }

    /// token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
    static func isTokenByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || tokenMarks.contains(byte)
    }

    /// word: token characters plus ( ) < > : \ " / [ ] ? { }
    static func isWordByte(_ byte: UInt8) -> Bool {
        isTokenByte(byte) || wordMarks.contains(byte)
    }

    /// unreserved = alphanum / mark; mark = - _ . ! ~ * ' ( )
    static func isUnreserved(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || marks.contains(byte)
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }

    static func isToken(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy(isTokenByte)
    }

    private static let tokenMarks: Set<UInt8> = Set("-.!%*_+`'~".utf8)
    private static let wordMarks: Set<UInt8> = Set("()<>:\\\"/[]?{}".utf8)
    private static let marks: Set<UInt8> = Set("-_.!~*'()".utf8)
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs (LWS after unfolding).
    var trimmingLWS: String {
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !SIPGrammar.isWhitespace($0) }),
            let last = bytes.lastIndex(where: { !SIPGrammar.isWhitespace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
