import ArgumentParser
import HushboxService

struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Inspect the box's configuration.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the configuration and print the effective values, secrets masked.",
            discussion: "Exits 0 when the daemon would start on it, 78 when the configuration is invalid, 1 when a secret is missing or unsafe."
        )

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let loaded = try await options.load()
            let secrets = ConfigurationReport.checkSecrets(in: loaded.configuration.secrets.directory)
            print(ConfigurationReport.render(loaded, secrets: secrets))
            if let problem = secrets.compactMap(\.problem).first {
                throw CommandFailure.failed(problem)
            }
            print("Configuration is valid.")
        }
    }
}
