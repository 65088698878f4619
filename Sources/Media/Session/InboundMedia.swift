#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MediaFormat

/// The receiving half of a call's media: the peer's allowlist first (plain
/// RTP has nothing else to tell the caller's packets from a stranger's), then
/// SRTP authentication (RFC 3711: a packet that fails is dropped and counted,
/// never parsed further), then symmetric RTP (RFC 4961): the first accepted
/// packet latches the peer's real address, behind whatever NAT, and packets
/// from anywhere else are dropped. Plain RTP latches only to the address the
/// peer announced in its SDP when that address is one of its sources: a
/// packet forged from another address of the peer's range cannot take the
/// call (a peer behind NAT, whose announced address is none of its sources,
/// latches to its first packet). Not Sendable: it holds the libsrtp context
/// of one media task.
public final class InboundMedia {
    public struct Counters: Sendable, Hashable {
        public var accepted = 0
        public var failedAuthentication = 0
        public var replayed = 0
        /// From an allowed address, but not the one the stream latched to.
        public var fromWrongSource = 0
        /// From an address outside the peer's configured sources (RTP or RTCP).
        public var outsidePeerSources = 0
        public var malformed = 0
        public var controlAccepted = 0
        public var controlRefused = 0
        /// Dropped before the session took them: a call's socket buffer overflowed
        /// in the kernel (a flood before the call latched, or a loop that fell
        /// behind), or a reader of the session's event stream fell behind.
        public var droppedQueueFull = 0
        /// Datagrams from the peer's sources (and, once latched, from the latched
        /// source) the RTP socket handed to the session.
        public var queuedBySockets = 0

        public init() {}
    }

    public private(set) var counters = Counters()
    /// Where the peer's media really comes from, once known.
    public private(set) var latchedSource: MediaEndpoint?
    /// Where the peer's RTCP comes from, once known: our reports go back there (symmetric RTCP, RFC 4961).
    public private(set) var latchedControlSource: MediaEndpoint?
    private var srtp: SRTPContext?
    private let sources: MediaSources

    /// Where media may come from now (the latch, or the SDP's host for plain RTP),
    /// shared with the call's sockets so they drop early what this would drop.
    let gate = MediaGate()

    /// - Parameter audio: the negotiated stream; plain RTP only when no SRTP was negotiated
    ///   (a plaintext peer), otherwise the peer's key from its SDES attribute.
    /// - Parameter sources: the addresses the call's peer may send from.
    public init(audio: RTPAudioParameters, sources: MediaSources) throws(SRTPError) {
        srtp = try Self.context(for: audio.srtp)
        self.sources = sources
        gate.reset(requiredHost: Self.requiredHost(for: audio, sources: sources))
    }

    /// SRTP packets prove themselves; plain RTP has only its address, so it
    /// must come from the announced one when the peer's sources include it.
    static func requiredHost(for audio: RTPAudioParameters, sources: MediaSources) -> String? {
        guard audio.srtp == nil, sources.admit(audio.remoteAddress) else { return nil }
        return MediaEndpoint.canonical(audio.remoteAddress)
    }


    /// The inbound libsrtp context for a negotiated key, or nil for plain RTP.
    public static func context(for key: RTPAudioParameters.SRTP?) throws(SRTPError) -> SRTPContext? {
        try key.map { srtp throws(SRTPError) in
            try SRTPContext(suite: srtp.suite, keyMaterial: srtp.remoteKeyMaterial, direction: .inbound)
        }
    }

    /// The packet, if it is from the peer's sources, authentic, well formed and from the latched source.
    public func receive(_ datagram: [UInt8], from source: MediaEndpoint) -> RTPPacket? {
        // Before any crypto: a spray from elsewhere costs a lookup, and for plain RTP
        // this check is what keeps a stranger from latching the call.
        guard sources.admit(source.host) else {
            counters.outsidePeerSources += 1
            return nil
        }
        // The latched source once there is one, else the SDP's host for plain RTP: one rule, the gate's.
        guard gate.admitsRTP(from: source) else {
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
        if latchedSource == nil {
            latchedSource = source
            gate.latch(source)
        }
        counters.accepted += 1
        return packet
    }

    /// A re-INVITE brought the peer's new key (RFC 4568 §7.1.4): from now on only
    /// packets under it are authentic; a packet still under the old key fails.
    /// A fresh context also means a fresh replay window and rollover counter, as
    /// for the new stream the peer's new context starts.
    public func replaceKey(with context: SRTPContext?) {
        srtp = context
    }

    /// The peer's media moved (a new address or port in a re-offer): the next
    /// accepted packet latches again, RTP and RTCP alike, under the new offer's rule.
    public func mediaMoved(to audio: RTPAudioParameters) {
        latchedSource = nil
        latchedControlSource = nil
        gate.reset(requiredHost: Self.requiredHost(for: audio, sources: sources))
    }
}

extension InboundMedia {
    /// An SRTCP (or, for a plaintext peer, RTCP) compound packet, if authentic,
    /// well formed and from the latched peer's address (and always from the peer's sources).
    public func receiveControl(_ datagram: [UInt8], from source: MediaEndpoint) -> [RTCPPacket]? {
        guard sources.admit(source.host) else {
            counters.outsidePeerSources += 1
            return nil
        }
        guard gate.admitsControl(fromHost: source.host) else {
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

    /// One spelling per address, to compare an SDP's address with a socket's:
    /// IPv4 as a.b.c.d whether written plainly or IPv4-mapped (::ffff:a.b.c.d,
    /// as a dual-stack socket reports it), IPv6 in inet_ntop's form (lower
    /// case, zeros compressed). Anything that is no IP literal stays as it is.
    public static func canonical(_ host: String) -> String {
        // Raw address bytes rather than in_addr/in6_addr: which clang module owns
        // those types depends on import order (Glibc or NIO's shims).
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, host, &v4) == 1 { return host }
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, host, &bytes) == 1 else { return host }
        if bytes.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) {
            return bytes.suffix(4).map(String.init).joined(separator: ".")
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &bytes, &text, socklen_t(text.count)) != nil else { return host }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
