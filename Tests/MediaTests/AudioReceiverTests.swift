import Foundation
import Media
import MediaFormat
import Testing

@Suite("Audio receive pipeline: jitter buffer, decoder, concealment")
struct AudioReceiverTests {
    static func audio(_ codec: AudioCodec) -> RTPAudioParameters {
        RTPAudioParameters(
            codec: codec, payloadType: codec == .opus ? 111 : 0, telephoneEventPayloadType: nil, packetTimeMilliseconds: 20,
            remoteAddress: "127.0.0.1", remoteRTPPort: 4000, remoteRTCPPort: 4001, localDirection: .sendrecv, srtp: nil
        )
    }

    static func tone(samples: Int, rate: Int, offset: Int) -> [Int16] {
        (0..<samples).map { Int16(8_000 * sin(2 * .pi * 440 * Double($0 + offset) / Double(rate))) }
    }

    /// Packets 0..<count, one lost and two swapped, pulled every 20 ms of virtual time.
    static func run(_ receiver: AudioReceiver, packets: [RTPPacket]) -> [[Int16]] {
        var arrivals = packets.enumerated().map { ($0.element, Duration.milliseconds(Int64($0.offset * 20))) }
        arrivals.remove(at: 10)  // lost
        arrivals.swapAt(4, 5)  // reordered
        var frames: [[Int16]] = []
        var now = Duration.zero
        var pending = arrivals
        while now <= .milliseconds(Int64(packets.count * 20 + 40)) {
            while let first = pending.first, first.1 <= now + .milliseconds(5) {
                receiver.insert(first.0, arrival: first.1)
                pending.removeFirst()
            }
            if let frame = receiver.pull(at: now), frames.count < packets.count { frames.append(frame) }
            now += .milliseconds(20)
        }
        return frames
    }

    @Test("G.711: frames come out in order at 8 kHz, the lost one concealed 6 dB down")
    func g711() throws {
        let receiver = try AudioReceiver(audio: Self.audio(.pcmu))
        let pcm = (0..<30).map { Self.tone(samples: 160, rate: 8_000, offset: $0 * 160) }
        let packets = pcm.enumerated().map { RTPPacket(payloadType: 0, sequenceNumber: UInt16($0.offset), timestamp: UInt32($0.offset * 160), ssrc: 5, payload: G711.encodeMuLaw($0.element)) }
        let frames = Self.run(receiver, packets: packets)
        #expect(frames.count == 30)
        #expect(frames.allSatisfy { $0.count == 160 })
        #expect(frames[4] == G711.decodeMuLaw(packets[4].payload), "the swapped pair plays in order")
        #expect(frames[5] == G711.decodeMuLaw(packets[5].payload))
        #expect(frames[10] == frames[9].map { $0 >> 1 }, "the lost frame repeats the last one, 6 dB down")
        #expect(receiver.statistics.lost >= 1)
    }

    @Test("Opus: 20 ms frames of 320 samples at 16 kHz, the lost one rebuilt from the next packet's FEC rather than silence")
    func opus() throws {
        let encoder = try OpusVoiceEncoder(sampleRate: 48_000)
        let receiver = try AudioReceiver(audio: Self.audio(.opus))
        let packets = try (0..<30).map { index in
            RTPPacket(payloadType: 111, sequenceNumber: UInt16(index), timestamp: UInt32(index * 960), ssrc: 5,
                      payload: try encoder.encode(Self.tone(samples: 960, rate: 48_000, offset: index * 960)))
        }
        let frames = Self.run(receiver, packets: packets)
        #expect(frames.count == 30)
        #expect(frames.allSatisfy { $0.count == 320 })
        let concealedEnergy = frames[10].reduce(0.0) { $0 + Double($1) * Double($1) } / 320
        #expect(concealedEnergy > 1_000_000, "the rebuilt frame carries the tone over the gap")
        #expect(receiver.recoveredByFEC == 1, "the next packet had arrived, so its FEC rebuilt the lost one")
        #expect(receiver.outputSampleRate == 16_000)
    }

    @Test("Opus: two packets lost in a row are concealed by PLC, since no FEC covers the first")
    func opusBurstLoss() throws {
        let encoder = try OpusVoiceEncoder(sampleRate: 48_000)
        let receiver = try AudioReceiver(audio: Self.audio(.opus))
        var frames: [[Int16]] = []
        for index in 0..<20 {
            let packet = RTPPacket(payloadType: 111, sequenceNumber: UInt16(index), timestamp: UInt32(index * 960), ssrc: 5,
                                   payload: try encoder.encode(Self.tone(samples: 960, rate: 48_000, offset: index * 960)))
            let now = Duration.milliseconds(Int64(index * 20))
            if index != 8 && index != 9 { receiver.insert(packet, arrival: now) }
            if let frame = receiver.pull(at: now) { frames.append(frame) }
        }
        #expect(receiver.statistics.lost == 2)
        #expect(receiver.recoveredByFEC == 1, "only the second lost frame had its successor buffered")
        #expect(frames.allSatisfy { $0.count == 320 })
    }
}
