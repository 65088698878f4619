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

            let silent = try (0..<2).map { _ in try Self.connect(port) }
            try await Task.sleep(for: .milliseconds(200))
            let third = try Self.connect(port)
            let refusedAfter = try await offPool { Self.secondsUntilClosed(third) }
            #expect(refusedAfter < 0.5, "the third connection from one address is closed at once (\(refusedAfter) s)")

            // The two silent ones are cut at the 1 s deadline; meanwhile the share is taken.
            let cutAfter = try await offPool { silent.map(Self.secondsUntilClosed).max() ?? 0 }
            #expect(cutAfter > 0.3 && cutAfter < 3, "silent connections closed at the deadline (\(cutAfter) s)")
            let health = try await offPool { try LoopbackHTTP.get(port: port, path: "/healthz") }
            #expect(health.status == 200)

            trigger.triggerGracefulShutdown()
            try await running.value
        }
    }

    /// A TCP connection to 127.0.0.1:`port` that sends nothing.
    static func connect(_ port: Int) throws -> Int32 {
        var socket = LoopbackSocket(type: Int32(SOCK_STREAM.rawValue), port: port)
        let connected = withUnsafePointer(to: &socket.address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket.descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.init(rawValue: errno) ?? .ECONNREFUSED) }
        return socket.descriptor
    }

    /// Seconds until the other side closes (or 5, the socket's receive timeout); then closes this side.
    static func secondsUntilClosed(_ descriptor: Int32) -> Double {
        let started = ContinuousClock.now
        var byte: UInt8 = 0
        _ = recv(descriptor, &byte, 1, 0)
        close(descriptor)
        let elapsed = ContinuousClock.now - started
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
