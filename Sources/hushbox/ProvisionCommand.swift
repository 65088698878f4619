import ArgumentParser
import Foundation
import HushboxService

struct ProvisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Prepare a box: its private directories, device key and TLS certificate.",
        subcommands: [Initialise.self]
    )

    struct Initialise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create what the configuration names and is missing; never replace anything.",
            discussion: """
                Creates the data directory and the secrets directory (0700), a random 32-byte device key \
                (0600) and a self-signed TLS certificate for the device name. Run it again at any time: \
                existing keys and data are kept.
                """
        )

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let loaded = try await options.load()
            let steps: [DeviceProvisioner.Step]
            do {
                steps = try DeviceProvisioner(configuration: loaded.configuration).provision(now: Date())
            } catch {
                throw CommandFailure.failed("provisioning failed: \(error)")
            }
            for step in steps {
                print("\(step.outcome.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(step.item): \(step.path)")
            }
        }
    }
}
