// A receiving call's whole media path against the C floor (ReceivePath.swift),
// and SRTP per packet against the plain packet handling around it.
import Benchmark
import Foundation
import Media
import SIPCore

let benchmarks: @Sendable () -> Void = {
    receivePathBenchmarks()
    memoryPerCallBenchmarks()
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
