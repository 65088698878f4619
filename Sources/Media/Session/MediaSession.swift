#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
public import NIOCore
public import NIOPosix
import MediaFormat

/// One call's media on SwiftNIO UDP: binds the RTP port the SIP core chose,
/// admits, authenticates and latches incoming packets (``InboundMedia``),
/// turns telephone-events into digits, sends our packets to where the peer's
/// really come from (or, before the first one, to its SDP address), and
/// reports the call inactive when no authentic packet arrived for
/// `inactivityTimeout` on the injected clock, unless the peer holds the call.
/// A re-INVITE's new media (address, keys, direction) comes in through ``update(_:)``.
public actor MediaSession<ClockType: Clock> where ClockType.Duration == Duration {
    public enum Event: Sendable, Hashable {
        case packet(RTPPacket)
        case digit(DTMFDigit)
        /// No authentic media for the inactivity timeout: the caller is gone.
        case inactive
        /// The peer said goodbye in RTCP (BYE for the stream we receive):
        /// its media ends, though the SIP BYE may still be on its way.
        case peerLeft
    }

    public nonisolated let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    /// Where events go when the owner runs the session with ``run(delivering:)``
    /// (a call's runtime): straight from the session's loop, with no stream and
    /// no task between.
    private var deliver: (@Sendable (Event) -> Void)?
    private let datagrams: AsyncStream<MediaDatagram>
    private let datagramSink: AsyncStream<MediaDatagram>.Continuation
    private let inbound: InboundMedia
    private let sources: MediaSources
    private let socketTally = MediaSocketTally()
    private let outbound: OutboundMedia
    private var audio: RTPAudioParameters
    private var telephoneEvents = TelephoneEventReceiver()
    private let clock: ClockType
    private let inactivityTimeout: Duration
    private var lastActivity: ClockType.Instant
    private let origin: ClockType.Instant
    private var channel: (any Channel)?
    private var controlChannel: (any Channel)?
    /// The one event loop the session's sockets and the session itself run
    /// on: a packet goes from its socket to the session's loop without
    /// crossing threads.
    public nonisolated let eventLoop: any EventLoop

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        eventLoop.executor.asUnownedSerialExecutor()
    }
    private var reception: ReceptionStatistics?
    private var ssrcChange = SSRCChange()
    /// Report blocks the peer sent about our stream, newest last (bounded).
    public private(set) var peerReports: [RTCPPacket.ReportBlock] = []
    /// RFC 3550 §6.2: at least 5 s between reports, randomised by 0.5–1.5.
    private let reportInterval: Duration

    /// - Parameter sources: the addresses the call's SIP peer may send from; media
    ///   from anywhere else is dropped and counted, SRTP or not.
    public init(
        audio: RTPAudioParameters, sources: MediaSources, inactivityTimeout: Duration = .seconds(30), reportInterval: Duration = .seconds(5),
        clock: ClockType, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(SRTPError) {
        self.audio = audio
        inbound = try InboundMedia(audio: audio, sources: sources)
        self.sources = sources
        var random = SystemRandomNumberGenerator()
        outbound = try OutboundMedia(audio: audio, using: &random)
        self.clock = clock
        self.inactivityTimeout = inactivityTimeout
        self.reportInterval = reportInterval
        lastActivity = clock.now
        origin = clock.now
        eventLoop = eventLoopGroup.next()
        (events, eventSink) = AsyncStream.makeStream(of: Event.self)
        // Bounded, newest kept: a call that falls behind loses stale audio, never memory.
        (datagrams, datagramSink) = AsyncStream.makeStream(of: MediaDatagram.self, bufferingPolicy: .bufferingNewest(Self.datagramQueueLimit))
    }

    /// Datagrams waiting for the session: 128 is 2.5 s of 20 ms packets with their RTCP.
    static var datagramQueueLimit: Int { 128 }

    /// Binds the local RTP port and the RTCP port above it (RFC 3550 §11);
    /// with port 0 (tests) both are chosen by the system. Returns both.
    public func bind(host: String, port: Int) async throws -> (rtp: Int, rtcp: Int) {
        channel = try await bindSocket(host: host, port: port, control: false)
        controlChannel = try await bindSocket(host: host, port: port == 0 ? 0 : port + 1, control: true)
        return (channel?.localAddress?.port ?? port, controlChannel?.localAddress?.port ?? port + 1)
    }

    private func bindSocket(host: String, port: Int, control: Bool) async throws -> any Channel {
        let (sink, sources, tally, gate) = (datagramSink, sources, socketTally, inbound.gate)
        return try await DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(MediaDatagramHandler(sink: sink, sources: sources, gate: gate, tally: tally, isControl: control))
                }
            }
            .bind(host: host, port: port).get()
    }

    /// Processes packets and watches for inactivity until cancelled or
    /// `stop()`, handing each event to `deliver` as it happens instead of to ``events``.
    public func run(delivering deliver: @escaping @Sendable (Event) -> Void) async {
        self.deliver = deliver
        await run()
    }

    private func emit(_ event: Event) {
        if let deliver { deliver(event) } else { eventSink.yield(event) }
    }

    /// Processes packets and watches for inactivity until cancelled or `stop()`.
    public func run() async {
        lastActivity = clock.now
        let watchdog = Task { await self.watchInactivity() }
        let reporter = Task { await self.sendReports() }
        for await datagram in datagrams {
            if datagram.isControl {
                receiveControl(datagram)
                continue
            }
            guard let packet = inbound.receive(datagram.bytes, from: datagram.source) else { continue }
            lastActivity = clock.now
            if reception == nil || ssrcChange.observe(packet.ssrc, current: reception?.ssrc) {
                // The first packet, or the peer's stream started anew under another SSRC (a
                // re-INVITE, a transfer inside its PBX): our reports are about the new one.
                reception = ReceptionStatistics(ssrc: packet.ssrc, firstSequence: packet.sequenceNumber, clockRate: audio.codec.clockRate)
            }
            reception?.record(sequence: packet.sequenceNumber, timestamp: packet.timestamp, arrival: origin.duration(to: clock.now))
            if let eventType = audio.telephoneEventPayloadType, Int(packet.payloadType) == eventType {
                if let digit = telephoneEvents.receive(timestamp: packet.timestamp, payload: packet.payload) {
                    emit(.digit(digit))
                }
            } else {
                emit(.packet(packet))
            }
        }
        watchdog.cancel()
        reporter.cancel()
        eventSink.finish()
    }

    private func receiveControl(_ datagram: MediaDatagram) {
        guard let packets = inbound.receiveControl(datagram.bytes, from: datagram.source) else { return }
        for packet in packets {
            switch packet {
            case .senderReport(let report):
                reception?.recordSenderReport(ntpTimestamp: report.ntpTimestamp, arrival: origin.duration(to: clock.now))
                keep(report.reports.filter { $0.ssrc == outbound.ssrc })
            case .receiverReport(let report):
                keep(report.reports.filter { $0.ssrc == outbound.ssrc })
            case .goodbye(let sources):
                if let ssrc = reception?.ssrc, sources.contains(ssrc) { emit(.peerLeft) }
            default:
                break
            }
        }
    }

    private func keep(_ blocks: [RTCPPacket.ReportBlock]) {
        peerReports += blocks
        if peerReports.count > 16 { peerReports.removeFirst(peerReports.count - 16) }
    }

    /// Sends SR (once we have sent media) or RR, with our CNAME, every report
    /// interval randomised by 0.5–1.5 (RFC 3550 §6.3.1).
    private func sendReports() async {
        var random = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            let wait = reportInterval * Double.random(in: 0.5...1.5, using: &random)
            do {
                try await clock.sleep(until: clock.now.advanced(by: wait), tolerance: nil)
            } catch {
                return
            }
            sendReport()
        }
    }

    private func sendReport() {
        guard let controlChannel, let envelope = reportEnvelope(goodbye: false) else { return }
        controlChannel.writeAndFlush(envelope, promise: nil)
    }

    /// A compound SRTCP packet: SR or RR, our CNAME and, when leaving, a BYE
    /// (RFC 3550 §6.6), addressed to where the peer's RTCP comes from.
    private func reportEnvelope(goodbye: Bool) -> AddressedEnvelope<ByteBuffer>? {
        guard let controlChannel else { return nil }
        let now = origin.duration(to: clock.now)
        var blocks: [RTCPPacket.ReportBlock] = []
        if var statistics = reception {
            blocks = [statistics.reportBlock(at: now)]
            reception = statistics
        }
        let report: RTCPPacket = outbound.packetsSent > 0
            ? .senderReport(.init(
                ssrc: outbound.ssrc, ntpTimestamp: NTPTime.now(), rtpTimestamp: outbound.timestamp,
                packetCount: outbound.packetsSent, octetCount: outbound.octetsSent, reports: blocks
            ))
            : .receiverReport(.init(ssrc: outbound.ssrc, reports: blocks))
        var packets = [report, .sourceDescription([outbound.ssrc: "hushbox"])]
        if goodbye { packets.append(.goodbye([outbound.ssrc])) }
        guard let bytes = try? outbound.controlPacket(packets) else { return nil }
        let target = inbound.latchedControlSource
            ?? MediaEndpoint(host: inbound.latchedSource?.host ?? audio.remoteAddress, port: audio.remoteRTCPPort)
        guard let address = try? SocketAddress(ipAddress: target.host, port: target.port) else { return nil }
        return AddressedEnvelope(remoteAddress: address, data: controlChannel.allocator.buffer(bytes: bytes))
    }

    /// Sends one frame of encoded audio lasting `duration` samples (or, with
    /// `payloadType`, a packet of another payload such as a telephone event).
    /// Nothing is sent while the negotiated direction says we may not send
    /// (RFC 3264 §6.1: the peer put the call on hold with sendonly or inactive).
    public func send(payload: [UInt8], duration: UInt32, marker: Bool = false, payloadType: UInt8? = nil) throws {
        guard let channel, audio.localDirection.sends else { return }
        let bytes = try outbound.packet(payload: payload, duration: duration, marker: marker, payloadType: payloadType)
        let target = inbound.latchedSource ?? MediaEndpoint(host: audio.remoteAddress, port: audio.remoteRTPPort)
        let address = try SocketAddress(ipAddress: target.host, port: target.port)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes)), promise: nil)
    }

    /// A re-INVITE changed the call's media (RFC 3264 §8), and the SIP core has
    /// answered it: apply it without dropping the call. A new peer key replaces
    /// the inbound SRTP context (packets under the old key now fail); a new key
    /// of ours replaces the outbound one, and only then (see
    /// ``OutboundMedia/replaceKey(with:)``); a new address or port lets the
    /// stream latch again; the direction decides whether we send and whether
    /// silence ends the call. Throws, leaving the session as it was, when
    /// libsrtp refuses a key.
    public func update(_ new: RTPAudioParameters) throws(SRTPError) {
        let old = audio
        let remoteKeyChanged = old.srtp?.suite != new.srtp?.suite || old.srtp?.remoteKeyMaterial != new.srtp?.remoteKeyMaterial
        let localKeyChanged = old.srtp?.suite != new.srtp?.suite || old.srtp?.localKeyMaterial != new.srtp?.localKeyMaterial
        // Both contexts before either is installed: a refused key changes nothing.
        let inboundContext = try remoteKeyChanged ? InboundMedia.context(for: new.srtp) : nil
        let outboundContext = try localKeyChanged ? OutboundMedia.context(for: new.srtp) : nil
        if remoteKeyChanged { inbound.replaceKey(with: inboundContext) }
        if localKeyChanged { outbound.replaceKey(with: outboundContext) }
        if old.remoteAddress != new.remoteAddress || old.remoteRTPPort != new.remoteRTPPort || old.remoteRTCPPort != new.remoteRTCPPort {
            inbound.mediaMoved(to: new)
        }
        outbound.payloadType = UInt8(truncatingIfNeeded: new.payloadType)
        audio = new
        // The peer just spoke in SIP: the silence clock starts again, so a resumed
        // call has the whole timeout for its first packet.
        lastActivity = clock.now
    }

    /// The peer holds the call: it sends us nothing (inactive, or we only send)
    /// or we may not send (it sends only, often nothing at all). Silence then is
    /// not a caller gone; the SIP dialog's end or the maximum call duration ends it.
    public var isHeld: Bool { audio.localDirection != .sendrecv }

    public var receptionCounters: InboundMedia.Counters {
        var counters = inbound.counters
        counters.outsidePeerSources += socketTally.outsidePeerSources
        counters.droppedQueueFull = socketTally.queueFull
        counters.queuedBySockets = socketTally.queuedCount
        counters.fromWrongSource += socketTally.fromWrongSource
        counters.controlRefused += socketTally.controlRefusedCount
        return counters
    }
    /// The sequence number of the last packet sent.
    public var outboundLastSequence: UInt16 { outbound.lastSequence }
    public var latchedSource: MediaEndpoint? { inbound.latchedSource }
    /// The SSRC of the peer's stream our receiver reports are about.
    public var reportedSSRC: UInt32? { reception?.ssrc }

    /// Says goodbye in RTCP, closes the sockets; `run()` returns.
    public func stop() async {
        if let controlChannel, let goodbye = reportEnvelope(goodbye: true) {
            try? await controlChannel.writeAndFlush(goodbye)
        }
        try? await channel?.close()
        try? await controlChannel?.close()
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
                if isHeld {
                    lastActivity = clock.now
                    continue
                }
                emit(.inactive)
                return
            }
        }
    }
}

