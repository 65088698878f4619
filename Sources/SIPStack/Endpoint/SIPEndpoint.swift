public import DNSResolver
public import Logging
public import NIOCore
public import NIOPosix
public import SIPCore

/// What the endpoint tells the call application.
public enum SIPEndpointEvent: Sendable {
    case incomingCall(IncomingCall)
    case callEstablished(CallReference)
    case mediaUpdated(CallReference, NegotiatedAudio)
    case callEnded(CallReference, CallEnd, localRTPPort: Int)
    case registrationChanged(peer: String, RegistrationClient.Status)
}

/// The running SIP user agent: the transports on SwiftNIO, the
/// ``SignallingCore`` in an actor, and its timers on an injected clock (a
/// manual clock in tests, so retransmissions are checked without sleeping).
public actor SIPEndpoint<ClockType: Clock> where ClockType.Duration == Duration {
    /// Calls and registrations, for the application. One consumer.
    public nonisolated let events: AsyncStream<SIPEndpointEvent>
    private let eventSink: AsyncStream<SIPEndpointEvent>.Continuation
    private let inbound: AsyncStream<TransportEvent>
    private let transports: SIPTransportLayer
    private let listeners: SIPListenerSettings
    private var configuration: SignallingConfiguration
    private var random: (any RandomNumberGenerator & Sendable)?
    private var core: SignallingCore?
    private let clock: ClockType
    private let origin: ClockType.Instant
    private let logger: Logger
    private var timerTask: Task<Void, Never>?
    private var armedDeadline: Duration?
    /// Finds the servers of registrars named by host name.
    private let locator: SIPServerLocator?

    public init(
        configuration: SignallingConfiguration, listeners: SIPListenerSettings, clock: ClockType,
        random: some RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, dns: (any DNSLookup)? = nil, logger: Logger
    ) throws {
        self.configuration = configuration
        // The system's name servers unless the caller names its own; without DNS only registrars written as addresses work.
        locator = (dns ?? (try? SystemDNS())).map(SIPServerLocator.init(dns:))
        self.listeners = listeners
        self.clock = clock
        self.random = random
        origin = clock.now
        self.logger = logger
        (events, eventSink) = AsyncStream.makeStream(of: SIPEndpointEvent.self)
        // Bounded: a flood that outruns the core loses its newest messages (counted), never the box's memory.
        let (inbound, inboundSink) = AsyncStream.makeStream(of: TransportEvent.self, bufferingPolicy: .bufferingOldest(listeners.inboundQueueLimit))
        self.inbound = inbound
        let admission = SourceAdmission(peers: configuration.peers, unknownSources: configuration.unknownSources)
        transports = try SIPTransportLayer(
            settings: listeners, group: eventLoopGroup, logger: logger, continuation: inboundSink, admits: admission.admits
        )
    }

    /// Binds the listeners and starts registrations; returns the bound ports.
    public func start() async throws -> [SIPTransport: Int] {
        let ports = try await transports.bind(listeners)
        configuration.ports = ports
        guard let random else { return ports }
        self.random = nil
        core = SignallingCore(configuration: configuration, random: random)
        perform(core!.startRegistrations(at: now))
        return ports
    }

    /// Serves until the task is cancelled, then closes every socket.
    public func run() async {
        await withTaskCancellationHandler {
            for await event in inbound {
                switch event {
                case .message(let bytes, let flow):
                    guard core != nil else { continue }
                    perform(core!.receive(bytes, over: flow, at: now))
                case .closed(let flow):
                    guard core != nil else { continue }
                    perform(core!.flowClosed(flow, at: now))
                case .strangersDropped:
                    let count = transports.takeStrangerDrops()
                    guard core != nil else { continue }
                    perform(core!.strangersDropped(count, at: now))
                }
            }
        } onCancel: {
            Task { await self.shutDown() }
        }
        timerTask?.cancel()
        eventSink.finish()
    }

    private func shutDown() async {
        timerTask?.cancel()
        await transports.close()
    }

    // MARK: The application's decisions

    public func ring(_ call: CallReference) { apply { $0.ring(call, at: $1) } }
    public func accept(_ call: CallReference) { apply { $0.accept(call, at: $1) } }
    public func reject(_ call: CallReference, status: Int) { apply { $0.reject(call, status: status, at: $1) } }
    public func hangUp(_ call: CallReference) { apply { $0.hangUp(call, at: $1) } }
    /// Ends every call from our side (``SignallingCore/hangUpAll(at:)``).
    public func hangUpAll() { apply { $0.hangUpAll(at: $1) } }

    public var counters: SignallingCounters { core?.counters ?? SignallingCounters() }

    /// From now on new calls get 503 with Retry-After; calls in progress go on.
    public func stopTakingCalls(retryAfter seconds: Int) { core?.stopTakingCalls(retryAfter: seconds) }

    /// Calls offered or in progress.
    public var activeCalls: Int { core?.activeCalls ?? 0 }

    /// What the sockets refused or dropped before the core saw it.
    public nonisolated var transportCounters: SIPTransportCounters { transports.counters }

    /// Server transactions, client transactions, calls and timers alive now.
    public var liveState: (serverTransactions: Int, clientTransactions: Int, calls: Int, timers: Int) {
        core?.liveState ?? (0, 0, 0, 0)
    }

    public func isRegistered(_ peer: String) -> Bool? { core?.registrationStatus(of: peer) }

    private func apply(_ change: (inout SignallingCore, Duration) -> [SignallingAction]) {
        guard core != nil else { return }
        let time = now
        perform(change(&core!, time))
    }

    /// Asks DNS off the actor; the answer comes back to the core.
    private func locate(_ peer: String, host: String, port: Int?, transport: SIPTransport) {
        guard let locator else {
            apply { $0.registrarLocationFailed(peer, reason: "no resolver is available", at: $1) }
            return
        }
        Task {
            var random = SystemRandomNumberGenerator()
            do {
                let targets = try await locator.locate(host: host, port: port, transport: transport, using: &random)
                self.apply { $0.registrarLocated(peer, targets: targets, at: $1) }
            } catch {
                self.apply { $0.registrarLocationFailed(peer, reason: "\(error)", at: $1) }
            }
        }
    }

    // MARK: Time

    private var now: Duration { origin.duration(to: clock.now) }

    private func timerDue() {
        armedDeadline = nil
        guard core != nil else { return }
        perform(core!.fireTimers(at: now))
    }

    /// Keeps one sleeper armed for the core's earliest deadline.
    private func armTimer() {
        let next = core?.nextDeadline
        guard next != armedDeadline else { return }
        timerTask?.cancel()
        armedDeadline = next
        guard let next else { return }
        let deadline = origin.advanced(by: next)
        timerTask = Task { [clock] in
            do {
                try await clock.sleep(until: deadline, tolerance: nil)
            } catch {
                return
            }
            self.timerDue()
        }
    }

    // MARK: Carrying out actions

    private func perform(_ actions: [SignallingAction]) {
        for action in actions {
            switch action {
            case .send(let bytes, let flow):
                transports.send(bytes, over: flow)
            case .close(let flow):
                transports.close(flow)
            case .incomingCall(let call):
                eventSink.yield(.incomingCall(call))
            case .callEstablished(let call):
                eventSink.yield(.callEstablished(call))
            case .mediaUpdated(let call, let audio):
                eventSink.yield(.mediaUpdated(call, audio))
            case .callEnded(let call, let reason, let port):
                eventSink.yield(.callEnded(call, reason, localRTPPort: port))
            case .registrationChanged(let peer, let status):
                eventSink.yield(.registrationChanged(peer: peer, status))
            case .locate(let peer, let host, let port, let transport):
                locate(peer, host: host, port: port, transport: transport)
            case .log(let record):
                var metadata: Logger.Metadata = [:]
                if let callID = record.callID { metadata["call_id"] = "\(callID)" }
                if let source = record.source { metadata["source"] = "\(source)" }
                if let peer = record.peer { metadata["peer"] = "\(peer)" }
                logger.log(level: record.level.loggerLevel, "\(record.message)", metadata: metadata)
            }
        }
        armTimer()
    }
}

extension SignallingLogRecord.Level {
    var loggerLevel: Logger.Level {
        switch self {
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        }
    }
}
