import Logging
import ServiceLifecycle
internal import SIPStack

/// The SIP user agent as a service of the daemon: binds the listeners,
/// reports them ready, serves until shutdown, and hands calls to the
/// ``CallDispatcher``.
struct SIPService: Service, CustomStringConvertible {
    static let componentName = "sip"

    let endpoint: SIPEndpoint<ContinuousClock>
    let setup: SIPSetup
    let readiness: ReadinessBoard
    let logger: Logger

    init(setup: SIPSetup, readiness: ReadinessBoard, logger: Logger) throws {
        self.setup = setup
        self.readiness = readiness
        self.logger = logger
        endpoint = try SIPEndpoint(configuration: setup.signalling, listeners: setup.listeners, clock: ContinuousClock(), logger: logger)
    }

    var description: String { "SIPService" }

    func run() async throws {
        let ports = try await endpoint.start()
        let listing = SIPTransport.allCases.compactMap { transport in ports[transport].map { "\(transport.rawValue) \(setup.address):\($0)" } }
        readiness.report(Self.componentName, detail: listing.joined(separator: ", "))
        let dispatcher = CallDispatcher(endpoint: endpoint, logger: logger)
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await endpoint.run() }
                group.addTask { await dispatcher.run() }
            }
        }
    }
}
