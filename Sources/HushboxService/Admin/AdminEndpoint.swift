internal import AdminAPI
import Foundation
internal import Hummingbird
public import Logging
internal import NIOCore
public import ServiceLifecycle
internal import Uplink
public import Vault

/// The admin API and web console as the daemon runs them: HTTPS on
/// `admin.address:admin.port` with the device's certificate, and the optional
/// plain-HTTP redirect. Each reports its URL to `readiness` once it listens.
public enum AdminEndpoint {
    public static let componentName = "admin"
    public static let redirectComponentName = "admin-redirect"

    public static func makeServices(
        configuration: HushboxConfiguration, vault: Vault, readiness: ReadinessBoard, logger: Logger
    ) throws -> [any Service] {
        let admin = configuration.admin
        let tls = try AdminServer.tlsConfiguration(
            certificatePath: configuration.tls.certificatePath, privateKeyPath: configuration.tls.privateKeyPath
        )
        let backend = AdminBackend(vault: vault, residency: ResidencyPolicy(rawValue: configuration.uplink.residency) ?? .eu, logger: logger)
        let https = try AdminServer.application(
            backend: backend, address: admin.address, port: admin.port, tls: tls,
            onServerRunning: { channel in
                readiness.report(componentName, detail: ListenerURL.of("https", channel.localAddress, fallbackHost: admin.address, fallbackPort: admin.port))
            },
            logger: logger
        )
        var services: [any Service] = [ListeningService(https, failure: { error in
            ListenerFailure(listener: "admin console", address: admin.address, port: admin.port, portKey: ConfigurationSchema.adminPort.key, error: error)
        })]
        if let redirectPort = admin.redirectPort {
            let redirect = AdminServer.redirectApplication(
                address: admin.address, port: redirectPort, httpsPort: admin.port,
                onServerRunning: { channel in
                    readiness.report(redirectComponentName, detail: ListenerURL.of("http", channel.localAddress, fallbackHost: admin.address, fallbackPort: redirectPort))
                },
                logger: logger
            )
            services.append(ListeningService(redirect, failure: { error in
                ListenerFailure(
                    listener: "admin console's HTTP redirect", address: admin.address, port: redirectPort, portKey: ConfigurationSchema.adminRedirectPort.key,
                    error: error
                )
            }))
        }
        return services
    }
}
