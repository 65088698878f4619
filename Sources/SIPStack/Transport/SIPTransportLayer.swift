import Logging
import NetworkLimits
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The SwiftNIO side of signalling: binds the UDP, TCP and TLS listeners,
/// frames stream messages, hands everything received to one stream of
/// ``TransportEvent``s, and writes what the endpoint sends — over the
/// connection a flow names, or a new one for a flow without.
final class SIPTransportLayer: Sendable {
    private struct Registry {
        var udp: (any Channel)?
        var servers: [any Channel] = []
        var connections: [ConnectionID: any Channel] = [:]
        /// Connections the box opened, by transport and remote address, reused for later requests.
        var outbound: [String: EventLoopFuture<ConnectionID>] = [:]
        var outboundKeys: [ConnectionID: String] = [:]
        var nextConnection: UInt64 = 1
    }

    private let group: any EventLoopGroup
    private let continuation: AsyncStream<TransportEvent>.Continuation
    private let registry = Mutex(Registry())
    private let logger: Logger
    private let serverContext: NIOSSLContext?
    private let clientContext: NIOSSLContext
    private let clientContextByHost: [String: NIOSSLContext]
    private let budget: ConnectionBudget
    private let settings: SIPListenerSettings
    private let admits: @Sendable (String) -> Bool
    private let refusedConnections = Atomic<Int>(0)
    private let droppedMessages = Atomic<Int>(0)
    private let strangerDrops = StrangerDropTally()

    /// - Parameter admits: whether a connection or a datagram from this address is let in (a peer's, or any when strangers are answered).
    init(
        settings: SIPListenerSettings, group: any EventLoopGroup, logger: Logger, continuation: AsyncStream<TransportEvent>.Continuation,
        admits: @escaping @Sendable (String) -> Bool = { _ in true }
    ) throws {
        self.group = group
        self.logger = logger
        self.continuation = continuation
        self.settings = settings
        self.admits = admits
        budget = ConnectionBudget(limits: settings.connections)
        serverContext = try settings.serverTLS.map { configuration in
            // When the box closes a connection (a refusal, a timeout, broken framing) NIOSSL
            // waits this long for the peer's close_notify before closing TCP, and the
            // connection holds its slot meanwhile: a peer that never answers holds it for
            // NIOSSL's default 5 s. One second is plenty on any network a box serves.
            var configuration = configuration
            configuration.shutdownTimeout = min(configuration.shutdownTimeout, Self.tlsShutdownTimeout)
            return try NIOSSLContext(configuration: configuration)
        }
        clientContext = try NIOSSLContext(configuration: settings.clientTLS)
        clientContextByHost = try settings.clientTLSByHost.mapValues { try NIOSSLContext(configuration: $0) }
    }

    var counters: SIPTransportCounters {
        var counters = SIPTransportCounters()
        counters.connectionsRefused = refusedConnections.load(ordering: .relaxed) + budget.snapshot.refused
        counters.connectionsOpen = budget.snapshot.open
        counters.inboundDropped = droppedMessages.load(ordering: .relaxed)
        counters.strangerDatagramsDropped = strangerDrops.dropped
        return counters
    }

    /// Hands an event to the core; counts it when the bounded queue is full.
    private func deliver(_ event: TransportEvent) {
        if case .dropped = continuation.yield(event) {
            droppedMessages.add(1, ordering: .relaxed)
        }
    }

    /// A datagram from a stranger was dropped at the socket: counted, and the
    /// core told through the queue when no notice is waiting there already.
    private func strangerDatagramDropped() {
        guard strangerDrops.record() else { return }
        if case .dropped = continuation.yield(.strangersDropped) {
            strangerDrops.noticeLost()
        }
    }

    /// The datagrams from strangers dropped since the last call.
    func takeStrangerDrops() -> Int {
        strangerDrops.take()
    }

