/// A key a caller pressed, however it arrived.
public enum DTMFDigit: String, Sendable, Hashable, CaseIterable {
    case zero = "0", one = "1", two = "2", three = "3", four = "4", five = "5", six = "6", seven = "7", eight = "8", nine = "9"
    case star = "*", pound = "#", a = "A", b = "B", c = "C", d = "D"

    /// RFC 4733 §3.2's event codes 0–15.
    public init?(eventCode: UInt8) {
        let order: [DTMFDigit] = [.zero, .one, .two, .three, .four, .five, .six, .seven, .eight, .nine, .star, .pound, .a, .b, .c, .d]
        guard Int(eventCode) < order.count else { return nil }
        self = order[Int(eventCode)]
    }

    public var eventCode: UInt8 {
        // allCases lists every case, in event-code order.
        UInt8(Self.allCases.firstIndex(of: self) ?? 0)
    }
}
