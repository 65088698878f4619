/// The payload of an RFC 4733 telephone-event packet (§2.3).
public struct TelephoneEvent: Sendable, Hashable {
    public var event: UInt8
    /// The E bit: this packet ends the event (and is sent three times, §2.5.1.4).
    public var isEnd: Bool
    /// Power level in −dBm0, 0–63.
    public var volume: UInt8
    /// In timestamp units since the event's start (the packet's RTP timestamp).
    public var duration: UInt16

    public init(event: UInt8, isEnd: Bool, volume: UInt8, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume & 0x3F
        self.duration = duration
    }

    /// Parses the first event block; redundant blocks after it (RFC 2198) are not read here.
    public init?(payload: [UInt8]) {
        guard payload.count >= 4 else { return nil }
        event = payload[0]
        isEnd = payload[1] & 0x80 != 0
        volume = payload[1] & 0x3F
        duration = UInt16(payload[2]) << 8 | UInt16(payload[3])
    }

    public var payload: [UInt8] {
        [event, (isEnd ? 0x80 : 0) | volume, UInt8(duration >> 8), UInt8(truncatingIfNeeded: duration)]
    }
}

/// Turns a stream of telephone-event packets into digits, once per key press:
/// an event is identified by its RTP timestamp (RFC 4733 §2.5.1.2), so the
/// updates, the three end packets and any retransmission of them report
/// nothing new; pressing the same key twice gives two timestamps, two digits.
public struct TelephoneEventReceiver: Sendable {
    private var reportedTimestamps: [UInt32] = []

    public init() {}

    /// The digit this packet starts, if it starts one.
    public mutating func receive(timestamp: UInt32, payload: [UInt8]) -> DTMFDigit? {
        guard let event = TelephoneEvent(payload: payload), let digit = DTMFDigit(eventCode: event.event) else { return nil }
        guard !reportedTimestamps.contains(timestamp) else { return nil }
        // A handful is enough to absorb late retransmissions of recent events.
        reportedTimestamps.append(timestamp)
        if reportedTimestamps.count > 8 { reportedTimestamps.removeFirst() }
        return digit
    }
}
