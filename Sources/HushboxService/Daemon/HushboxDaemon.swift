import Foundation
public import Logging
public import Prometheus
internal import Privacy
internal import ServiceLifecycle
internal import UnixSignals
internal import Uplink

/// The composition root: wires the daemon's services into one ServiceGroup and
/// runs it until SIGTERM or SIGINT, then shuts down within the configured grace
/// period. Later components (SIP, media, vault, uplink) join the group here.
public struct HushboxDaemon: Sendable {
    public let loaded: LoadedConfiguration
    public let checks: StartupChecks
    /// `make run`'s demonstration mailbox, announced once SIP listens.
    public let demo: DemoBox?

    public init(loaded: LoadedConfiguration, checks: StartupChecks, demo: DemoBox? = nil) {
        self.loaded = loaded
        self.checks = checks
        self.demo = demo
    }

    /// Runs every service until shutdown.
    /// - Parameter announce: receives the start-up summary once everything listens.
    public func run(
        systemd: SystemdEnvironment,
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        announce: @escaping @Sendable (String) -> Void
    ) async throws {
        let configuration = loaded.configuration
        var services: [any Service] = []
        var expected = Set<String>()
        if configuration.ops.enabled {
            expected.insert(OpsEndpoint.componentName)
        }
        if configuration.admin.enabled {
            expected.insert(AdminEndpoint.componentName)
            if configuration.admin.redirectPort != nil { expected.insert(AdminEndpoint.redirectComponentName) }
        }
        if checks.sip != nil {
            expected.insert(SIPService.componentName)
            if demo != nil { expected.insert(DemoBox.componentName) }
        }
        let readiness = ReadinessBoard(expecting: expected)
        var storeLogger = logger
        storeLogger[metadataKey: "component"] = "store"
        let quota = LocalStoreQuota(directory: configuration.storage.dataDirectory, quotaBytes: configuration.storage.quotaBytes, logger: storeLogger)
        services.append(quota)
        var purgeLogger = logger
        purgeLogger[metadataKey: "component"] = "purge"
        services.append(PurgeService(
            vault: checks.vault, scheduler: DailyJobScheduler(schedule: DailySchedule(), clock: ContinuousClock(), now: { Date() }), logger: purgeLogger
        ))
        var incidentLogger = logger
        incidentLogger[metadataKey: "component"] = "incidents"
        services.append(IncidentAlertService(vault: checks.vault, webhook: checks.incidentWebhook, clock: ContinuousClock(), now: { Date() }, logger: incidentLogger))
        if let setup = checks.sip {
            var sipLogger = logger
            sipLogger[metadataKey: "component"] = "sip"
            let service = try SIPService(
                setup: setup, vault: checks.vault, outboxDestinations: configuration.uplink.destinations.map(\.name), quota: quota, readiness: readiness,
                demo: demo, gracePeriod: configuration.shutdown.gracePeriod,
                logger: sipLogger
            )
            services.append(ListeningService(service, failure: { error in
                ListenerFailure(
                    listener: "SIP listeners", address: setup.address, port: configuration.sip.tlsPort,
                    portKey: "\(ConfigurationSchema.sipUDPPort.key), \(ConfigurationSchema.sipTCPPort.key) or \(ConfigurationSchema.sipTLSPort.key)", error: error
                )
            }))
        }
        if let line = checks.line {
            var lineLogger = logger
            lineLogger[metadataKey: "component"] = "line"
            services.append(LineService(
                line: line.line, vault: checks.vault, prompts: line.prompts, outboxDestinations: configuration.uplink.destinations.map(\.name), logger: lineLogger
            ))
        }
        if !checks.uplink.isEmpty {
            var uplinkLogger = logger
            uplinkLogger[metadataKey: "component"] = "uplink"
            services.append(UplinkService(
                setups: checks.uplink, vault: checks.vault, spool: UplinkSpool.directory(of: configuration),
                schedule: RetrySchedule(), pollInterval: .seconds(2), logger: uplinkLogger
            ))
        }
        if configuration.ops.enabled {
            var opsLogger = logger
            opsLogger[metadataKey: "component"] = "ops"
            services.append(
                OpsEndpoint.makeService(
                    address: configuration.ops.address,
                    port: configuration.ops.port,
                    registry: registry,
                    readiness: readiness,
                    logger: opsLogger
                )
            )
        }
        if configuration.admin.enabled {
            var adminLogger = logger
            adminLogger[metadataKey: "component"] = "admin"
            services += try AdminEndpoint.makeServices(configuration: configuration, vault: checks.vault, readiness: readiness, logger: adminLogger)
        }
        let profile = loaded.sources.profile
        let checks = self.checks
        let demo = self.demo
        // Last, so that it is the first to hear of a shutdown (see SystemdNotifierService).
        services.append(
            SystemdNotifierService(environment: systemd, readiness: readiness, logger: logger) { components in
                announce(
                    StartupSummary.render(
                        configuration: configuration, profile: profile, checks: checks, components: components, demo: demo, now: Date()
                    )
                )
                logger.info("hushboxd ready", metadata: ["version": "\(HushboxVersion.current)"])
                return StartupSummary.status(components: components)
            }
        )

        var groupConfiguration = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = configuration.shutdown.gracePeriod
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: groupConfiguration).run()
        logger.info("hushboxd stopped")
    }
}
