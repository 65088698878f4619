import Foundation
import HTTPEdge
public import Hummingbird
import HummingbirdTLS
public import Logging
public import NetworkLimits
public import NIOCore
public import NIOSSL

/// The admin API's listeners: HTTPS with the device's certificate, each
/// connection held to a ``ConnectionBudget`` and a request deadline before
/// any route runs; and, if asked for, a plain-HTTP port that only redirects.
public enum AdminServer {
    /// Connections a LAN console needs (a browser opens about six), with room for scripts.
    public static let defaultLimits = ConnectionBudget.Limits(total: 128, perSource: 24, requestDeadline: .seconds(60))

    /// TLS 1.2 or newer (NIOSSL negotiates 1.3 whenever the browser offers it), the certificate and key from PEM files.
    public static func tlsConfiguration(certificatePath: String, privateKeyPath: String) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: privateKeyPath, format: .pem))
        )
        tls.minimumTLSVersion = .tlsv12
        tls.applicationProtocols = ["http/1.1"]
        // A connection closed by the box waits at most this long for the browser's close_notify.
        tls.shutdownTimeout = .seconds(1)
        return tls
    }

    public static func application(
        backend: AdminBackend, address: String, port: Int, tls: TLSConfiguration, limits: ConnectionBudget.Limits = defaultLimits,
        onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }, logger: Logger
    ) throws -> some ApplicationProtocol {
        let budget = ConnectionBudget(limits: limits)
        return Application(
            router: AdminRoutes.router(backend: backend),
            server: try .tls(.http1(configuration: budget.http1Configuration()), tlsConfiguration: tls),
            configuration: budget.listenerConfiguration(address: .hostname(address, port: port), serverName: "hushbox", logger: logger),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }

    /// Plain HTTP that answers anything with `308` to the HTTPS console's root
    /// and says nothing else: no route, no data, no reflected path.
    public static func redirectApplication(
        address: String, port: Int, httpsPort: Int, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }, logger: Logger
    ) -> some ApplicationProtocol {
        let budget = ConnectionBudget(limits: .init(total: 32, perSource: 8, requestDeadline: .seconds(10)))
        return Application(
            responder: HTTPSRedirect(fallbackHost: address, httpsPort: httpsPort),
            server: .http1(configuration: budget.http1Configuration()),
            configuration: budget.listenerConfiguration(address: .hostname(address, port: port), serverName: "hushbox", logger: logger),
            onServerRunning: onServerRunning,
            logger: logger
        )
    }
}
