public import MediaFormat

/// What one RTP audio stream needs: the codec and payload types, where the
/// peer's RTP and RTCP go, the direction, and the SRTP keys. Signalling
/// fills it in (SIP from the SDP offer and answer); Media knows nothing of how.
public struct RTPAudioParameters: Sendable, Hashable {
    public struct SRTP: Sendable, Hashable {
        public var suite: SRTPCryptoSuite
        /// The peer's key and salt: unprotects what it sends.
        public var remoteKeyMaterial: [UInt8]
        /// Our key and salt: protects what we send.
        public var localKeyMaterial: [UInt8]

        public init(suite: SRTPCryptoSuite, remoteKeyMaterial: [UInt8], localKeyMaterial: [UInt8]) {
            self.suite = suite
            self.remoteKeyMaterial = remoteKeyMaterial
            self.localKeyMaterial = localKeyMaterial
        }
    }

    public var codec: AudioCodec
    public var payloadType: Int
    public var telephoneEventPayloadType: Int?
    public var packetTimeMilliseconds: Int
    public var remoteAddress: String
    public var remoteRTPPort: Int
    public var remoteRTCPPort: Int
    /// What we do: send, receive, both or neither.
    public var localDirection: MediaDirection
    public var srtp: SRTP?

    public init(
        codec: AudioCodec, payloadType: Int, telephoneEventPayloadType: Int?, packetTimeMilliseconds: Int, remoteAddress: String,
        remoteRTPPort: Int, remoteRTCPPort: Int, localDirection: MediaDirection, srtp: SRTP?
    ) {
        self.codec = codec
        self.payloadType = payloadType
        self.telephoneEventPayloadType = telephoneEventPayloadType
        self.packetTimeMilliseconds = packetTimeMilliseconds
        self.remoteAddress = remoteAddress
        self.remoteRTPPort = remoteRTPPort
        self.remoteRTCPPort = remoteRTCPPort
        self.localDirection = localDirection
        self.srtp = srtp
    }
}
