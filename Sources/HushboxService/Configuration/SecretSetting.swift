/// A secret Hushbox reads from its secrets directory: one file per secret, named
/// as systemd names credentials (`LoadCredential=device-kek:...` in the unit).
/// Secrets are never accepted from the YAML file or the environment, where they
/// would end up in backups, process listings and crash reports.
public struct SecretSetting: Sendable, Hashable {
    /// The file name inside the secrets directory.
    public let fileName: String
    /// The exact length in bytes the secret must have.
    public let byteCount: Int
    public let summary: String

    /// The device key-encryption key: 32 random bytes that wrap every tenant's data
    /// keys. Losing it makes the stored data unreadable, by design.
    public static let deviceKEK = SecretSetting(
        fileName: "device-kek", byteCount: 32,
        summary: "The device key-encryption key: 32 random bytes (raw, not hex) that wrap every tenant's data keys. `hushbox provision init` creates it; under systemd, seal it with `systemd-creds encrypt` and load it with `LoadCredentialEncrypted=`."
    )

    /// Every secret the daemon needs to start.
    public static let all: [SecretSetting] = [deviceKEK]
}
