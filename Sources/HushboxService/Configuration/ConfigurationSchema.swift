/// Every key Hushbox's configuration accepts. A key not listed here is refused
/// when the configuration loads, so a typo never silently falls back to a default.
/// docs/configuration.md documents each of these; a test keeps the two in step.
public enum ConfigurationSchema {
    public static let deviceName = ConfigurationSetting(
        "device.name", .deviceName, default: .text("hushbox"),
        summary: "The box's name: shown in logs and the start-up summary, and the common name of its self-signed TLS certificate."
    )
    public static let dataDirectory = ConfigurationSetting(
        "storage.data_directory", .absolutePath, default: .text("/var/lib/hushbox"),
        summary: "Where the database, sealed audio objects and the device's TLS files live. Kept at mode 0700."
    )
    public static let secretsDirectory = ConfigurationSetting(
        "secrets.directory", .absolutePath,
        default: .derived("`$CREDENTIALS_DIRECTORY` when systemd provides credentials, else `/etc/hushbox/credentials`"),
        summary: "The directory holding secrets, one file each (see Secrets below). Never in the YAML file or the environment."
    )
    public static let logLevel = ConfigurationSetting(
        "log.level", .choice(["trace", "debug", "info", "notice", "warning", "error", "critical"]), default: .text("info"),
        summary: "The least severe log level written. Phone numbers, e-mail addresses, SIP user parts and bearer tokens are masked at every level."
    )
    public static let tlsCertificate = ConfigurationSetting(
        "tls.certificate", .absolutePath, default: .derived("`<storage.data_directory>/tls/certificate.pem`"),
        summary: "The device's TLS certificate (PEM), presented by its TLS listeners."
    )
    public static let tlsPrivateKey = ConfigurationSetting(
        "tls.private_key", .absolutePath, default: .derived("`<storage.data_directory>/tls/private-key.pem`"),
        summary: "The private key (PEM) of `tls.certificate`. Must be readable by its owner only."
    )
    public static let opsEnabled = ConfigurationSetting(
        "ops.enabled", .boolean, default: .boolean(true),
        summary: "Serve the operations endpoint: `GET /healthz` and Prometheus `GET /metrics` over plain HTTP."
    )
    public static let opsAddress = ConfigurationSetting(
        "ops.address", .ipAddress, default: .text("127.0.0.1"),
        summary: "The address the operations endpoint listens on. It carries no personal data, but keep it on loopback or a management network."
    )
    public static let opsPort = ConfigurationSetting(
        "ops.port", .integer(0...65535), default: .integer(9464),
        summary: "The TCP port of the operations endpoint; 0 lets the system choose one (the start-up summary prints it)."
    )
    public static let shutdownGracePeriod = ConfigurationSetting(
        "shutdown.grace_period_seconds", .integer(1...300), default: .integer(10),
        summary: "How long a graceful shutdown (SIGTERM, SIGINT) may take before remaining work is cancelled."
    )

    /// All settings, in the order documentation and reports list them.
    public static let all: [ConfigurationSetting] = [
        deviceName, dataDirectory, secretsDirectory, logLevel, tlsCertificate, tlsPrivateKey,
        opsEnabled, opsAddress, opsPort, shutdownGracePeriod,
    ]

    /// The setting with this dotted key, if there is one.
    public static func setting(forKey key: String) -> ConfigurationSetting? {
        all.first { $0.key == key }
    }

    /// Every section name, including the parents of nested sections.
    public static var sections: Set<String> {
        var sections = Set<String>()
        for setting in all {
            var components = setting.key.split(separator: ".").dropLast()
            while !components.isEmpty {
                sections.insert(components.joined(separator: "."))
                components = components.dropLast()
            }
        }
        return sections
    }
}
