/// What the transports hand the endpoint.
enum TransportEvent: Sendable {
    /// One datagram or one framed stream message.
    case message([UInt8], SIPFlow)
    /// A TCP or TLS connection closed.
    case closed(SIPFlow)
    /// Datagrams from strangers were dropped at the socket (see
    /// ``StrangerDropTally``); the core is to take the count and log it.
    /// At most one of these waits in the queue at a time.
    case strangersDropped
}
