import NIOCore

/// One datagram from the RTP or the RTCP socket.
struct MediaDatagram: Sendable {
    let bytes: [UInt8]
    let source: MediaEndpoint
    let isControl: Bool
}

/// Hands each datagram from the peer's sources that the session's latch
/// (``MediaGate``) lets through, with its source, to the session; drops the
/// rest before they are copied.
final class MediaDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let receive: @Sendable (MediaDatagram) -> Void
    private let sources: MediaSources
    private let gate: MediaGate
    private let tally: MediaSocketTally
    private let isControl: Bool

    init(receive: @escaping @Sendable (MediaDatagram) -> Void, sources: MediaSources, gate: MediaGate, tally: MediaSocketTally, isControl: Bool) {
        self.receive = receive
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
        receive(datagram)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // ICMP unreachable from a peer that went away: the inactivity timeout ends the call.
    }
}

@available(*, unavailable)
extension MediaDatagramHandler: Sendable {}
