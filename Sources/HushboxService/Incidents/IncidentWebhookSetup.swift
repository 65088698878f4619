import Foundation
internal import NIOSSL
internal import Uplink

/// The incident webhook made ready before anything runs, when
/// `incidents.webhook_url` is set: its signing secret (`incident-webhook`)
/// read and checked, and TLS that verifies the receiver against the system's
/// roots or `incidents.webhook_ca_file`.
struct IncidentWebhookSetup: Sendable {
    let url: String
    let signature: WebhookSignature
    let tls: TLSConfiguration

    static func prepare(_ configuration: HushboxConfiguration) throws(StartupError) -> IncidentWebhookSetup? {
        guard let url = configuration.incidents.webhookURL else { return nil }
        let signature = try SigningSecretFile.read(
            HushboxConfiguration.Incidents.webhookSecretName, in: configuration, for: "the incident webhook",
            source: "a whsec_ line shared with the receiver, see docs/configuration.md; or remove \(ConfigurationSchema.incidentWebhookURL.key) to alert by log and metrics only"
        )
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let caFile = configuration.incidents.webhookCAFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw StartupError("\(ConfigurationSchema.incidentWebhookCAFile.key) \(caFile) holds no PEM certificate that loads (\(error))")
            }
        }
        return IncidentWebhookSetup(url: url, signature: signature, tls: tls)
    }
}
