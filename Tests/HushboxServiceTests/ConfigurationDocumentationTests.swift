import Foundation
import HushboxService
import Testing

/// docs/configuration.md is what operators read; the schema is what the code
/// enforces. These tests keep the two saying the same thing.
@Suite("Configuration documentation")
struct ConfigurationDocumentationTests {
    static let documentation: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (try? String(contentsOf: root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)) ?? ""
    }()

    @Test("every key has a table row with its environment variable, default and allowed values", arguments: ConfigurationSchema.all)
    func keyDocumented(setting: ConfigurationSetting) throws {
        let row = try #require(
            Self.documentation.split(separator: "\n").first { $0.hasPrefix("| `\(setting.key)` |") },
            "docs/configuration.md has no row for \(setting.key)"
        )
        #expect(row.contains(setting.isPattern ? "file only" : "`\(setting.environmentVariable)`"))
        #expect(row.contains(setting.defaultValue.documentation))
        #expect(row.contains(setting.kind.allowedValues.split(separator: ",").first.map(String.init) ?? ""))
    }

    @Test("the documentation lists no key the schema does not know")
    func noStaleKeys() {
        let documented = Self.documentation.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("| `"), let end = line.dropFirst(3).firstIndex(of: "`") else { return nil }
            return String(line[line.index(line.startIndex, offsetBy: 3)..<end])
        }
        let known = Set(ConfigurationSchema.all.map(\.key) + SecretSetting.all.map(\.fileName))
        #expect(Set(documented).subtracting(known).isEmpty, "documented but unknown: \(Set(documented).subtracting(known))")
    }

    @Test("every secret is documented with its length", arguments: SecretSetting.all)
    func secretDocumented(secret: SecretSetting) {
        #expect(Self.documentation.contains("| `\(secret.fileName)` | \(secret.byteCount) bytes |"))
    }

    @Test("environment variable names are unique, so each overrides exactly one key")
    func environmentNamesUnique() {
        let names = ConfigurationSchema.all.map(\.environmentVariable)
        #expect(Set(names).count == names.count)
    }
}
