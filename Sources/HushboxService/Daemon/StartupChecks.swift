public import Logging
public import Vault
internal import Voicemail
/// What the daemon verifies between loading its configuration and listening:
/// the data directory is there and private, every secret passes its checks, the
/// TLS certificate and key load and match, and the vault opens (right device
/// key, undamaged database, a schema this version knows).
public struct StartupChecks: Sendable {
    public let deviceKeyPath: String
    public let tlsIdentity: DeviceTLSIdentity
    public let vault: Vault
    /// Nil when `sip.enabled` is false.
    public let sip: SIPSetup?
    /// One per uplink destination.
    let uplink: [UplinkSetup]
    /// Nil when `incidents.webhook_url` is not set.
    let incidentWebhook: IncidentWebhookSetup?
    /// The line's prompts and settings, when `line.enabled`.
    let line: (prompts: PromptLibrary, line: HushboxConfiguration.Line)?

    public static func run(_ configuration: HushboxConfiguration, logger: Logger) async throws(StartupError) -> StartupChecks {
        guard configuration.device.provisioned else {
            throw StartupError(
                "this box is not provisioned yet (device.provisioned is false). Provision it first: `hushbox provision --bundle FILE --signer KEY` with the customer's bundle, or `hushbox provision` at a terminal (provisioning/README.md)")
        }
        let dataDirectory = configuration.storage.dataDirectory
        guard let status = FileStatus.of(dataDirectory) else {
            throw StartupError("data directory \(dataDirectory) does not exist. Provision the box first: hushbox provision init --config PATH")
        }
        guard status.type == .directory else {
            throw StartupError("data directory \(dataDirectory) is not a directory")
        }
        guard status.isPrivate else {
            throw StartupError("data directory \(dataDirectory) has mode \(status.octalPermissions), which lets other users in; it must be private: chmod 700 \(dataDirectory)")
        }
        let secrets: SecretsDirectory
        do {
            secrets = try SecretsDirectory(path: configuration.secrets.directory)
            for secret in SecretSetting.all {
                _ = try secrets.check(secret)
            }
        } catch {
            throw StartupError(error.description)
        }
        let identity: DeviceTLSIdentity
        do {
            identity = try DeviceTLSIdentity.load(
                certificatePath: configuration.tls.certificatePath,
                privateKeyPath: configuration.tls.privateKeyPath
            )
        } catch {
            throw StartupError(error.description)
        }
        let sip = configuration.sip.enabled ? try SIPSetup.prepare(configuration, identity: identity) : nil
        let uplink = try UplinkSetup.prepare(configuration, identity: identity)
        let incidentWebhook = try IncidentWebhookSetup.prepare(configuration)
        let vault: Vault
        do {
            vault = try await VaultAccess.open(configuration, logger: logger)
        } catch {
            throw StartupError("\(error)")
        }
        let line = try LineService.prepare(configuration, vault: vault)
        return StartupChecks(
            deviceKeyPath: secrets.location(of: .deviceKEK), tlsIdentity: identity, vault: vault, sip: sip, uplink: uplink, incidentWebhook: incidentWebhook,
            line: line.map { (prompts: $0.0, line: $0.1) }
        )
    }
}
