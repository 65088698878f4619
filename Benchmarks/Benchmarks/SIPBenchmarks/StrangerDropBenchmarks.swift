// The SIP edge under a flood (issue 18): how many datagrams from addresses
// that are no peer's one core drops per second, against parsing the same
// message alone. Run them in one run; the ratios are the figures:
//   swift package --disable-sandbox benchmark --target SIPBenchmarks --filter "Stranger|Baseline: parse one"
import Benchmark
import NIOCore
import SIPCore
import SIPStack

/// 10,000 rotating sources, as a spoofed flood sends them: each lookup misses every peer.
let strangerFlows = (0..<10_000).map { index in
    SIPFlow(transport: .udp, remote: SocketEndpoint(host: "198.51.\(index / 254).\(1 + index % 254)", port: 5060), connection: nil)
}
let strangerAddresses = (0..<10_000).map { index in
    try! SocketAddress(ipAddress: "198.51.\(index / 254).\(1 + index % 254)", port: 5060)
}

let strangerBenchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 1_000_000)

    // What hushboxd does with a stranger's datagram when strangers are dropped (the
    // default): on the socket's event loop, the source as text (NIO's ipAddress)
    // and the admission check against every peer's ranges. Nothing is copied or queued.
    let admission = SourceAdmission(peers: coreConfiguration.peers, unknownSources: .drop)
    Benchmark("Stranger datagram dropped at the socket (10,000 rotating sources)", configuration: configuration) { benchmark in
        var index = 0
        var admitted = 0
        for _ in benchmark.scaledIterations {
            if let host = strangerAddresses[index % strangerAddresses.count].ipAddress, admission.admits(host) { admitted += 1 }
            index += 1
        }
        precondition(admitted == 0, "every datagram must be a stranger's")
    }

    // The core's own stranger path (a message that reached it: TCP in refuse mode, or a unit test's).
    Benchmark("Stranger INVITE dropped by the signalling core (10,000 rotating sources)", configuration: configuration) { benchmark in
        var core = SignallingCore(configuration: coreConfiguration, random: SeededRandom(state: 1))
        var index = 0
        for _ in benchmark.scaledIterations {
            // Whole seconds apart only every 10,000 messages: the log throttle is exercised as in a flood.
            blackHole(core.receive(invite, over: strangerFlows[index % strangerFlows.count], at: .milliseconds(index / 10)))
            index += 1
        }
        precondition(core.counters.droppedUnknownSource == index, "every message must be dropped as a stranger's")
    }

    let parser = SIPParser()
    Benchmark("Baseline: parse one INVITE (what a stateful refusal would cost before any state)", configuration: configuration) { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try parser.parse(datagram: invite))
        }
    }
}
