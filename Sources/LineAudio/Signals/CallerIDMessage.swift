/// Reads the caller out of one caller-ID message as spandsp's ADSI receiver
/// hands it over. Everything in it came down the line: every length is
/// checked against what is there, numbers are digits only and at most 20.
/// A message it cannot read gives nil (the caller is then stored as withheld).
public enum CallerIDMessage {
    /// The longest number kept (E.164 allows 15; a national prefix and a trunk code fit).
    public static let maximumDigits = 20

    public static func caller(in message: [UInt8], standard: CallerIDStandard) -> CallerID? {
        switch standard {
        case .bell202, .v23: fsk(message)
        case .dtmf: dtmf(message)
        }
    }

    /// Message type, length, body (the checksum already checked and removed by spandsp).
    private static func fsk(_ message: [UInt8]) -> CallerID? {
        guard message.count >= 2 else { return nil }
        let type = message[0]
        let length = Int(message[1])
        guard message.count >= 2 + length else { return nil }
        let body = Array(message[2..<(2 + length)])
        switch type {
        case 0x04:
            // Single data message: eight characters of date and time, then the number or O/P.
            guard body.count > 8 else { return nil }
            return field(Array(body[8...]))
        case 0x80:
            // Multiple data message: parameters of type, length, value.
            var index = 0
            var absence: CallerID?
            while index + 2 <= body.count {
                let parameter = body[index]
                let size = Int(body[index + 1])
                guard index + 2 + size <= body.count else { return nil }
                let value = Array(body[(index + 2)..<(index + 2 + size)])
                switch parameter {
                case 0x02:
                    if let number = number(value) { return .number(number) }
                case 0x04:
                    absence = field(value)
                default:
                    break
                }
                index += 2 + size
            }
            return absence
        default:
            return nil
        }
    }

    /// A number field, or an absence code ("O" unavailable, "P" private).
    private static func field(_ value: [UInt8]) -> CallerID? {
        switch value {
        case [UInt8(ascii: "P")]: .withheld
        case [UInt8(ascii: "O")]: .unavailable
        default: number(value).map(CallerID.number)
        }
    }

    private static func number(_ value: [UInt8]) -> String? {
        var text = String(decoding: value, as: UTF8.self)
        let plus = text.hasPrefix("+")
        if plus { text.removeFirst() }
        guard !text.isEmpty, text.count <= maximumDigits, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return plus ? "+" + text : text
    }

    /// DTMF CLIP: a start code, the digits, an end code. `A` (or `D`) starts a
    /// number; `B` starts an absence code (`00` unavailable, `10` private).
    private static func dtmf(_ message: [UInt8]) -> CallerID? {
        var text = String(decoding: message, as: UTF8.self)
        guard let start = text.first else { return nil }
        text.removeFirst()
        if let end = text.firstIndex(where: { $0 == "C" || $0 == "#" }) { text = String(text[..<end]) }
        switch start {
        case "A", "D":
            return number(Array(text.utf8)).map(CallerID.number)
        case "B":
            return text == "10" ? .withheld : .unavailable
        default:
            return nil
        }
    }
}
