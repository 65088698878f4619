import HushboxService
import HushboxTestSupport

/// A configuration file in a fresh directory, loaded as hushboxd would on a box.
struct ConfigurationFile {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    func load(_ yaml: String, environment: [String: String] = [:]) async throws(ConfigurationError) -> HushboxConfiguration {
        let path = try! directory.write(yaml, to: "hushbox.yaml")
        return try await ConfigurationLoader.load(.init(filePath: path, profile: .production, environment: environment)).configuration
    }

    /// The error's message when loading `yaml` fails, else nil.
    func refusal(_ yaml: String, environment: [String: String] = [:]) async -> String? {
        do {
            _ = try await load(yaml, environment: environment)
            return nil
        } catch {
            return error.description
        }
    }
}
