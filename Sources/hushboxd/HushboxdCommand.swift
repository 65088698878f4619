import ArgumentParser
import Foundation
import HushboxService
import Logging
import Metrics
import Prometheus

/// The daemon's entry point: load and check the configuration, then run every
/// service until SIGTERM or SIGINT. Anything wrong before listening ends the
/// process with one line on standard error and exit status 78 (EX_CONFIG), which
/// the systemd unit lists in RestartPreventExitStatus= so a bad configuration is
/// not restarted in a loop.
@main
struct HushboxdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hushboxd",
        abstract: "The Hushbox voice appliance daemon.",
        version: HushboxVersion.current
    )

    @Option(name: .long, help: ArgumentHelp("The YAML configuration file.", valueName: "path"))
    var config: String?

    @Flag(name: .long, help: "Run on the embedded development configuration: data in ./.hushbox-dev, made on first run; every listener on 127.0.0.1.")
    var dev = false

    @Flag(name: .long, help: "With --dev (make run): allow calls from this machine, make an organisation with mailbox 100 on first start, and print how to call it and hear the message.")
    var demo = false

    /// Core dumps off before any key is read (``CoreDumps``).
    static func main() async {
        CoreDumps.disable(program: "hushboxd")
        await main(nil)
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let sources = ConfigurationLoader.Sources(
            filePath: config ?? (dev ? nil : ConfigurationLoader.defaultFilePath),
            profile: dev ? .development(workingDirectory: FileManager.default.currentDirectoryPath) : .production,
            environment: environment
        )
        if demo, !dev {
            throw refuse("--demo needs --dev: it changes who may call and creates an organisation, which only a development box should do")
        }
        var loaded: LoadedConfiguration
        do {
            loaded = try await ConfigurationLoader.load(sources)
        } catch {
            throw refuse("configuration error: \(error)")
        }
        if demo { loaded = DemoBox.withLoopbackPhone(loaded) }
        let configuration = loaded.configuration

        HushboxLogging.bootstrap(level: configuration.log.level)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(HushboxMetrics.prometheusFactory(registry: registry))
        let logger = Logger(label: "hushboxd")

        if dev {
            do {
                let steps = try DeviceProvisioner(configuration: configuration).provision(now: Date())
                for step in steps where step.outcome == .created {
                    say("created \(step.item): \(step.path)")
                }
            } catch {
                throw refuse("cannot prepare the development data directory: \(error)")
            }
        }
        let checks: StartupChecks
        do {
            checks = try await StartupChecks.run(configuration, logger: logger)
        } catch {
            throw refuse(error.description)
        }
        var demoBox: DemoBox?
        if demo {
            do {
                demoBox = try DemoBox.prepare(checks, dataDirectory: configuration.storage.dataDirectory, command: cliCommand())
            } catch {
                throw refuse("cannot prepare the demo mailbox: \(error)")
            }
        }
        let daemon = HushboxDaemon(loaded: loaded, checks: checks, demo: demoBox)
        do {
            try await run(daemon, environment: environment, registry: registry, logger: logger)
        } catch let failure as ListenerFailure {
            FileHandle.standardError.write(Data("hushboxd: \(failure)\n".utf8))
            throw ExitCode.failure
        }
    }

    private func run(_ daemon: HushboxDaemon, environment: [String: String], registry: PrometheusCollectorRegistry, logger: Logger) async throws {
        try await daemon.run(
            systemd: SystemdEnvironment(environment: environment, processID: getpid()),
            registry: registry,
            logger: logger
        ) { summary in
            say(summary)
        }
    }

    /// The `hushbox` command beside this executable, with the options that reach the same box.
    private func cliCommand() -> (executable: String, options: String) {
        let me = CommandLine.arguments.first ?? "hushboxd"
        let executable = me.lastIndex(of: "/").map { String(me[...$0]) + "hushbox" } ?? "hushbox"
        return (executable, "--dev" + (config.map { " --config \($0)" } ?? ""))
    }

    /// Writes a line to standard output at once: stdout is a pipe under systemd
    /// and in tests, where print's buffering would hold the summary back.
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func refuse(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("hushboxd: \(message)\n".utf8))
        return ExitCode(78)
    }
}
