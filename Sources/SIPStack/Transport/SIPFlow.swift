/// The three transports Hushbox listens on. TLS is the only one a peer may use
/// unless configuration marks it plaintext.
public enum SIPTransport: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case udp, tcp, tls

    /// Stream transports deliver reliably, which turns retransmission timers off
    /// (RFC 3261 §17: "reliable transport").
    public var isReliable: Bool { self != .udp }

    /// The name in a Via header's sent-protocol.
    public var viaName: String { rawValue.uppercased() }

    public var description: String { viaName }

    public init?(viaName: String) {
        self.init(rawValue: viaName.lowercased())
    }
}

/// An IP address and port, as a socket saw it.
public struct SocketEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 or IPv6 literal, IPv6 without brackets.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Identifies one accepted or opened TCP/TLS connection for the life of the process.
public struct ConnectionID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt64
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }
    public var description: String { "conn-\(rawValue)" }
}

/// Where a message came from, and so where its responses go: for a stream, the
/// connection it arrived on (RFC 3261 §18.2.2); for UDP, the source address.
public struct SIPFlow: Sendable, Hashable, CustomStringConvertible {
    public var transport: SIPTransport
    public var remote: SocketEndpoint
    /// The connection for TCP and TLS; nil for UDP, or for a stream flow that
    /// has to be opened first.
    public var connection: ConnectionID?
    /// For a TLS connection the box opens to a server DNS located: the
    /// domain its certificate must be valid for (RFC 5922 §4), not the address.
    public var serverName: String?

    public init(transport: SIPTransport, remote: SocketEndpoint, connection: ConnectionID? = nil, serverName: String? = nil) {
        self.transport = transport
        self.remote = remote
        self.connection = connection
        self.serverName = serverName
    }

    public var description: String { "\(transport) \(remote)" + (connection.map { " \($0)" } ?? "") }
}
