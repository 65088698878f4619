// Recording one second of a caller's Opus: stored as received (pass-through,
// decoded only for silence detection) against decoding and re-encoding it
// (transcoding), and SRTP against the plain packet handling around it.
import Benchmark
import Foundation
import Media
import SIPCore

struct DiscardingSink: RecordingSink {
    var count = 0
    mutating func write(_ bytes: [UInt8]) throws { count += bytes.count }
}

/// One second of a caller's Opus at 48 kHz, 20 ms packets.
let callerPackets: [[UInt8]] = {
    let encoder = try! OpusVoiceEncoder(sampleRate: 48_000)
    return (0..<50).map { frame in
        let samples = (0..<960).map { index -> Int16 in
            let time = Double(frame * 960 + index) / 48_000
            return Int16(9_000 * (0.6 + 0.4 * sin(2 * .pi * 4 * time)) * sin(2 * .pi * 220 * time))
        }
        return try! encoder.encode(samples)
    }
}()

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 2_000)

    Benchmark("Record 1 s of caller Opus: pass-through + decode for silence detection", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let writer = try OggOpusPassThroughWriter(sink: DiscardingSink(), serial: 1)
            let decoder = try OpusVoiceDecoder(sampleRate: 16_000)
            var silence = SilenceDetector(sampleRate: 16_000)
            for (index, packet) in callerPackets.enumerated() {
                try writer.append(packet, rtpTimestamp: UInt32(index * 960))
                silence.process(try decoder.decode(packet))
            }
            try writer.finish()
            blackHole(writer.sink.count)
        }
    }

    Benchmark("Record 1 s of caller Opus: transcode (decode, silence detection, encode to Ogg Opus)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            let recorder = try OggOpusRecorder(sink: DiscardingSink())
            let decoder = try OpusVoiceDecoder(sampleRate: 16_000)
            var silence = SilenceDetector(sampleRate: 16_000)
            for packet in callerPackets {
                let samples = try decoder.decode(packet)
                silence.process(samples)
                try recorder.write(samples)
            }
            try recorder.finish()
            blackHole(recorder.sink.count)
        }
    }

    let key = (0..<30).map { UInt8($0) }
    let rtp = RTPPacket(payloadType: 0, sequenceNumber: 1, timestamp: 0, ssrc: 7, payload: [UInt8](repeating: 0xD5, count: 160)).serialized
    // Per iteration: 10,000 packets, so that creating the contexts (key derivation,
    // about a millisecond with Debian's NSS-backed libsrtp2) is amortised; that cost
    // is measured on its own below.
    let packetConfiguration = Benchmark.Configuration(metrics: [.throughput, .wallClock], maxDuration: .seconds(3), maxIterations: 100)
    Benchmark("SRTP protect + unprotect 10,000 G.711 packets (AES_CM_128_HMAC_SHA1_80, libsrtp2)", configuration: packetConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            let sender = try SRTPContext(suite: .aesCM128HMACSHA1_80, keyMaterial: key, direction: .outbound)
            let receiver = try SRTPContext(suite: .aesCM128HMACSHA1_80, keyMaterial: key, direction: .inbound)
            for sequence in 0..<10_000 {
                var packet = rtp
                packet[2] = UInt8(truncatingIfNeeded: sequence >> 8)
                packet[3] = UInt8(truncatingIfNeeded: sequence)
                blackHole(try receiver.unprotect(rtp: try sender.protect(rtp: packet)))
            }
        }
    }

    Benchmark("Baseline: parse and serialise the same 10,000 G.711 packets, no SRTP", configuration: packetConfiguration) { benchmark in
        for _ in benchmark.scaledIterations {
            for sequence in 0..<10_000 {
                var packet = rtp
                packet[3] = UInt8(truncatingIfNeeded: sequence)
                blackHole(try RTPPacket(parsing: packet).serialized)
            }
        }
    }

    Benchmark("Create an SRTP context pair for a call (key derivation)", configuration: .init(metrics: [.wallClock], maxDuration: .seconds(2), maxIterations: 2_000)) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try SRTPContext(suite: .aesCM128HMACSHA1_80, keyMaterial: key, direction: .outbound))
            blackHole(try SRTPContext(suite: .aesCM128HMACSHA1_80, keyMaterial: key, direction: .inbound))
        }
    }
}
