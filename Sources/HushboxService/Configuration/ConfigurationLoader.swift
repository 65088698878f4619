internal import Configuration
import Foundation
internal import SystemPackage
internal import Logging

/// Builds the typed ``HushboxConfiguration`` once, at start, from (highest
/// precedence first) `HUSHBOX_*` environment variables, the YAML file, the
/// profile's defaults and the schema's defaults, using swift-configuration's
/// providers. Anything wrong fails here, before a single socket is opened.
public enum ConfigurationLoader {
    public static let defaultFilePath = "/etc/hushbox/hushbox.yaml"
    /// Used for `secrets.directory` when systemd gives no credentials directory.
    public static let defaultSecretsDirectory = "/etc/hushbox/credentials"

    /// What to load a configuration from.
    public struct Sources: Sendable, Hashable {
        /// The YAML file, or nil to use the profile's defaults alone.
        public var filePath: String?
        public var profile: ConfigurationProfile
        /// The process environment: `HUSHBOX_*` overrides and systemd's
        /// `CREDENTIALS_DIRECTORY`.
        public var environment: [String: String]

        public init(filePath: String?, profile: ConfigurationProfile, environment: [String: String]) {
            self.filePath = filePath
            self.profile = profile
            self.environment = environment
        }
    }

    public static func load(_ sources: Sources) async throws(ConfigurationError) -> LoadedConfiguration {
        let overrides = try EnvironmentOverrides(environment: sources.environment)
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: overrides.variables).prefixKeys(with: "hushbox")
        ]
        var fileKeys = Set<String>()
        if let path = sources.filePath {
            let (provider, keys) = try await fileProvider(at: path)
            providers.append(provider)
            fileKeys = keys
        }
        let profileOverrides = sources.profile.overrides
        let lower: [any ConfigProvider] = [
            InMemoryProvider(name: "profile", values: configValues(profileOverrides)),
            InMemoryProvider(name: "defaults", values: configValues(defaults(environment: sources.environment))),
        ]
        // A line board's profile sits below the file and the environment, above the defaults.
        let board = try boardProfile(ConfigReader(providers: providers + lower))
        if let board {
            providers.append(InMemoryProvider(name: "board", values: configValues(board.values)))
        }
        providers += lower

        let sourceOf = { (setting: ConfigurationSetting) -> ValueSource in
            if let variable = overrides.overriddenKeys[setting.key] { return .environment(variable: variable) }
            if let path = sources.filePath, fileKeys.contains(setting.key) { return .file(path: path) }
            if let board, board.values[setting.key] != nil { return .board(path: board.path) }
            if profileOverrides[setting.key] != nil { return .developmentProfile }
            return .defaultValue
        }
        var settings = SettingsReader(reader: ConfigReader(providers: providers), sourceOf: sourceOf)
        let configuration = try build(
            from: &settings, peerNames: ConfigurationSchema.names(in: "sip.peers", amongKeys: fileKeys),
            destinationNames: ConfigurationSchema.names(in: "uplink.destinations", amongKeys: fileKeys)
        )
        return LoadedConfiguration(configuration: configuration, effectiveSettings: settings.effective, sources: sources)
    }

    private static func build(
        from settings: inout SettingsReader, peerNames: [String], destinationNames: [String]
    ) throws(ConfigurationError) -> HushboxConfiguration {
        let schema = ConfigurationSchema.self
        let deviceName = try settings.text(schema.deviceName)
        let provisioned = try settings.boolean(schema.deviceProvisioned)
        let dataDirectory = try settings.text(schema.dataDirectory)
        let promptsDirectory = try settings.text(schema.promptsDirectory)
        let quota = try settings.optionalText(schema.storageQuota).flatMap { Int64($0) }
        let secretsDirectory = try settings.text(schema.secretsDirectory)
        guard let level = Logger.Level(rawValue: try settings.text(schema.logLevel)) else {
            preconditionFailure("log.level choices must all be swift-log level names")
        }
        let certificatePath = try derivedPath(schema.tlsCertificate, default: dataDirectory + "/tls/certificate.pem", &settings)
        let privateKeyPath = try derivedPath(schema.tlsPrivateKey, default: dataDirectory + "/tls/private-key.pem", &settings)
        let ops = HushboxConfiguration.Ops(
            enabled: try settings.boolean(schema.opsEnabled),
            address: try settings.text(schema.opsAddress),
            port: try settings.integer(schema.opsPort)
        )
        let admin = HushboxConfiguration.Admin(
            enabled: try settings.boolean(schema.adminEnabled),
            address: try settings.optionalText(schema.adminAddress) ?? LANAddress.primary(),
            port: try settings.integer(schema.adminPort),
            redirectPort: try settings.optionalInteger(schema.adminRedirectPort)
        )
        let gracePeriod = try settings.integer(schema.shutdownGracePeriod)
        let sip = try SIPConfigurationReader.read(from: &settings, peerNames: peerNames)
        let uplink = try UplinkConfigurationReader.read(from: &settings, destinationNames: destinationNames)
        let board = try settings.optionalText(schema.lineBoard)
        let line = try LineConfigurationReader.read(from: &settings, board: board)
        return HushboxConfiguration(
            device: .init(name: deviceName, provisioned: provisioned),
            storage: .init(dataDirectory: dataDirectory, promptsDirectory: promptsDirectory, quotaBytes: quota),
            secrets: .init(directory: secretsDirectory),
            log: .init(level: level),
            tls: .init(certificatePath: certificatePath, privateKeyPath: privateKeyPath),
            ops: ops,
            admin: admin,
            shutdown: .init(gracePeriod: .seconds(gracePeriod)),
            sip: sip,
            uplink: uplink,
            incidents: .init(
                webhookURL: try settings.optionalText(schema.incidentWebhookURL),
                webhookCAFile: try settings.optionalText(schema.incidentWebhookCAFile)
            ),
            line: line
        )
    }

    /// The board profile `line.board` names, for an enabled line.
    private static func boardProfile(_ reader: ConfigReader) throws(ConfigurationError) -> (path: String, values: [String: SettingValue])? {
        guard reader.bool(forKey: ConfigKey(ConfigurationSchema.lineEnabled.key)) == true,
            let name = reader.string(forKey: ConfigKey(ConfigurationSchema.lineBoard.key)),
            let directory = reader.string(forKey: ConfigKey(ConfigurationSchema.lineBoardsDirectory.key)), directory.hasPrefix("/")
        else { return nil }
        return try BoardProfile.load(named: name, in: directory)
    }

    static func derivedPath(
        _ setting: ConfigurationSetting, default derived: String, _ settings: inout SettingsReader
    ) throws(ConfigurationError) -> String {
        if let path = try settings.optionalText(setting) { return path }
        settings.recordDerived(setting, derived)
        return derived
    }

    /// Reads and checks the YAML file, then hands it to swift-configuration.
    private static func fileProvider(at path: String) async throws(ConfigurationError) -> (any ConfigProvider, Set<String>) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .fileUnreadable(path, reason: PathProblem.reason(forReading: path, failure: error))
        }
        let inventory = try YAMLKeyInventory(yaml: text, path: path)
        // A file of comments only sets nothing; swift-configuration's YAML
        // snapshot would refuse it for having no top-level mapping.
        if inventory.keys.isEmpty {
            return (InMemoryProvider(name: path, values: [:]), [])
        }
        do {
            return (try await FileProvider<YAMLSnapshot>(filePath: .init(path)), inventory.keys)
        } catch {
            throw .malformedYAML(path, detail: String(describing: error))
        }
    }

    /// The schema's fixed defaults, plus `secrets.directory` from systemd's
    /// `CREDENTIALS_DIRECTORY` when the service runs with credentials.
    private static func defaults(environment: [String: String]) -> [String: SettingValue] {
        var values: [String: SettingValue] = [:]
        for setting in ConfigurationSchema.all where !setting.isPattern {
            switch setting.defaultValue {
            case .text(let text): values[setting.key] = .text(text)
            case .integer(let integer): values[setting.key] = .integer(integer)
            case .boolean(let boolean): values[setting.key] = .boolean(boolean)
            case .derived: break
            }
        }
        let credentials = environment["CREDENTIALS_DIRECTORY"].flatMap { $0.isEmpty ? nil : $0 }
        values[ConfigurationSchema.secretsDirectory.key] = .text(credentials ?? defaultSecretsDirectory)
        return values
    }

    private static func configValues(_ values: [String: SettingValue]) -> [AbsoluteConfigKey: ConfigValue] {
        var result: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in values {
            let content: ConfigContent =
                switch value {
                case .text(let text): .string(text)
                case .integer(let integer): .int(integer)
                case .boolean(let boolean): .bool(boolean)
                }
            result[AbsoluteConfigKey(ConfigKey(key))] = ConfigValue(content, isSecret: false)
        }
        return result
    }
}

/// A configuration that loaded, with the record of where each value came from.
public struct LoadedConfiguration: Sendable {
    public let configuration: HushboxConfiguration
    public let effectiveSettings: [EffectiveSetting]
    public let sources: ConfigurationLoader.Sources
}
