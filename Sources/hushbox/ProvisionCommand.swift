import ArgumentParser
import Crypto
import Foundation
import HushboxService
import Logging
import PrivateFiles

struct ProvisionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provision",
        abstract: "Provision this box: from the customer's signed bundle, or its directories, device key and TLS certificate alone.",
        discussion: """
            `hushbox provision --bundle FILE --signer KEY` applies a bundle the customer signed (docs/provisioning-bundle.md): \
            the configuration, every secret it names, the organisation with its mailboxes, retention, sub-processors and first \
            API key, and the service's drop-in. Run `hushbox provision request` first when the customer seals secrets to this box.
            """,
        subcommands: [Apply.self, Request.self, Initialise.self],
        defaultSubcommand: Apply.self
    )

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Apply a provisioning bundle signed by the customer (the default: `hushbox provision --bundle FILE --signer KEY`)."
        )

        @Option(name: .long, help: ArgumentHelp("The YAML configuration file to write (default: \(ConfigurationLoader.defaultFilePath)).", valueName: "path"))
        var config: String = ConfigurationLoader.defaultFilePath

        @Option(help: ArgumentHelp("The bundle file the customer sent.", valueName: "file"))
        var bundle: String

        @Option(help: ArgumentHelp("The customer's Ed25519 public key (base64), as they gave it to you by another channel.", valueName: "key"))
        var signer: String

        @Option(name: .customLong("replace-secret"), help: ArgumentHelp("Replace this secret although the box holds another value (repeatable).", valueName: "name"))
        var replaceSecrets: [String] = []

        @Flag(name: .customLong("new-signer"), help: "Accept a bundle signed by a different customer key than the box's earlier bundles.")
        var newSigner = false

        @Option(name: .customLong("device-key"), help: ArgumentHelp("How a new device key is kept: sealed with systemd-creds, a 0600 file, or auto (sealed when this machine can).", valueName: "auto|sealed|file"))
        var deviceKey: String = "auto"

        @Option(name: .customLong("unit-directory"), help: ArgumentHelp("Where the service's drop-in goes.", valueName: "path"))
        var unitDirectory: String = "/etc/systemd/system/hushbox.service.d"

        @Option(name: .customLong("service-user"), help: ArgumentHelp("The account hushboxd runs as: it is given the data directory.", valueName: "user"))
        var serviceUser: String = "hushbox"

        func run() async throws {
            let trusted: Curve25519.Signing.PublicKey
            let opened: ProvisioningBundle
            do {
                trusted = try ProvisioningBundle.signerKey(signer)
                let bytes: [UInt8]
                do {
                    bytes = try BoundedFile.read(bundle, limit: ProvisioningBundle.maximumBytes)
                } catch {
                    throw BundleError("--bundle \(bundle): \(error.reason)")
                }
                opened = try ProvisioningBundle.open(bytes, trusting: trusted, now: Date())
            } catch {
                throw CommandFailure.failed("\(error)")
            }
            guard let storage = BundleProvisioner.DeviceKeyStorage(rawValue: deviceKey) else {
                throw CommandFailure.failed("--device-key \(deviceKey): one of auto, sealed, file")
            }
            var options = BundleProvisioner.Options()
            options.deviceKeyStorage = storage
            options.replaceSecrets = Set(replaceSecrets)
            options.acceptNewSigner = newSigner
            options.serviceUser = serviceUser.isEmpty ? nil : serviceUser
            var paths = BundleProvisioner.Paths.beside(configurationFile: config)
            paths.dropInDirectory = unitDirectory
            HushboxLogging.bootstrap(level: .warning)
            let outcome: BundleProvisioner.Outcome
            do {
                outcome = try await BundleProvisioner(paths: paths, options: options, logger: .init(label: "hushbox")).apply(
                    opened, environment: ProcessInfo.processInfo.environment, now: Date())
            } catch {
                throw CommandFailure.failed("provisioning stopped: \(error)")
            }
            print("bundle \(opened.contents.bundleID) from key \(SealedBundleSecrets.fingerprint(of: opened.signer))")
            for step in outcome.steps {
                print("\(step.outcome.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(step.item): \(step.path)")
            }
            for note in outcome.notes { print("note     \(note)") }
            if let tenant = outcome.tenantID { print("organisation \(tenant)") }
            if let token = outcome.apiKeyToken {
                print("API key (shown this once; give it to the customer now): \(token)")
            }
            print("next: hushbox selftest, then systemctl daemon-reload && systemctl restart hushbox")
        }
    }

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "request",
            abstract: "Print this box's provisioning key, for the customer to seal a bundle's secrets to (made on first use)."
        )

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let loaded = try await options.load()
            do {
                let key = try BoxProvisioningKey.loadOrCreate(in: loaded.configuration.secrets.directory)
                let text = key.publicKey.rawRepresentation.base64EncodedString()
                print("box key: \(text)")
                print("fingerprint: \(SealedBundleSecrets.fingerprint(of: text))")
            } catch {
                throw CommandFailure.failed("cannot make this box's provisioning key: \(error)")
            }
        }
    }

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
