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

            // Two silent connections take the address's share; the third is closed at once, while they stay open.
            let silent = try (0..<2).map { _ in (socket: try Self.connect(port), at: ContinuousClock.now) }
            try await Task.sleep(for: .milliseconds(200))
            let third = try Self.connect(port)
            let refusedAfter = try await offPool { Self.secondsUntilClosed(third) }
            #expect(refusedAfter < 0.7, "the third connection from one address is closed at once (\(refusedAfter) s)")

            // The two silent ones are cut at the 1 s deadline, counted from their connect.
            let cut = try await offPool { silent.map { ($0.at, Self.closedAt($0.socket)) } }
            for (connected, closed) in cut {
                let seconds = Self.seconds(closed - connected)
                #expect(seconds > 0.8 && seconds < 3, "a silent connection closed at the deadline (\(seconds) s after its connect)")
            }
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

    /// When the other side closes (or the socket's 5 s receive timeout ends); then closes this side.
    static func closedAt(_ socket: LoopbackSocket) -> ContinuousClock.Instant {
        var byte: UInt8 = 0
        _ = recv(socket.descriptor, &byte, 1, 0)
        socket.close()
        return .now
    }

    static func secondsUntilClosed(_ socket: LoopbackSocket) -> Double {
        let started = ContinuousClock.now
        return seconds(closedAt(socket) - started)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
