public import Logging
public import ServiceLifecycle

/// Tells systemd (and the person at the terminal) how the daemon is doing:
/// READY=1 once every component is listening, WATCHDOG=1 at half of
/// WATCHDOG_USEC, STOPPING=1 as soon as graceful shutdown begins.
///
/// Place it last in the ServiceGroup: the group shuts services down in reverse
/// order, so this one hears of the shutdown first and STOPPING=1 goes out before
/// any listener closes.
public struct SystemdNotifierService: Service, CustomStringConvertible {
    private let socket: SystemdNotifySocket?
    private let watchdogInterval: Duration?
    private let readiness: ReadinessBoard
    private let clock: any Clock<Duration>
    private let logger: Logger
    private let onReady: @Sendable ([ReadinessBoard.Component]) -> String

    /// - Parameters:
    ///   - onReady: called once everything is ready; returns the one-line status for systemd.
    public init(
        environment: SystemdEnvironment,
        readiness: ReadinessBoard,
        clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger,
        onReady: @escaping @Sendable ([ReadinessBoard.Component]) -> String
    ) {
        self.socket = environment.notifySocket.map(SystemdNotifySocket.init(path:))
        self.watchdogInterval = environment.watchdogInterval
        self.readiness = readiness
        self.clock = clock
        self.logger = logger
        self.onReady = onReady
    }

    public var description: String { "SystemdNotifierService" }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                guard let components = await readiness.waitForAll() else { return }
                notify(.ready(status: onReady(components)))
                if let watchdogInterval {
                    while true {
                        notify(.watchdog)
                        try await clock.sleep(for: watchdogInterval)
                    }
                } else {
                    try await gracefulShutdown()
                }
            }
        } catch is CancellationError {
            // Graceful shutdown cancelled the watchdog loop: the expected way out.
        }
        notify(.stopping)
    }

    private func notify(_ notification: SystemdNotification) {
        guard let socket else { return }
        do {
            try socket.send(notification)
        } catch {
            // systemd restarts a unit whose watchdog pings stop, so a failure here
            // is worth an operator's attention but not worth stopping for.
            logger.warning("systemd notification failed", metadata: ["notification": "\(notification.message)", "error": "\(error)"])
        }
    }
}