    /// Binds every configured listener; returns the ports actually bound.
    func bind(_ settings: SIPListenerSettings) async throws -> [SIPTransport: Int] {
        var ports: [SIPTransport: Int] = [:]
        if let port = settings.udpPort {
            // No SO_REUSEADDR on UDP: on Linux it lets two sockets share one port,
            // and the kernel would split datagrams between them.
            let channel = try await DatagramBootstrap(group: group)
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            SIPDatagramHandler(
                                admits: self.admits, dropped: { [weak self] in self?.strangerDatagramDropped() },
                                deliver: { [weak self] event in self?.deliver(event) }
                            )
                        )
                    }
                }
                .bind(host: settings.host, port: port).get()
            registry.withLock { $0.udp = channel }
            ports[.udp] = channel.localAddress?.port ?? port
        }
        if let port = settings.tcpPort {
            ports[.tcp] = try await bindStream(.tcp, host: settings.host, port: port)
        }
        if let port = settings.tlsPort {
            guard serverContext != nil else { throw SIPTransportError.tlsWithoutIdentity }
            ports[.tls] = try await bindStream(.tls, host: settings.host, port: port)
        }
        return ports
    }

    private func bindStream(_ transport: SIPTransport, host: String, port: Int) async throws -> Int {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: Int32(ConnectionBudget.listenBacklog))
            .serverChannelInitializer { [budget, admits] channel in
                channel.eventLoop.makeCompletedFuture {
                    // Out of descriptors or memory, accepting backs off for a second instead of spinning;
                    // a connection reset before it was accepted is no reason to wait.
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptBackoffHandler { error in [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode) ? .seconds(1) : nil }
                    )
                    try channel.pipeline.syncOperations.addHandler(
                        SIPAcceptGate(budget: budget, admits: admits) { [weak self] in self?.refusedConnections.add(1, ordering: .relaxed) }
                    )
                }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    _ = try self.configureStream(channel, transport: transport, tlsServer: true, serverHostname: nil)
                }
            }
            .bind(host: host, port: port).get()
        registry.withLock { $0.servers.append(channel) }
        return channel.localAddress?.port ?? port
    }

    /// Adds TLS (for TLS), the framer and the handler that reports frames; registers the connection.
    private func configureStream(
        _ channel: any Channel, transport: SIPTransport, tlsServer: Bool, serverHostname: String?, remoteHost: String? = nil
    ) throws -> ConnectionID {
        let id = registry.withLock { registry -> ConnectionID in
            let id = ConnectionID(registry.nextConnection)
            registry.nextConnection += 1
            registry.connections[id] = channel
            return id
        }
        // A connection closed before it was ever active (its setup failed, the listener closed)
        // reports no inactive event; its entry goes when it closes, whichever way.
        channel.closeFuture.whenComplete { [weak self] _ in self?.forget(id) }
        let pipeline = channel.pipeline.syncOperations
        if transport == .tls {
            if tlsServer, let serverContext {
                try pipeline.addHandler(NIOSSLServerHandler(context: serverContext))
            } else {
                let context = remoteHost.flatMap { clientContextByHost[$0] } ?? clientContext
                try pipeline.addHandler(NIOSSLClientHandler(context: context, serverHostname: serverHostname))
            }
        }
        try pipeline.addHandler(ByteToMessageHandler(SIPFrameDecoder()))
        if tlsServer {
            // Accepted connections only: the ones the box opens are its own.
            try pipeline.addHandler(
                SIPConnectionGuard(
                    isTLS: transport == .tls, handshakeTimeout: Self.timeAmount(settings.handshakeTimeout),
                    idleTimeout: Self.timeAmount(settings.idleTimeout)
                )
            )
        }
        try pipeline.addHandler(
            SIPStreamHandler(transport: transport, connection: id, deliver: { [weak self] event in self?.deliver(event) }) { [weak self] id in
                self?.forget(id)
            }
        )
        return id
    }

    private func forget(_ id: ConnectionID) {
        registry.withLock { registry in
            registry.connections.removeValue(forKey: id)
            if let key = registry.outboundKeys.removeValue(forKey: id) {
                registry.outbound.removeValue(forKey: key)
            }
        }
    }

    /// Writes `bytes` to the flow. Failures are logged, never thrown: the
    /// transaction layer's timers deal with a message that did not arrive.
    func send(_ bytes: [UInt8], over flow: SIPFlow) {
        switch flow.transport {
        case .udp:
            guard let channel = registry.withLock({ $0.udp }) else { return }
            do {
                let address = try SocketAddress(ipAddress: flow.remote.host, port: flow.remote.port)
                let envelope = AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes))
                channel.writeAndFlush(envelope, promise: nil)
            } catch {
                logger.debug("cannot send over UDP", metadata: ["destination": "\(flow.remote)", "error": "\(error)"])
            }
        case .tcp, .tls:
            if let id = flow.connection, let channel = registry.withLock({ $0.connections[id] }) {
                channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
                return
            }
            let connection = outboundConnection(flow)
            connection.whenSuccess { [self] id in
                guard let channel = registry.withLock({ $0.connections[id] }) else { return }
                channel.writeAndFlush(channel.allocator.buffer(bytes: bytes), promise: nil)
            }
            connection.whenFailure { [logger, self] error in
                logger.notice("cannot connect for SIP", metadata: ["destination": "\(flow.remote)", "transport": "\(flow.transport)", "error": "\(error)"])
                // The transactions waiting on this flow fail now, not at their timeout: a registration moves on to the next server.
                self.deliver(.closed(flow))
            }
        }
    }

    /// Closes a flow's connection once what was written to it before has gone.
    func close(_ flow: SIPFlow) {
        guard let id = flow.connection, let channel = registry.withLock({ $0.connections[id] }) else { return }
        channel.writeAndFlush(channel.allocator.buffer(capacity: 0)).whenComplete { _ in channel.close(promise: nil) }
    }

    static let tlsShutdownTimeout = TimeAmount.seconds(1)

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let parts = duration.components
        return .nanoseconds(parts.seconds * 1_000_000_000 + parts.attoseconds / 1_000_000_000)
    }

    private func outboundConnection(_ flow: SIPFlow) -> EventLoopFuture<ConnectionID> {
        let key = "\(flow.transport) \(flow.remote)"
        return registry.withLock { registry in
            if let existing = registry.outbound[key] { return existing }
            let isAddress = (try? SocketAddress(ipAddress: flow.remote.host, port: 0)) != nil
            let future = ClientBootstrap(group: group)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { [self] channel in
                    channel.eventLoop.makeCompletedFuture {
                        _ = try self.configureStream(
                            channel, transport: flow.transport, tlsServer: false, serverHostname: flow.serverName ?? (isAddress ? nil : flow.remote.host),
                            remoteHost: flow.serverName ?? flow.remote.host
                        )
                    }
                }
                .connect(host: flow.remote.host, port: flow.remote.port)
                .flatMapThrowing { [self] channel in
                    try self.registry.withLock { registry in
                        // Closed already (and forgotten): fail, so the key is freed for a new connection.
                        guard let id = registry.connections.first(where: { $0.value === channel })?.key else { throw ChannelError.ioOnClosedChannel }
                        registry.outboundKeys[id] = key
                        return id
                    }
                }
            registry.outbound[key] = future
            future.whenFailure { [self] _ in
                _ = self.registry.withLock { $0.outbound.removeValue(forKey: key) }
            }
            return future
        }
    }

    /// Closes every listener and connection.
    func close() async {
        let channels = registry.withLock { registry -> [any Channel] in
            let all = [registry.udp].compactMap { $0 } + registry.servers + Array(registry.connections.values)
            registry = Registry()
            return all
        }
        for channel in channels {
            try? await channel.close()
        }
        continuation.finish()
    }
}

public struct SIPTransportError: Error, CustomStringConvertible {
    public let description: String

    static let tlsWithoutIdentity = SIPTransportError(
        description: "a TLS port is configured but no TLS certificate and key: set tls.certificate and tls.private_key or run `hushbox provision init`"
    )
}
