import MediaFormat

/// The sending half of a call's media: RTP headers with our SSRC, a random
/// starting sequence number and timestamp (RFC 3550 §5.1), then SRTP with our
/// SDES key. Not Sendable: one media task owns it.
public final class OutboundMedia {
    public let ssrc: UInt32
    /// Internal(set): a re-INVITE may renumber the codec's dynamic payload type.
    public internal(set) var payloadType: UInt8
    private var sequence: UInt16
    public var lastSequence: UInt16 { sequence &- 1 }
    /// The RTP timestamp the next packet will carry.
    public private(set) var timestamp: UInt32
    private var srtp: SRTPContext?
    public private(set) var packetsSent: UInt32 = 0
    public private(set) var octetsSent: UInt32 = 0

    public init(audio: RTPAudioParameters, using random: inout some RandomNumberGenerator) throws(SRTPError) {
        ssrc = random.next()
        sequence = random.next()
        timestamp = random.next()
        payloadType = UInt8(truncatingIfNeeded: audio.payloadType)
        srtp = try Self.context(for: audio.srtp)
    }

    /// The outbound libsrtp context for our negotiated key, or nil for plain RTP.
    public static func context(for key: RTPAudioParameters.SRTP?) throws(SRTPError) -> SRTPContext? {
        try key.map { srtp throws(SRTPError) in
            try SRTPContext(suite: srtp.suite, keyMaterial: srtp.localKeyMaterial, direction: .outbound)
        }
    }

    /// Our key changed in a re-negotiation. Only then: a new context with the
    /// same key would restart the rollover counter under a key that has already
    /// encrypted those packet indices once (a two-time pad after a wrap).
    /// SSRC, sequence and timestamp go on, so the peer sees one stream.
    public func replaceKey(with context: SRTPContext?) {
        srtp = context
    }

    /// The next packet carrying `payload`, then the clock moves on by `duration` samples.
    public func packet(payload: [UInt8], duration: UInt32, marker: Bool = false, payloadType override: UInt8? = nil) throws(SRTPError) -> [UInt8] {
        let packet = RTPPacket(
            marker: marker, payloadType: override ?? payloadType, sequenceNumber: sequence, timestamp: timestamp, ssrc: ssrc, payload: payload
        )
        sequence &+= 1
        timestamp &+= duration
        packetsSent &+= 1
        octetsSent &+= UInt32(payload.count)
        let bytes = packet.serialized
        return try srtp?.protect(rtp: bytes) ?? bytes
    }

    /// A compound RTCP packet, protected as SRTCP when the call uses SRTP.
    public func controlPacket(_ packets: [RTCPPacket]) throws(SRTPError) -> [UInt8] {
        let bytes = packets.flatMap(\.serialized)
        return try srtp?.protect(rtcp: bytes) ?? bytes
    }
}
