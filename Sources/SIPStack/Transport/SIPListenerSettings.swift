public import NetworkLimits
public import NIOSSL

/// Where the SIP listeners bind and with what TLS identity.
public struct SIPListenerSettings: Sendable {
    /// An IP literal to bind, e.g. 0.0.0.0, 127.0.0.1 or ::.
    public var host: String
    /// Port 0 asks the kernel for a free port (tests); nil leaves that transport off.
    public var udpPort: Int?
    public var tcpPort: Int?
    public var tlsPort: Int?
    /// The server side: the device certificate, TLS 1.2 at least, and when
    /// client certificates are required, their trust roots.
    public var serverTLS: TLSConfiguration?
    /// For connections the box opens (registration with a trunk over TLS).
    public var clientTLS: TLSConfiguration
    /// For connections the box opens to these hosts (a registrar named by
    /// host or address), in place of ``clientTLS``: a PBX or proxy whose
    /// certificate chains to its own CA rather than a public one.
    public var clientTLSByHost: [String: TLSConfiguration] = [:]
    /// TCP and TLS connections held at once, in all and per address.
    public var connections = ConnectionBudget.Limits(total: 256, perSource: 16, requestDeadline: .seconds(10))
    /// A TLS handshake must finish within this of the connection's start.
    public var handshakeTimeout: Duration = .seconds(10)
    /// A connection with no whole message (a keep-alive counts) for this long is closed.
    public var idleTimeout: Duration = .seconds(300)
    /// Messages waiting for the signalling core; beyond this, new ones are dropped and counted.
    public var inboundQueueLimit = 4096

    public init(host: String, udpPort: Int?, tcpPort: Int?, tlsPort: Int?, serverTLS: TLSConfiguration?, clientTLS: TLSConfiguration = Self.defaultClientTLS) {
        self.host = host
        self.udpPort = udpPort
        self.tcpPort = tcpPort
        self.tlsPort = tlsPort
        self.serverTLS = serverTLS
        self.clientTLS = clientTLS
    }

    /// Verifies the trunk against the system's roots, TLS 1.2 or newer.
    public static var defaultClientTLS: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// Verifies a peer against `roots` only (its own CA), TLS 1.2 or newer, host name or address checked.
    public static func clientTLS(trusting roots: [NIOSSLCertificate]) -> TLSConfiguration {
        var configuration = defaultClientTLS
        configuration.trustRoots = .certificates(roots)
        return configuration
    }

    /// The server configuration for the device identity, TLS 1.2 minimum, and
    /// optionally requiring a client certificate signed by `clientCA` (mutual TLS for devices).
    public static func serverTLS(certificateChain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey, clientCA: [NIOSSLCertificate]? = nil) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificateChain.map { .certificate($0) }, privateKey: .privateKey(privateKey)
        )
        configuration.minimumTLSVersion = .tlsv12
        if let clientCA {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates(clientCA)
        }
        return configuration
    }
}
