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
///
/// A datagram is processed where it is read, on the session's one event
/// loop, with no queue, task or thread between the socket and the call. A
/// call's RTP socket is read by the call at each 20 ms slot
/// (`readsWhenAsked`, ``readWaitingPackets()``); otherwise (a test's phone)
/// a channel of the loop reads each datagram as it arrives and the session
/// hands its event to the owner there (``run(delivering:)``) or queues it on
/// ``events``. RTCP always arrives through a channel.
public actor MediaSession<ClockType: Clock> where ClockType.Duration == Duration {
    public typealias Event = MediaEvent

    /// Events for an owner that reads them as a stream (``run()``); bounded,
    /// newest kept: a reader that falls behind loses stale audio, never memory.
    public nonisolated let events: AsyncStream<Event>
    private let eventSink: AsyncStream<Event>.Continuation
    /// Where events go when the owner runs the session with ``run(delivering:)``
    /// (a call's runtime): straight from the session's loop, with no stream and
    /// no task between.
    private var deliver: (@Sendable (Event) -> Void)?
    /// Finishes when the session stops: what ``run()`` waits for.
    private let stopped: AsyncStream<Never>
    private let stopSink: AsyncStream<Never>.Continuation
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
    /// The RTP socket: a channel of the loop that reads each datagram as it
    /// arrives, or a ``CallSocket`` the owner reads once per slot.
    private var channel: (any Channel)?
    private var callSocket: CallSocket?
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

    /// The RTP socket is read when the owner asks (``readWaitingPackets(_:)``), not when a datagram arrives.
    private let readsWhenAsked: Bool

    /// - Parameter sources: the addresses the call's SIP peer may send from; media
    ///   from anywhere else is dropped and counted, SRTP or not.
    /// - Parameter readsWhenAsked: the owner reads the RTP socket once per
    ///   20 ms slot of its own (``readWaitingPackets(_:)``): the kernel holds
    ///   the caller's packets until then, and the loop wakes once per slot
    ///   instead of once per packet and once more for the slot.
    public init(
        audio: RTPAudioParameters, sources: MediaSources, inactivityTimeout: Duration = .seconds(30), reportInterval: Duration = .seconds(5),
        clock: ClockType, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, readsWhenAsked: Bool = false
    ) throws(SRTPError) {
        self.readsWhenAsked = readsWhenAsked
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
        (events, eventSink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(Self.eventQueueLimit))
        (stopped, stopSink) = AsyncStream.makeStream(of: Never.self)
    }

    /// Events waiting for a reader of ``events``: 128 is 2.5 s of 20 ms packets.
    static var eventQueueLimit: Int { 128 }

    /// Binds the local RTP port and the RTCP port above it (RFC 3550 §11);
    /// with port 0 (tests) both are chosen by the system. Returns both.
    public func bind(host: String, port: Int) async throws -> (rtp: Int, rtcp: Int) {
        let rtpPort: Int
        if readsWhenAsked {
            let socket = try CallSocket(host: host, port: port)
            callSocket = socket
            rtpPort = socket.localPort
        } else {
            let channel = try await bindSocket(host: host, port: port, control: false)
            self.channel = channel
            rtpPort = channel.localAddress?.port ?? port
        }
        controlChannel = try await bindSocket(host: host, port: port == 0 ? 0 : port + 1, control: true)
        return (rtpPort, controlChannel?.localAddress?.port ?? port + 1)
    }

    private func bindSocket(host: String, port: Int, control: Bool) async throws -> any Channel {
        let (sources, tally, gate) = (sources, socketTally, inbound.gate)
        // The handler runs on the session's loop: it calls the session there, synchronously.
        let receive: @Sendable (MediaDatagram) -> Void = { [self] datagram in
            self.assumeIsolated { session in session.receive(datagram) }
        }
        return try await DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        MediaDatagramHandler(receive: receive, sources: sources, gate: gate, tally: tally, isControl: control)
                    )
                }
            }
            .bind(host: host, port: port).get()
    }

    /// Reads what the kernel holds for the RTP socket of a session that reads
    /// when asked (at most two of the caller's datagrams), and returns the events of its
    /// packets, in order.
    public func readWaitingPackets() -> [Event] {
        guard let callSocket else { return [] }
        var events: [Event] = []
        let (sources, gate, tally) = (sources, inbound.gate, socketTally)
        // The same early refusal as a channel's handler: a stranger's datagram costs a read and a lookup.
        let admits = { (source: MediaEndpoint) -> Bool in
            guard sources.admit(source.host) else {
                tally.countOutsidePeerSources()
                return false
            }
            guard gate.admitsRTP(from: source) else {
                tally.countWrongSource()
                return false
            }
            return true
        }
        let read = callSocket.readWaiting(admitting: admits) { bytes, source in
            if let event = receive(rtp: Array(bytes), from: source) { events.append(event) }
        }
        socketTally.countQueued(read)
        // Latched: from now on the kernel itself keeps everyone else out of the socket.
        if let latched = inbound.latchedSource, callSocket.connectedTo != latched { callSocket.connect(to: latched) }
        return events
    }

    /// Processes packets and watches for inactivity until cancelled or
    /// `stop()`, handing each event to `deliver` as it happens instead of to ``events``.
    public func run(delivering deliver: @escaping @Sendable (Event) -> Void) async {
        self.deliver = deliver
        await run()
    }

    private func emit(_ event: Event) {
        if let deliver {
            deliver(event)
        } else if case .dropped = eventSink.yield(event) {
            socketTally.countQueueFull()
        }
    }

    /// Watches for inactivity and sends reports until cancelled or `stop()`;
    /// packets are processed as they arrive, their events put on ``events``
    /// (unless the session runs with ``run(delivering:)``).
    public func run() async {
        lastActivity = clock.now
        let watchdog = Task { await self.watchInactivity() }
        let reporter = Task { await self.sendReports() }
        for await _ in stopped {}
        watchdog.cancel()
        reporter.cancel()
        eventSink.finish()
    }

    /// One datagram from the sockets' channels, on the session's loop.
    private func receive(_ datagram: MediaDatagram) {
        if datagram.isControl {
            receiveControl(datagram)
        } else if let event = receive(rtp: datagram.bytes, from: datagram.source) {
            emit(event)
        }
    }

    /// One RTP datagram: the event it brings, if it is authentic and from the caller.
    private func receive(rtp bytes: [UInt8], from source: MediaEndpoint) -> Event? {
        guard let packet = inbound.receive(bytes, from: source) else { return nil }
        lastActivity = clock.now
        if reception == nil || ssrcChange.observe(packet.ssrc, current: reception?.ssrc) {
            // The first packet, or the peer's stream started anew under another SSRC (a
            // re-INVITE, a transfer inside its PBX): our reports are about the new one.
            reception = ReceptionStatistics(ssrc: packet.ssrc, firstSequence: packet.sequenceNumber, clockRate: audio.codec.clockRate)
        }
        reception?.record(sequence: packet.sequenceNumber, timestamp: packet.timestamp, arrival: origin.duration(to: lastActivity))
        if let eventType = audio.telephoneEventPayloadType, Int(packet.payloadType) == eventType {
            return telephoneEvents.receive(timestamp: packet.timestamp, payload: packet.payload).map(Event.digit)
        }
        return .packet(packet)
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
        guard channel != nil || callSocket != nil, audio.localDirection.sends else { return }
        let bytes = try outbound.packet(payload: payload, duration: duration, marker: marker, payloadType: payloadType)
        let target = inbound.latchedSource ?? MediaEndpoint(host: audio.remoteAddress, port: audio.remoteRTPPort)
        if let callSocket {
            try callSocket.send(bytes, to: target)
            return
        }
        guard let channel else { return }
        let address = try sendTarget.address(for: target)
        // One buffer for every packet: a datagram is written before writeAndFlush
        // returns, so the buffer is free again and clearing it allocates nothing.
        sendBuffer.clear()
        sendBuffer.writeBytes(bytes)
        channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: sendBuffer), promise: nil)
    }

    private var sendTarget = SendTarget()
    private var sendBuffer = ByteBuffer()

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
            callSocket?.disconnect()
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
        counters.malformed += callSocket?.oversized ?? 0
        counters.droppedQueueFull += callSocket?.droppedByKernel ?? 0
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
        callSocket?.close()
        try? await controlChannel?.close()
        stopSink.finish()
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

/// What a call's media brings its owner.
public enum MediaEvent: Sendable, Hashable {
    case packet(RTPPacket)
    case digit(DTMFDigit)
    /// No authentic media for the inactivity timeout: the caller is gone.
    case inactive
    /// The peer said goodbye in RTCP (BYE for the stream we receive):
    /// its media ends, though the SIP BYE may still be on its way.
    case peerLeft
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
