public import SIPCore

/// What the signalling core asks its owner to do.
public enum SignallingAction: Sendable {
    /// Send these bytes over the flow (opening a connection when it has none).
    case send([UInt8], over: SIPFlow)
    /// Close the flow's connection once what was sent before has gone (a refused stranger on a stream).
    case close(SIPFlow)
    case incomingCall(IncomingCall)
    /// The ACK for the 200 OK arrived: media may flow both ways.
    case callEstablished(CallReference)
    /// A re-INVITE changed the media (hold, resume, new address).
    case mediaUpdated(CallReference, NegotiatedAudio)
    case callEnded(CallReference, CallEnd, localRTPPort: Int)
    case registrationChanged(peer: String, RegistrationClient.Status)
    /// Find where a registrar named by host name runs (RFC 3263), and answer
    /// with ``SignallingCore/registrarLocated(_:targets:at:)``.
    case locate(peer: String, host: String, port: Int?, transport: SIPTransport)
    case log(SignallingLogRecord)
}

/// A log line the core wants written. It never carries a phone number, a name
/// or a SIP user part: only Call-IDs, peers, source addresses and reasons.
public struct SignallingLogRecord: Sendable, Hashable {
    public enum Level: String, Sendable, Hashable {
        case debug, info, notice, warning, error
    }

    public var level: Level
    public var message: String
    public var callID: String?
    public var source: String?
    public var peer: String?

    public init(_ level: Level, _ message: String, callID: String? = nil, source: String? = nil, peer: String? = nil) {
        self.level = level
        self.message = message
        self.callID = callID
        self.source = source
        self.peer = peer
    }
}

/// Counters an operator reads on /metrics.
public struct SignallingCounters: Sendable, Hashable {
    public var messagesReceived = 0
    public var droppedByRateLimit = 0
    public var droppedFromBlockedSource = 0
    public var sourcesBlocked = 0
    public var refusedPlaintext = 0
    public var refusedUnknownSource = 0
    /// Messages from addresses that are no peer's, dropped without an answer or any state.
    public var droppedUnknownSource = 0
    /// INVITEs from a device whose address failed digest authentication too often, refused without checking.
    public var refusedAuthenticationLocked = 0
    public var refusedOverloaded = 0
    public var refusedMedia = 0
    /// New calls refused with 503 while the box shuts down.
    public var refusedShuttingDown = 0
    public var unparseable = 0
    public var callsOffered = 0
    public var callsEstablished = 0

    public init() {}
}
