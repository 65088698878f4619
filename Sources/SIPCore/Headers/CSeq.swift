/// `CSeq: 1*DIGIT LWS Method` (RFC 3261 §20.16): the number must fit in 32 bits.
public struct CSeq: Sendable, Hashable, CustomStringConvertible {
    public var sequence: UInt32
    public var method: SIPMethod

    public init(sequence: UInt32, method: SIPMethod) {
        self.sequence = sequence
        self.method = method
    }

    public static func parse(_ value: String) throws(SIPHeaderError.Problem) -> CSeq {
        let parts = value.trimmingLWS.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, parts[0].utf8.allSatisfy(SIPGrammar.isDigit), SIPGrammar.isToken(parts[1]) else {
            throw .init("'\(value)' is not 'number method'")
        }
        // Leading zeros are allowed (RFC 4475 wsinv), the value must be < 2^32.
        let digits = parts[0].drop { $0 == "0" }
        guard digits.count <= 10, let sequence = UInt32(digits.isEmpty ? "0" : String(digits)) else {
            throw .init("the sequence number \(parts[0].prefix(24)) is larger than 2^32-1")
        }
        return CSeq(sequence: sequence, method: SIPMethod(String(parts[1])))
    }

    public var description: String { "\(sequence) \(method)" }
}
