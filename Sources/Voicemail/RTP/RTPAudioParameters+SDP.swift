public import Media
public import SIPCore

extension RTPAudioParameters {
    /// The stream both sides agreed in SDP, as the media session runs it.
    public init(_ negotiated: NegotiatedAudio) {
        self.init(
            codec: negotiated.codec, payloadType: negotiated.payloadType, telephoneEventPayloadType: negotiated.telephoneEventPayloadType,
            packetTimeMilliseconds: negotiated.packetTimeMilliseconds, remoteAddress: negotiated.remoteAddress,
            remoteRTPPort: negotiated.remoteRTPPort, remoteRTCPPort: negotiated.remoteRTCPPort, localDirection: negotiated.localDirection,
            srtp: negotiated.srtp.map { SRTP(suite: $0.suite, remoteKeyMaterial: $0.remoteKeyMaterial, localKeyMaterial: $0.localKeyMaterial) }
        )
    }
}
