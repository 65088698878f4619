// The SIP edge under a flood (issue 18): how many messages from addresses that
// are no peer's one core drops per second, against parsing the same message
// alone. Run both in one run; the ratio is the figure:
//   swift package --disable-sandbox benchmark --target SIPBenchmarks --filter "Stranger|Baseline: parse one"
import Benchmark
import SIPCore
import SIPStack

/// 10,000 rotating sources, as a spoofed flood sends them: each lookup misses every peer.
let strangerFlows = (0..<10_000).map { index in
    SIPFlow(transport: .udp, remote: SocketEndpoint(host: "198.51.\(index / 254).\(1 + index % 254)", port: 5060), connection: nil)
}

let strangerBenchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(metrics: [.throughput, .wallClock, .mallocCountTotal], maxDuration: .seconds(3), maxIterations: 1_000_000)

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
