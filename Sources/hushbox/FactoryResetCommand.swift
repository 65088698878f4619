import ArgumentParser
import Foundation
import HushboxService

/// `hushbox factory-reset --confirm NAME`: crypto-erase, then back to the state
/// the package left the box in. Nothing it removes can be recovered.
struct FactoryResetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "factory-reset",
        abstract: "Destroy every key and all data on this box, and leave it unprovisioned. It cannot be undone.",
        discussion: """
            The device key is destroyed first (sealed or not), then every wrapped key in the vault, then every other secret \
            and the TLS key, then the data; the configuration keeps only its paths, with device.provisioned: false. A copy \
            of the vault taken before (an SD card image) can never be opened again. Stop the service first \
            (systemctl stop hushbox). Messages not yet delivered to the customer's backend are lost: check \
            `hushbox uplink list` before.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: ArgumentHelp("The box's name (device.name), typed out to confirm.", valueName: "name"))
    var confirm: String?

    @Option(name: .customLong("unit-directory"), help: ArgumentHelp("Where the service's provisioning drop-in is.", valueName: "path"))
    var unitDirectory: String = "/etc/systemd/system/hushbox.service.d"

    func run() async throws {
        let loaded = try await options.load()
        let name = loaded.configuration.device.name
        guard confirm == name else {
            throw CommandFailure.failed(
                "this destroys every key and message on \(name) for good. To go ahead, stop the service and run: hushbox factory-reset --confirm \(name)")
        }
        if FileManager.default.fileExists(atPath: "/run/systemd/system") {
            let active = Process()
            active.executableURL = URL(fileURLWithPath: "/usr/bin/systemctl")
            active.arguments = ["is-active", "--quiet", "hushbox.service"]
            if (try? active.run()) != nil {
                active.waitUntilExit()
                if active.terminationStatus == 0 { throw CommandFailure.failed("hushbox.service is running: stop it first (systemctl stop hushbox)") }
            }
        }
        var paths = BundleProvisioner.Paths.beside(configurationFile: options.config ?? ConfigurationLoader.defaultFilePath)
        paths.dropInDirectory = unitDirectory
        do {
            for step in try FactoryReset(configuration: loaded.configuration, paths: paths).run() {
                print(step)
            }
        } catch {
            throw CommandFailure.failed("the reset stopped part way: \(error). Run it again to finish; what was destroyed stays destroyed")
        }
        print("\(name) is reset. Provision it again with: hushbox provision --bundle FILE --signer KEY")
    }
}
