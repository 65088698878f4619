import Foundation
internal import HTTPEdge
internal import Hummingbird
public import Logging
public import NetworkLimits
internal import NIOCore
public import Prometheus
public import ServiceLifecycle

/// The operations endpoint: `GET /healthz` for a liveness probe and `GET /metrics`
/// for Prometheus, over plain HTTP on a loopback or management address. It serves
/// no personal data, so it needs neither TLS nor authentication.
public enum OpsEndpoint {
    public static let componentName = "ops"
    /// A probe or a scraper needs a connection or two; on a management network
    /// anyone else may connect too, and the endpoint shares hushboxd's descriptors.
    public static let limits = ConnectionBudget.Limits(total: 32, perSource: 8, requestDeadline: .seconds(10))

    /// The endpoint as a Service for the daemon's ServiceGroup. It reports its
    /// bound address to `readiness` once it is listening.
    public static func makeService(
        address: String,
        port: Int,
        registry: PrometheusCollectorRegistry,
        readiness: ReadinessBoard,
        limits: ConnectionBudget.Limits = limits,
        logger: Logger
    ) -> some Service {
        let budget = ConnectionBudget(limits: limits)
        let processMetrics = ProcessMetrics(registry: registry, version: HushboxVersion.current, startTime: Date())
        let router = Router()
        router.get("healthz") { _, _ -> Response in
            let body = #"{"status":"ok","version":"\#(HushboxVersion.current)"}"#
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body))
            )
        }
        router.get("metrics") { _, _ -> Response in
            processMetrics.refresh()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        let application = Application(
            router: router,
            server: .http1(configuration: budget.http1Configuration()),
            configuration: budget.listenerConfiguration(address: .hostname(address, port: port), serverName: "hushbox", logger: logger),
            onServerRunning: { channel in
                readiness.report(componentName, detail: ListenerURL.of("http", channel.localAddress, fallbackHost: address, fallbackPort: port))
            },
            logger: logger
        )
        return ListeningService(application, failure: { error in
            ListenerFailure(listener: "operations endpoint", address: address, port: port, portKey: ConfigurationSchema.opsPort.key, error: error)
        })
    }
}
