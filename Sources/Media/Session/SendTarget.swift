import NIOCore

/// Where a call's packets go, as a socket address parsed once rather than
/// per packet: the target changes only when the call latches or moves.
struct SendTarget {
    private var last: (endpoint: MediaEndpoint, address: SocketAddress)?

    /// The socket address of `endpoint`; throws when it is no IP address (an SDP that named a host).
    mutating func address(for endpoint: MediaEndpoint) throws -> SocketAddress {
        if let last, last.endpoint == endpoint { return last.address }
        let address = try SocketAddress(ipAddress: endpoint.host, port: endpoint.port)
        last = (endpoint, address)
        return address
    }
}
