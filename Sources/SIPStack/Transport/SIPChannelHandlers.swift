import NIOCore

/// Reports each UDP datagram with its source as a flow.
///
/// When strangers are dropped, a datagram from an address that is no peer's
/// is dropped here, on the event loop, before it is copied or queued: a
/// flood of spoofed sources then never shares the bounded queue with the
/// peers' messages, and costs a lookup and a counter.
final class SIPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let admits: @Sendable (String) -> Bool
    private let dropped: @Sendable () -> Void
    private let deliver: @Sendable (TransportEvent) -> Void

    /// - Parameters:
    ///   - admits: whether a datagram from this address goes on to the core.
    ///   - dropped: called for each datagram `admits` turned away.
    init(admits: @escaping @Sendable (String) -> Bool, dropped: @escaping @Sendable () -> Void, deliver: @escaping @Sendable (TransportEvent) -> Void) {
        self.admits = admits
        self.dropped = dropped
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let host = envelope.remoteAddress.ipAddress, let port = envelope.remoteAddress.port else { return }
        guard admits(host) else {
            dropped()
            return
        }
        let flow = SIPFlow(transport: .udp, remote: SocketEndpoint(host: host, port: port))
        deliver(.message(Array(envelope.data.readableBytesView), flow))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP port unreachable and the like surface here; UDP carries on.
    }
}

@available(*, unavailable)
extension SIPDatagramHandler: Sendable {}

/// Reports each framed message of one TCP or TLS connection, and its closing.
final class SIPStreamHandler: ChannelInboundHandler {
    typealias InboundIn = [UInt8]

    private let transport: SIPTransport
    private let connection: ConnectionID
    private let deliver: @Sendable (TransportEvent) -> Void
    private let closed: @Sendable (ConnectionID) -> Void
    private var flow: SIPFlow?

    init(transport: SIPTransport, connection: ConnectionID, deliver: @escaping @Sendable (TransportEvent) -> Void, closed: @escaping @Sendable (ConnectionID) -> Void) {
        self.transport = transport
        self.connection = connection
        self.deliver = deliver
        self.closed = closed
    }

    func channelActive(context: ChannelHandlerContext) {
        if let host = context.remoteAddress?.ipAddress, let port = context.remoteAddress?.port {
            flow = SIPFlow(transport: transport, remote: SocketEndpoint(host: host, port: port), connection: connection)
        }
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive, flow == nil, let host = context.remoteAddress?.ipAddress, let port = context.remoteAddress?.port {
            flow = SIPFlow(transport: transport, remote: SocketEndpoint(host: host, port: port), connection: connection)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let flow else { return }
        deliver(.message(unwrapInboundIn(data), flow))
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed(connection)
        if let flow { deliver(.closed(flow)) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A framing error (no Content-Length, a message over the limit) or a TLS
        // failure: the stream cannot be resynchronised, so it is closed (RFC 3261 §18.3).
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension SIPStreamHandler: Sendable {}
