import Media
import Testing

@Suite("RTCP reports (RFC 3550 §6)")
struct RTCPTests {
    @Test("A compound SR + SDES + BYE round-trips, with a negative cumulative loss kept as 24-bit signed")
    func compoundRoundTrip() throws {
        let block = RTCPPacket.ReportBlock(
            ssrc: 0xCAFE_BABE, fractionLost: 25, cumulativeLost: -3, extendedHighestSequence: 0x0001_0005, jitter: 42,
            lastSenderReport: 0x1234_5678, delaySinceLastSenderReport: 65_536
        )
        let packets: [RTCPPacket] = [
            .senderReport(.init(ssrc: 7, ntpTimestamp: 0xE7A1_0000_8000_0000, rtpTimestamp: 160_000, packetCount: 1_000, octetCount: 160_000, reports: [block])),
            .sourceDescription([7: "hushbox@box"]),
            .goodbye([7]),
        ]
        let bytes = packets.flatMap(\.serialized)
        #expect(bytes.count % 4 == 0)
        #expect(try RTCPPacket.parseCompound(bytes) == packets)
    }

    @Test("Compound packets must start with a report and fit the datagram")
    func refusals() {
        #expect(throws: RTCPParseError.notStartingWithReport) { try RTCPPacket.parseCompound(RTCPPacket.goodbye([1]).serialized) }
        let report = RTCPPacket.receiverReport(.init(ssrc: 1, reports: [])).serialized
        #expect(throws: RTCPParseError.truncated) { try RTCPPacket.parseCompound(report + [0x81, 0xCB, 0x00, 0x05]) }
        #expect(throws: RTCPParseError.wrongVersion) { try RTCPPacket.parseCompound([0x41, 0xC9, 0, 1, 0, 0, 0, 1]) }
    }

    @Test("Reception statistics: loss fraction per interval, cumulative loss, wrap into the extended sequence, jitter")
    func receptionStatistics() {
        var statistics = ReceptionStatistics(ssrc: 9, firstSequence: 65_530, clockRate: 8_000)
        var sequence: UInt16 = 65_530
        for index in 0..<20 {
            // Every fifth packet is lost; each arrives exactly on time (no jitter).
            if index % 5 != 4 {
                statistics.record(sequence: sequence, timestamp: UInt32(index * 160), arrival: .milliseconds(Int64(index * 20)))
            }
            sequence &+= 1
        }
        let block = statistics.reportBlock(at: .milliseconds(400))
        #expect(block.extendedHighestSequence == 65_536 + 12, "wrapped once; the highest received is 12 (the 20th packet, 13, was lost)")
        #expect(block.cumulativeLost == 3)
        #expect(block.fractionLost == UInt8((3 << 8) / 19))
        #expect(block.jitter == 0)
        #expect(statistics.reportBlock(at: .milliseconds(500)).fractionLost == 0, "nothing new lost in the next interval")

        var jittery = ReceptionStatistics(ssrc: 9, firstSequence: 0, clockRate: 8_000)
        for index in 0..<200 {
            jittery.record(sequence: UInt16(index), timestamp: UInt32(index * 160), arrival: .milliseconds(Int64(index * 20 + (index % 2) * 10)))
        }
        // Transit alternates by 10 ms = 80 ticks: J converges to 80.
        #expect(abs(Int(jittery.reportBlock(at: .seconds(5)).jitter) - 80) <= 2)
    }
}
