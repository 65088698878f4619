public import SIPCore

/// The receiving half of a call's media: SRTP authentication first (RFC 3711:
/// a packet that fails is dropped and counted, never parsed further), then
/// symmetric RTP (RFC 4961): the first authenticated packet latches the
/// peer's real address, behind whatever NAT, and packets from anywhere else
/// are dropped. Not Sendable: it holds the libsrtp context of one media task.
public final class InboundMedia {
    public struct Counters: Sendable, Hashable {
        public var accepted = 0
        public var failedAuthentication = 0
        public var replayed = 0
        public var fromWrongSource = 0
        public var malformed = 0
        public var controlAccepted = 0
        public var controlRefused = 0
    }

    public private(set) var counters = Counters()
    /// Where the peer's media really comes from, once known.
    public private(set) var latchedSource: MediaEndpoint?
    /// Where the peer's RTCP comes from, once known: our reports go back there (symmetric RTCP, RFC 4961).
    public private(set) var latchedControlSource: MediaEndpoint?
    private let srtp: SRTPContext?

    /// - Parameter audio: the negotiated stream; plain RTP only when no SRTP was negotiated
    ///   (a plaintext peer), otherwise the peer's key from its SDES attribute.
    public init(audio: NegotiatedAudio) throws(SRTPError) {
        srtp = try audio.srtp.map { srtp throws(SRTPError) in
            try SRTPContext(suite: srtp.suite, keyMaterial: srtp.remoteKeyMaterial, direction: .inbound)
        }
    }

    /// The packet, if it is authentic, well formed and from the latched source.
    public func receive(_ datagram: [UInt8], from source: MediaEndpoint) -> RTPPacket? {
        if let latchedSource, latchedSource != source {
            counters.fromWrongSource += 1
            return nil
        }
        var clear = datagram
        if let srtp {
            do {
                clear = try srtp.unprotect(rtp: datagram)
            } catch {
                switch error.code {
                case .replayed: counters.replayed += 1
                default: counters.failedAuthentication += 1
                }
                return nil
            }
        }
        guard let packet = try? RTPPacket(parsing: clear) else {
            counters.malformed += 1
            return nil
        }
        if latchedSource == nil { latchedSource = source }
        counters.accepted += 1
        return packet
    }
}

extension InboundMedia {
    /// An SRTCP (or, for a plaintext peer, RTCP) compound packet, if authentic,
    /// well formed and from the latched peer's address.
    public func receiveControl(_ datagram: [UInt8], from source: MediaEndpoint) -> [RTCPPacket]? {
        if let latchedSource, latchedSource.host != source.host {
            counters.controlRefused += 1
            return nil
        }
        guard let clear = srtp.map({ context in try? context.unprotect(rtcp: datagram) }) ?? datagram,
            let packets = try? RTCPPacket.parseCompound(clear)
        else {
            counters.controlRefused += 1
            return nil
        }
        counters.controlAccepted += 1
        if latchedControlSource == nil { latchedControlSource = source }
        return packets
    }
}

/// An IP address and UDP port of media.
public struct MediaEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
