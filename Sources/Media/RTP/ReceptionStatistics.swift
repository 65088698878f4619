/// What a receiver knows about one incoming stream, kept as RFC 3550
/// Appendix A.1, A.3 and A.8 describe, to fill the report block of the RTCP
/// receiver (or sender) report the box sends back.
public struct ReceptionStatistics: Sendable {
    public let ssrc: UInt32
    public let clockRate: Int
    private var baseSequence: UInt32
    private var maximumSequence: UInt16
    private var cycles: UInt32 = 0
    private var received: UInt32 = 0
    private var expectedPrior: UInt32 = 0
    private var receivedPrior: UInt32 = 0
    private var jitter = 0.0
    private var lastTransit: Double?
    private var lastSenderReport: (middle: UInt32, arrival: Duration)?

    public init(ssrc: UInt32, firstSequence: UInt16, clockRate: Int) {
        self.ssrc = ssrc
        self.clockRate = clockRate
        baseSequence = UInt32(firstSequence)
        maximumSequence = firstSequence &- 1
    }

    /// A packet arrived (after SRTP authentication).
    public mutating func record(sequence: UInt16, timestamp: UInt32, arrival: Duration) {
        let delta = sequence &- maximumSequence
        // A.1: in order with a permissible gap; a wrap counts a new cycle.
        if delta < 3_000 {
            if sequence < maximumSequence { cycles &+= 1 << 16 }
            maximumSequence = sequence
        }
        received &+= 1
        // A.8: J += (|D| − J) / 16, in timestamp units.
        let arrivalTicks = arrival / .seconds(1) * Double(clockRate)
        let transit = arrivalTicks - Double(timestamp)
        if let lastTransit {
            jitter += (abs(transit - lastTransit) - jitter) / 16
        }
        lastTransit = transit
    }

    /// The sender's SR arrived: remember it for LSR and DLSR.
    public mutating func recordSenderReport(ntpTimestamp: UInt64, arrival: Duration) {
        lastSenderReport = (UInt32(truncatingIfNeeded: ntpTimestamp >> 16), arrival)
    }

    public var extendedHighestSequence: UInt32 { cycles &+ UInt32(maximumSequence) }

    /// A.3: the report block as of `now`; resets the interval counters.
    public mutating func reportBlock(at now: Duration) -> RTCPPacket.ReportBlock {
        let expected = extendedHighestSequence &- baseSequence &+ 1
        let lost = Int64(expected) - Int64(received)
        let expectedInterval = expected &- expectedPrior
        let receivedInterval = received &- receivedPrior
        expectedPrior = expected
        receivedPrior = received
        let lostInterval = Int64(expectedInterval) - Int64(receivedInterval)
        let fraction: UInt8 = expectedInterval == 0 || lostInterval <= 0 ? 0 : UInt8(min(255, (lostInterval << 8) / Int64(expectedInterval)))
        var delay: UInt32 = 0
        if let lastSenderReport {
            let elapsed = now - lastSenderReport.arrival
            delay = UInt32(truncatingIfNeeded: Int64(elapsed / .seconds(1) * 65_536))
        }
        return RTCPPacket.ReportBlock(
            ssrc: ssrc, fractionLost: fraction, cumulativeLost: Int32(clamping: max(-8_388_608, min(8_388_607, lost))),
            extendedHighestSequence: extendedHighestSequence, jitter: UInt32(jitter.rounded()),
            lastSenderReport: lastSenderReport?.middle ?? 0, delaySinceLastSenderReport: delay
        )
    }
}
