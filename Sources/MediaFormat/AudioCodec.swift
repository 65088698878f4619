/// The audio codecs Hushbox speaks, with their RTP names (RFC 3551, RFC 7587).
public enum AudioCodec: String, Sendable, Hashable, CaseIterable {
    case opus
    case pcmu
    case pcma

    /// The rtpmap encoding name, as case-insensitively matched.
    public var encodingName: String {
        switch self {
        case .opus: "opus"
        case .pcmu: "PCMU"
        case .pcma: "PCMA"
        }
    }

    public var clockRate: Int { self == .opus ? 48_000 : 8_000 }
    /// RFC 7587 §7: Opus is always signalled as 2 channels.
    public var channels: Int? { self == .opus ? 2 : nil }
    /// The static payload type, if the codec has one.
    public var staticPayloadType: Int? {
        switch self {
        case .opus: nil
        case .pcmu: 0
        case .pcma: 8
        }
    }
}
