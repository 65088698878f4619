public import SIPCore

/// Names one call between the signalling core and the application. Its
/// description is the SIP Call-ID, which log lines carry instead of numbers.
public struct CallReference: Sendable, Hashable, CustomStringConvertible {
    public let number: UInt64
    public let callID: String

    public var description: String { callID }
}

/// A call offered to the application, which answers with ring, accept or reject.
public struct IncomingCall: Sendable {
    public let reference: CallReference
    /// The configured peer it came through.
    public let peer: String
    /// That peer's configured sources: its media must come from them too
    /// (for a plaintext peer nothing else tells the caller's RTP from a stranger's).
    public let peerSources: [AddressRange]
    /// Whom the INVITE is for and who sent it, as written: Request-URI, To,
    /// the diversion history, From, the asserted identity and privacy.
    /// Personal data (numbers): for routing and consent, never for logs.
    public let addressing: CallAddressing
    public let audio: NegotiatedAudio
    public let localRTPPort: Int

    /// The dialled user or number: the Request-URI's user part, unescaped.
    public var dialledUser: String? { addressing.requestURI.sipURI?.unescapedUser }
}

/// Why a call ended.
public enum CallEnd: Sendable, Hashable, CustomStringConvertible {
    /// The caller sent BYE.
    case remoteHangUp
    /// The application hung up (or the maximum call duration ran out).
    case localHangUp
    /// CANCEL before the call was answered.
    case cancelled
    /// The application rejected the call with this status.
    case rejected(Int)
    /// No ACK for the 2xx within 64·T1 (RFC 3261 §13.3.1.4).
    case acknowledgementTimedOut
    /// The connection the call's signalling used closed.
    case transportClosed

    public var description: String {
        switch self {
        case .remoteHangUp: "caller hung up"
        case .localHangUp: "hung up by the box"
        case .cancelled: "cancelled before answer"
        case .rejected(let status): "rejected with \(status)"
        case .acknowledgementTimedOut: "no ACK for the 200 OK"
        case .transportClosed: "signalling connection closed"
        }
    }
}
