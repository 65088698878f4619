import Foundation

/// The effective configuration as `hushbox config check` prints it: every key
/// with its value and where the value came from, then the secrets by name and
/// size only. A secret's value is never printed.
public enum ConfigurationReport {
    /// What a check found about one secret.
    public struct SecretFinding: Sendable, Hashable {
        public let secret: SecretSetting
        public let path: String
        public let problem: String?
    }

    /// Checks every secret the daemon needs, without reading any of them.
    public static func checkSecrets(in directory: String) -> [SecretFinding] {
        let secrets: SecretsDirectory
        do {
            secrets = try SecretsDirectory(path: directory)
        } catch {
            return SecretSetting.all.map { SecretFinding(secret: $0, path: directory + "/" + $0.fileName, problem: "\(error)") }
        }
        return SecretSetting.all.map { secret in
            do {
                _ = try secrets.check(secret)
                return SecretFinding(secret: secret, path: secrets.location(of: secret), problem: nil)
            } catch {
                return SecretFinding(secret: secret, path: secrets.location(of: secret), problem: "\(error)")
            }
        }
    }

    public static func render(_ loaded: LoadedConfiguration, secrets: [SecretFinding]) -> String {
        let width = (loaded.effectiveSettings.map(\.setting.key.count).max() ?? 0) + 2
        var lines: [String] = []
        lines.append("Effective configuration (" + describe(loaded.sources) + "):")
        for entry in loaded.effectiveSettings {
            let key = entry.setting.key.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("  \(key)\(entry.displayValue)    # \(entry.source)")
        }
        lines.append("Secrets in \(loaded.configuration.secrets.directory) (values are never shown):")
        for finding in secrets {
            let name = finding.secret.fileName.padding(toLength: width, withPad: " ", startingAt: 0)
            let state = finding.problem.map { "PROBLEM: \($0)" } ?? "<masked> \(finding.secret.byteCount) bytes, owner-only"
            lines.append("  \(name)\(state)")
        }
        return lines.joined(separator: "\n")
    }

    private static func describe(_ sources: ConfigurationLoader.Sources) -> String {
        var parts: [String] = []
        if let path = sources.filePath { parts.append("file \(path)") }
        parts.append(sources.profile.isDevelopment ? "development defaults" : "shipped defaults")
        let overrides = sources.environment.keys.filter { $0.hasPrefix(EnvironmentOverrides.prefix) }.sorted()
        if !overrides.isEmpty { parts.append("environment " + overrides.joined(separator: ", ")) }
        return parts.joined(separator: ", ")
    }
}
