import ArgumentParser
import Foundation
import HushboxService
import Logging

/// The options every command that reads the box's configuration shares.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The YAML configuration file (default: \(ConfigurationLoader.defaultFilePath)).", valueName: "path"))
    var config: String?

    @Flag(name: .long, help: "Use the development configuration that `make run` uses (data in ./.hushbox-dev).")
    var dev = false

    var sources: ConfigurationLoader.Sources {
        ConfigurationLoader.Sources(
            filePath: config ?? (dev ? nil : ConfigurationLoader.defaultFilePath),
            profile: dev ? .development(workingDirectory: FileManager.default.currentDirectoryPath) : .production,
            environment: ProcessInfo.processInfo.environment
        )
    }

    /// Loads the configuration, or prints why not and exits with status 78.
    /// Installs the redacting log handler at warning level: a command's output
    /// is its report, not a log.
    func load() async throws -> LoadedConfiguration {
        do {
            let loaded = try await ConfigurationLoader.load(sources)
            HushboxLogging.bootstrap(level: max(loaded.configuration.log.level, .warning))
            return loaded
        } catch {
            throw CommandFailure.configuration(error.description)
        }
    }

    var logger: Logger { Logger(label: "hushbox") }
}

/// How a command ends when it cannot do its work: one line on standard error,
/// then an exit status scripts can tell apart.
enum CommandFailure {
    /// The configuration is invalid (EX_CONFIG).
    static func configuration(_ message: String) -> ExitCode {
        report("configuration error: " + message)
        return ExitCode(78)
    }

    /// A check or an operation failed.
    static func failed(_ message: String) -> ExitCode {
        report(message)
        return ExitCode.failure
    }

    private static func report(_ message: String) {
        FileHandle.standardError.write(Data("hushbox: \(message)\n".utf8))
    }
}
