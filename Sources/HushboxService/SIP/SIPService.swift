import Logging
internal import Metrics
import ServiceLifecycle
internal import SIPStack
internal import Vault
internal import Voicemail

/// The SIP user agent as a service of the daemon: binds the listeners,
/// reports them ready, serves until shutdown, and hands calls to the
/// ``CallDispatcher``.
struct SIPService: Service, CustomStringConvertible {
    static let componentName = "sip"

    let endpoint: SIPEndpoint<ContinuousClock>
    let setup: SIPSetup
    let vault: Vault
    /// The uplink destinations every kept message is queued for.
    let outboxDestinations: [String]
    let quota: LocalStoreQuota
    let readiness: ReadinessBoard
    let demo: DemoBox?
    /// How long a graceful shutdown may take (the daemon's service group cancels the service after it).
    let gracePeriod: Duration
    let logger: Logger
    /// Where the edge's counters go (``SIPMetrics``); hushboxd's is Prometheus.
    var metricsFactory: any MetricsFactory = MetricsSystem.factory
    /// How often the core's counters are copied into the metrics.
    static let metricsInterval: Duration = .seconds(2)
    /// What a shutting-down box tells trunks in its 503s: a restart (an
    /// upgrade, a reboot) takes well under a minute.
    static let shutdownRetryAfterSeconds = 60

    init(
        setup: SIPSetup, vault: Vault, outboxDestinations: [String], quota: LocalStoreQuota, readiness: ReadinessBoard, demo: DemoBox?,
        gracePeriod: Duration, logger: Logger
    ) throws {
        self.gracePeriod = gracePeriod
        self.setup = setup
        self.quota = quota
        self.outboxDestinations = outboxDestinations
        self.demo = demo
        self.vault = vault
        self.readiness = readiness
        self.logger = logger
        endpoint = try SIPEndpoint(configuration: setup.signalling, listeners: setup.listeners, clock: ContinuousClock(), dns: setup.dns, logger: logger)
    }

    var description: String { "SIPService" }

    func run() async throws {
        let mediaMetrics = MediaMetrics(factory: metricsFactory)
        let storageBacklog = RecordingStorage.Backlog()
        let dispatcher = CallDispatcher(
            endpoint: endpoint, vault: vault, prompts: setup.prompts, routing: setup.routing, mediaHost: setup.address, outboxDestinations: outboxDestinations,
            quota: quota, mediaMetrics: mediaMetrics, routingMetrics: RoutingMetrics(factory: metricsFactory),
            registrationMetrics: RegistrationMetrics(factory: metricsFactory), storageBacklog: storageBacklog, logger: logger
        )
        try dispatcher.checkOrganisations()
        try dispatcher.recoverInterruptedCalls()
        let ports = try await endpoint.start()
        let listing = SIPTransport.allCases.compactMap { transport in ports[transport].map { "\(transport.rawValue) \(setup.address):\($0)" } }
        readiness.report(Self.componentName, detail: listing.joined(separator: ", "))
        if let demo, let tlsPort = ports[.tls] {
            do {
                try demo.writePhone(address: setup.address)
                readiness.report(DemoBox.componentName, detail: DemoBox.uri(address: setup.address, tlsPort: tlsPort))
            } catch {
                logger.error("the demo phone's baresip configuration could not be written", metadata: ["error": "\(error)"])
                readiness.report(DemoBox.componentName, detail: "")
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await endpoint.run() }
            group.addTask { await dispatcher.run() }
            group.addTask { await publishMetrics(media: mediaMetrics, storage: storageBacklog, calls: dispatcher.callsRunning) }
            group.addTask { await finishCallsOnShutdown(dispatcher.callsRunning) }
            // The first to end ends the service: without its endpoint nothing
            // answers calls, and the metrics loop alone must not keep a dead
            // service looking alive (the daemon stops, and systemd restarts it).
            // On a graceful shutdown, it is the wait for the calls in progress.
            await group.next()
            group.cancelAll()
        }
    }

    /// Waits for a graceful shutdown (SIGTERM, SIGINT), then takes no new
    /// calls (503 with Retry-After) and returns once every call in progress
    /// is over and stored, so a caller who is speaking keeps their whole
    /// message. The daemon's grace period bounds the wait: shortly before it
    /// ends (``hangUpMargin(for:)``), the calls still in progress are hung up
    /// (a BYE, so no caller is left on a dead line) and stored as they stand.
    private func finishCallsOnShutdown(_ running: CallsRunning) async {
        do { try await gracefulShutdown() } catch { return }
        let hangUpAt = ContinuousClock.now + gracePeriod - Self.hangUpMargin(for: gracePeriod)
        await endpoint.stopTakingCalls(retryAfter: Self.shutdownRetryAfterSeconds)
        let inProgress = max(running.current, await endpoint.activeCalls)
        if inProgress > 0 {
            logger.notice("shutting down: new calls are refused; waiting for the calls in progress to end", metadata: ["calls": "\(inProgress)"])
        }
        var hungUp = false
        while !Task.isCancelled {
            let offered = await endpoint.activeCalls
            if running.current == 0, offered == 0 { break }
            if !hungUp, ContinuousClock.now >= hangUpAt, offered > 0 {
                hungUp = true
                logger.warning(
                    "the shutdown's grace period is ending: the calls still in progress are hung up and stored as they stand",
                    metadata: ["calls": "\(offered)"]
                )
                await endpoint.hangUpAll()
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        if inProgress > 0, !Task.isCancelled { logger.notice("the calls in progress have ended") }
    }

    /// How long before the end of the grace period the calls still in
    /// progress are hung up: time for their BYEs to go out and their
    /// messages to be committed before the service is cancelled.
    static func hangUpMargin(for gracePeriod: Duration) -> Duration {
        min(.seconds(3), gracePeriod / 2)
    }

    /// Copies the SIP counters and the calls' storage queues into the metrics until cancelled.
    private func publishMetrics(media: MediaMetrics, storage: RecordingStorage.Backlog, calls: CallsRunning) async {
        let metrics = SIPMetrics(factory: metricsFactory)
        var seen = SIPMetrics.Seen()
        while !Task.isCancelled {
            seen = metrics.record(core: await endpoint.counters, transport: endpoint.transportCounters, since: seen)
            media.record(storage, callsActive: calls.current)
            try? await Task.sleep(for: Self.metricsInterval)
        }
    }
}
