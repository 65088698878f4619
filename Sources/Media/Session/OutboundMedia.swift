public import SIPCore

/// The sending half of a call's media: RTP headers with our SSRC, a random
/// starting sequence number and timestamp (RFC 3550 §5.1), then SRTP with our
/// SDES key. Not Sendable: one media task owns it.
public final class OutboundMedia {
    public let ssrc: UInt32
    public let payloadType: UInt8
    private var sequence: UInt16
    public var lastSequence: UInt16 { sequence &- 1 }
    /// The RTP timestamp the next packet will carry.
    public private(set) var timestamp: UInt32
    private let srtp: SRTPContext?
    public private(set) var packetsSent: UInt32 = 0
    public private(set) var octetsSent: UInt32 = 0

    public init(audio: NegotiatedAudio, using random: inout some RandomNumberGenerator) throws(SRTPError) {
        ssrc = random.next()
        sequence = random.next()
        timestamp = random.next()
        payloadType = UInt8(truncatingIfNeeded: audio.payloadType)
        srtp = try audio.srtp.map { srtp throws(SRTPError) in
            try SRTPContext(suite: srtp.suite, keyMaterial: srtp.localKeyMaterial, direction: .outbound)
        }
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