/// One datagram from the RTP or the RTCP socket.
struct MediaDatagram: Sendable {
    let bytes: [UInt8]
    let source: MediaEndpoint
    let isControl: Bool
}

/// Wall-clock time as RTCP's 64-bit NTP timestamp (RFC 3550 §4).
enum NTPTime {
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let seconds = UInt64(time.tv_sec) + 2_208_988_800
        let fraction = (UInt64(time.tv_nsec) << 32) / 1_000_000_000
        return seconds << 32 | fraction
    }
}

/// Hands each datagram from the peer's sources that the session's latch
/// (``MediaGate``) lets through, with its source, to the session; drops the
/// rest on the event loop, before they are copied or queued.
final class MediaDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let sink: AsyncStream<MediaDatagram>.Continuation
    private let sources: MediaSources
    private let gate: MediaGate
    private let tally: MediaSocketTally
    private let isControl: Bool

    init(sink: AsyncStream<MediaDatagram>.Continuation, sources: MediaSources, gate: MediaGate, tally: MediaSocketTally, isControl: Bool) {
        self.sink = sink
        self.sources = sources
        self.gate = gate
        self.tally = tally
        self.isControl = isControl
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let host = envelope.remoteAddress.ipAddress, let port = envelope.remoteAddress.port else { return }
        guard sources.admit(host) else {
            tally.countOutsidePeerSources()
            return
        }
        let source = MediaEndpoint(host: host, port: port)
        if isControl {
            guard gate.admitsControl(fromHost: host) else {
                tally.countControlRefused()
                return
            }
        } else {
            guard gate.admitsRTP(from: source) else {
                tally.countWrongSource()
                return
            }
        }
        let datagram = MediaDatagram(bytes: Array(envelope.data.readableBytesView), source: source, isControl: isControl)
        tally.countQueued()
        if case .dropped = sink.yield(datagram) { tally.countQueueFull() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP unreachable from a peer that went away: the inactivity timeout ends the call.
    }
}

@available(*, unavailable)
extension MediaDatagramHandler: Sendable {}
