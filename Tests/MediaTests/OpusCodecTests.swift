import Foundation
import Media
import Testing

@Suite("Opus through libopus")
struct OpusCodecTests {
    /// 20 ms frames of a 440 Hz tone with a 3 Hz tremolo at 16 kHz: speech-like energy changes.
    static func tone(frames: Int, rate: Int = 16_000) -> [[Int16]] {
        let frameLength = rate / 50
        return (0..<frames).map { frame in
            (0..<frameLength).map { index in
                let time = Double(frame * frameLength + index) / Double(rate)
                let envelope = 0.6 + 0.4 * sin(2 * .pi * 3 * time)
                return Int16(12_000 * envelope * sin(2 * .pi * 440 * time))
            }
        }
    }

    static func energy(_ samples: [Int16]) -> Double {
        samples.reduce(0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))
    }

    @Test("A wideband tone survives encode and decode: same length, similar energy, a few dozen bytes per 20 ms")
    func roundTrip() throws {
        let encoder = try OpusVoiceEncoder()
        let decoder = try OpusVoiceDecoder()
        let frames = Self.tone(frames: 50)
        var packetBytes = 0
        var decoded: [Int16] = []
        for frame in frames {
            let packet = try encoder.encode(frame)
            packetBytes += packet.count
            decoded += try decoder.decode(packet)
        }
        #expect(decoded.count == frames.count * 320)
        // Skip the codec's start-up frames, then compare loudness.
        let sent = Self.energy(Array(frames.joined().dropFirst(3_200)))
        let received = Self.energy(Array(decoded.dropFirst(3_200)))
        #expect(abs(received / sent - 1) < 0.25, "energy ratio \(received / sent)")
        let averagePacket = Double(packetBytes) / Double(frames.count)
        #expect(averagePacket > 20 && averagePacket < 90, "average packet \(averagePacket) bytes at 24 kb/s")
    }

    @Test("A lost packet is concealed, or rebuilt from the next packet's FEC, to a full frame of sound")
    func lossConcealment() throws {
        let encoder = try OpusVoiceEncoder(expectedLossPercent: 20)
        let decoder = try OpusVoiceDecoder()
        let packets = try Self.tone(frames: 30).map { try encoder.encode($0) }
        for packet in packets.prefix(20) { _ = try decoder.decode(packet) }
        let concealed = try decoder.conceal(samples: 320)
        #expect(concealed.count == 320)
        #expect(Self.energy(concealed) > 1_000_000, "PLC continues the sound rather than going silent")
        _ = try decoder.decode(packets[21])
        let rebuilt = try decoder.recover(samples: 320, from: packets[23])
        #expect(rebuilt.count == 320)
        #expect(Self.energy(rebuilt) > 1_000_000)
    }

    @Test("A corrupt packet is a typed error, not a crash")
    func corruptPacket() throws {
        let decoder = try OpusVoiceDecoder()
        #expect(throws: OpusError.self) { try decoder.decode([0xFF, 0xFF]) }
    }
}
