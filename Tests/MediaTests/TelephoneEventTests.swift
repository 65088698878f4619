import Media
import Testing

@Suite("RFC 4733 telephone events")
struct TelephoneEventTests {
    /// The packets a phone sends for one key press: start, updates every 50 ms, three end packets.
    static func press(_ digit: DTMFDigit, at timestamp: UInt32) -> [(UInt32, [UInt8])] {
        var packets: [(UInt32, [UInt8])] = []
        for step in 1...4 {
            packets.append((timestamp, TelephoneEvent(event: digit.eventCode, isEnd: false, volume: 10, duration: UInt16(step * 400)).payload))
        }
        for _ in 0..<3 {
            packets.append((timestamp, TelephoneEvent(event: digit.eventCode, isEnd: true, volume: 10, duration: 1_760).payload))
        }
        return packets
    }

    @Test("One press is one digit, however many updates and end packets carry it; the same key twice is two digits")
    func pressesBecomeDigits() {
        var receiver = TelephoneEventReceiver()
        let packets = Self.press(.one, at: 8_000) + Self.press(.one, at: 12_000) + Self.press(.pound, at: 16_000)
        let digits = packets.compactMap { receiver.receive(timestamp: $0.0, payload: $0.1) }
        #expect(digits == [.one, .one, .pound])
        // A late retransmission of the first end packet reports nothing.
        #expect(receiver.receive(timestamp: 8_000, payload: Self.press(.one, at: 8_000).last!.1) == nil)
    }

    @Test("The payload round-trips, and events that are not DTMF or too short are ignored")
    func payloads() {
        let event = TelephoneEvent(event: 11, isEnd: true, volume: 7, duration: 1_600)
        #expect(event.payload == [11, 0x87, 0x06, 0x40])
        #expect(TelephoneEvent(payload: event.payload) == event)
        var receiver = TelephoneEventReceiver()
        #expect(receiver.receive(timestamp: 1, payload: [16, 0, 0, 160]) == nil, "event 16 is flash, not a digit")
        #expect(receiver.receive(timestamp: 2, payload: [1, 0]) == nil)
        #expect(DTMFDigit.allCases.map(\.eventCode) == Array(0...15))
    }
}
