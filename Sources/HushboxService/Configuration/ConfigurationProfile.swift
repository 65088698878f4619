/// The defaults a configuration starts from before the file and the environment
/// are applied.
public enum ConfigurationProfile: Sendable, Hashable {
    /// The shipped defaults (docs/configuration.md), for a provisioned box.
    case production
    /// `make run`'s embedded development configuration: everything under
    /// `.hushbox-dev/` in the given directory, every listener on 127.0.0.1.
    case development(workingDirectory: String)

    /// The development data directory's name inside the working directory.
    public static let developmentDataDirectoryName = ".hushbox-dev"

    /// The values this profile sets over the schema's defaults, by key.
    var overrides: [String: SettingValue] {
        switch self {
        case .production:
            return [:]
        case .development(let workingDirectory):
            let base = workingDirectory.hasSuffix("/") ? String(workingDirectory.dropLast()) : workingDirectory
            let dataDirectory = base + "/" + Self.developmentDataDirectoryName
            return [
                ConfigurationSchema.deviceName.key: .text("hushbox-dev"),
                ConfigurationSchema.dataDirectory.key: .text(dataDirectory),
                ConfigurationSchema.promptsDirectory.key: .text(base + "/prompts/rendered"),
                ConfigurationSchema.secretsDirectory.key: .text(dataDirectory + "/credentials"),
                ConfigurationSchema.opsAddress.key: .text("127.0.0.1"),
                ConfigurationSchema.sipAddress.key: .text("127.0.0.1"),
                ConfigurationSchema.adminAddress.key: .text("127.0.0.1"),
                ConfigurationSchema.lineBoardsDirectory.key: .text(base + "/board"),
            ]
        }
    }

    public var isDevelopment: Bool {
        if case .development = self { return true }
        return false
    }
}

/// A value a profile or a default supplies for a setting.
enum SettingValue: Sendable, Hashable {
    case text(String)
    case integer(Int)
    case boolean(Bool)
}
