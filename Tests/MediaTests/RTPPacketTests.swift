import Media
import Testing

@Suite("RTP packets (RFC 3550)")
struct RTPPacketTests {
    @Test("A packet with CSRCs, a one-byte-header extension, marker and padding parses and serialises back")
    func roundTrip() throws {
        var bytes: [UInt8] = [0xB2, 0x80 | 111, 0xFF, 0xFE, 0x00, 0x00, 0x03, 0xC0, 0x12, 0x34, 0x56, 0x78]
        bytes += [0, 0, 0, 1, 0, 0, 0, 2]  // two CSRCs
        bytes += [0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x00]  // RFC 8285 one-byte extension, one word
        bytes += [1, 2, 3]
        bytes += [0, 0, 3]  // three bytes of padding
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.marker && packet.payloadType == 111)
        #expect(packet.sequenceNumber == 0xFFFE && packet.timestamp == 960 && packet.ssrc == 0x1234_5678)
        #expect(packet.csrcs == [1, 2])
        #expect(packet.headerExtension == .init(profile: 0xBEDE, data: [0x10, 0xAA, 0, 0]))
        #expect(packet.payload == [1, 2, 3])
        let again = try RTPPacket(parsing: packet.serialized)
        #expect(again == packet)
        #expect(packet.serialized.count == bytes.count - 3, "padding is not written back")
    }

    @Test("Broken packets are refused with what is wrong", arguments: [
        ([UInt8](repeating: 0x80, count: 11), RTPParseError.tooShort(11)),
        ([0x40] + [UInt8](repeating: 0, count: 11), .wrongVersion(1)),
        ([0x82] + [UInt8](repeating: 0, count: 11) + [0, 0, 0, 1], .truncated("CSRC list")),
        ([0x90] + [UInt8](repeating: 0, count: 11) + [0xBE, 0xDE, 0, 2, 0, 0, 0, 0], .truncated("header extension")),
        ([0xA0] + [UInt8](repeating: 0, count: 11) + [1, 9], .badPadding(9)),
    ])
    func refusals(bytes: [UInt8], error: RTPParseError) {
        #expect(throws: error) { try RTPPacket(parsing: bytes) }
    }
}
