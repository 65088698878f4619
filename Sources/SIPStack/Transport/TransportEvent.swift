/// What the transports hand the endpoint.
enum TransportEvent: Sendable {
    /// One datagram or one framed stream message.
    case message([UInt8], SIPFlow)
    /// A TCP or TLS connection closed.
    case closed(SIPFlow)
}
