public import NIOCore
public import NIOPosix
public import SIPCore

/// One call's media on SwiftNIO UDP: binds the RTP port the SIP core chose,
/// authenticates and latches incoming packets (``InboundMedia``), turns
/// telephone-events into digits, sends our packets to where the peer's really
/// come from (or, before the first one, to its SDP address), and reports the
/// call inactive when no authentic packet arrived for `inactivityTimeout` on
/// the injected clock.
public actor MediaSession<ClockType: Clock> where ClockType.Duration == Duration {
    public enum Event: Sendable, Hashable {
        case packet(RTPPacket)
        case digit(DTMFDigit)
        /// No authentic media for the inactivity timeout: the caller is gone.
        case inactive
    }

    public nonisolated let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    private let datagrams: AsyncStream<(bytes: [UInt8], source: MediaEndpoint)>
    private let datagramSink: AsyncStream<(bytes: [UInt8], source: MediaEndpoint)>.Continuation
    private let inbound: InboundMedia
    private let outbound: OutboundMedia
    private let audio: NegotiatedAudio
    private var telephoneEvents = TelephoneEventReceiver()
    private let clock: ClockType
    private let inactivityTimeout: Duration
    private var lastActivity: ClockType.Instant
    private var channel: (any Channel)?
    private let group: any EventLoopGroup

    public init(
        audio: NegotiatedAudio, inactivityTimeout: Duration = .seconds(30), clock: ClockType,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(SRTPError) {
        self.audio = audio
        inbound = try InboundMedia(audio: audio)
        var random = SystemRandomNumberGenerator()
        outbound = try OutboundMedia(audio: audio, using: &random)
        self.clock = clock
        self.inactivityTimeout = inactivityTimeout
        lastActivity = clock.now
        group = eventLoopGroup
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
        (datagrams, datagramSink) = AsyncStream.makeStream(of: (bytes: [UInt8], source: MediaEndpoint).self)
    }

    /// Binds the local RTP port; returns the port bound (useful with 0 in tests).
    public func bind(host: String, port: Int) async throws -> Int {
        let sink = datagramSink
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MediaDatagramHandler(sink: sink))
                }
            }
            .bind(host: host, port: port).get()
        self.channel = channel
        return channel.localAddress?.port ?? port
    }

    /// Processes packets and watches for inactivity until cancelled or `stop()`.
    public func run() async {
        lastActivity = clock.now
        let watchdog = Task { await self.watchInactivity() }
        for await datagram in datagrams {
            guard let packet = inbound.receive(datagram.bytes, from: datagram.source) else { continue }
            lastActivity = clock.now
            if let eventType = audio.telephoneEventPayloadType, Int(packet.payloadType) == eventType {
                if let digit = telephoneEvents.receive(timestamp: packet.timestamp, payload: packet.payload) {
                    eventSink.yield(.digit(digit))
                }
            } else {
                eventSink.yield(.packet(packet))
            }
        }
        watchdog.cancel()
        eventSink.finish()
    }

    /// Sends one frame of encoded audio lasting `duration` samples (or, with
    /// `payloadType`, a packet of another payload such as a telephone event).
    public func send(payload: [UInt8], duration: UInt32, marker: Bool = false, payloadType: UInt8? = nil) throws {
        guard let channel else { return }
        let bytes = try outbound.packet(payload: payload, duration: duration, marker: marker, payloadType: payloadType)
        let target = inbound.latchedSource ?? MediaEndpoint(host: audio.remoteAddress, port: audio.remoteRTPPort)
        let address = try SocketAddress(ipAddress: target.host, port: target.port)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    public var receptionCounters: InboundMedia.Counters { inbound.counters }
    public var latchedSource: MediaEndpoint? { inbound.latchedSource }

    /// Closes the socket; `run()` returns.
    public func stop() async {
        try? await channel?.close()
        datagramSink.finish()
    }

    private func watchInactivity() async {
        while !Task.isCancelled {
            let deadline = lastActivity.advanced(by: inactivityTimeout)
            do {
                try await clock.sleep(until: deadline, tolerance: nil)
            } catch {
                return
            }
            if lastActivity.advanced(by: inactivityTimeout) <= clock.now {
                eventSink.yield(.inactive)
                return
            }
        }
    }
}

/// Hands each datagram with its source to the session.
final class MediaDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let sink: AsyncStream<(bytes: [UInt8], source: MediaEndpoint)>.Continuation

    init(sink: AsyncStream<(bytes: [UInt8], source: MediaEndpoint)>.Continuation) {
        self.sink = sink
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let host = envelope.remoteAddress.ipAddress, let port = envelope.remoteAddress.port else { return }
        sink.yield((Array(envelope.data.readableBytesView), MediaEndpoint(host: host, port: port)))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP unreachable from a peer that went away: the inactivity timeout ends the call.
    }
}

@available(*, unavailable)
extension MediaDatagramHandler: Sendable {}
