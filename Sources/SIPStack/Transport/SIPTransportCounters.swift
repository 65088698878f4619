/// What the transports refused or dropped before the signalling core saw it.
public struct SIPTransportCounters: Sendable, Hashable {
    /// TCP/TLS connections closed at once: a stranger's, or over the limits in all or per address.
    public var connectionsRefused = 0
    /// TCP/TLS connections open now.
    public var connectionsOpen = 0
    /// UDP datagrams from strangers dropped at the socket (also in the core's `droppedUnknownSource` once it has taken them).
    public var strangerDatagramsDropped = 0
    /// Messages dropped because the queue to the core was full.
    public var inboundDropped = 0

    public init() {}
}
