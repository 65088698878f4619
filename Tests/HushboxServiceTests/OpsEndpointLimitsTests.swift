import Foundation
import HushboxTestSupport
import Logging
import NetworkLimits
import Prometheus
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing
@testable import HushboxService

#if canImport(Glibc)
import Glibc
#endif

@Suite("Operations endpoint: connections held to a budget")
struct OpsEndpointLimitsTests {
    @Test("Over its per-address share a connection is closed at once, a silent one at the deadline, and /healthz answers once they are gone")
    func connectionsBounded() async throws {
        let readiness = ReadinessBoard(expecting: [OpsEndpoint.componentName])
        let service = OpsEndpoint.makeService(
            address: "127.0.0.1", port: 0, registry: PrometheusCollectorRegistry(), readiness: readiness,
            limits: .init(total: 8, perSource: 2, requestDeadline: .seconds(1)), logger: Logger(label: "test")
        )
        try await testGracefulShutdown { trigger in
            let running = Task { try await service.run() }
            let listening = try #require(await readiness.waitForAll()?.first?.detail)
            let port = try #require(listening.split(separator: ":").last.flatMap { Int($0) })

            // Three silent connections from one address with a share of two: whichever came third
            // (the event loops may set them up in any order) is closed at once, the other two at the 1 s deadline.
            let sockets = try (0..<3).map { _ in try Self.connect(port) }
            let started = ContinuousClock.now
            let closed = try await offPool { Self.closeTimes(of: sockets) }.map { Self.seconds($0 - started) }.sorted()
            #expect(closed.count == 3 && closed[0] < 0.7, "one connection over the share is closed at once: \(closed)")
            #expect(closed.count == 3 && closed[1...].allSatisfy { $0 > 0.7 && $0 < 3 }, "the silent two are closed at the deadline: \(closed)")
            let health = try await offPool { try LoopbackHTTP.get(port: port, path: "/healthz") }
            #expect(health.status == 200)

            trigger.triggerGracefulShutdown()
            try await running.value
        }
    }

    /// A TCP connection to 127.0.0.1:`port` that sends nothing.
    static func connect(_ port: Int) throws -> LoopbackSocket {
        let socket = LoopbackSocket(type: Int32(SOCK_STREAM.rawValue), port: port)
        guard socket.connect() else {
            let error = POSIXError(.init(rawValue: errno) ?? .ECONNREFUSED)
            socket.close()
            throw error
        }
        return socket
    }

    /// When each socket's other side closed (at most 5 s); then closes them.
    static func closeTimes(of sockets: [LoopbackSocket]) -> [ContinuousClock.Instant] {
        var times = [ContinuousClock.Instant?](repeating: nil, count: sockets.count)
        let deadline = ContinuousClock.now + .seconds(5)
        while times.contains(where: { $0 == nil }), ContinuousClock.now < deadline {
            // A closed one stays readable (end of file): it is left out, as poll leaves out negative descriptors.
            var watched = sockets.indices.map { pollfd(fd: times[$0] == nil ? sockets[$0].descriptor : -1, events: Int16(POLLIN), revents: 0) }
            guard poll(&watched, nfds_t(watched.count), 50) >= 0 else { break }
            for (index, entry) in watched.enumerated() where times[index] == nil && entry.revents != 0 {
                times[index] = .now
            }
        }
        for socket in sockets { socket.close() }
        return times.map { $0 ?? .now }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
