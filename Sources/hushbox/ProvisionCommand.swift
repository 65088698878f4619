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
        subcommands: [Apply.self, Request.self, Initialise.self, SigningRequest.self, InstallCertificate.self],
        defaultSubcommand: Apply.self
    )

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apply",
            abstract: "Apply a provisioning bundle signed by the customer (the default: `hushbox provision --bundle FILE --signer KEY`).",
            discussion: "Without --bundle, at a terminal, it asks for each setting instead, with defaults, and applies the answers the same way."
        )

        @Option(name: .long, help: ArgumentHelp("The YAML configuration file to write (default: \(ConfigurationLoader.defaultFilePath)).", valueName: "path"))
        var config: String = ConfigurationLoader.defaultFilePath

        @Option(help: ArgumentHelp("The bundle file the customer sent.", valueName: "file"))
        var bundle: String?

        @Option(help: ArgumentHelp("The customer's Ed25519 public key (base64), as they gave it to you by another channel.", valueName: "key"))
        var signer: String?

        @Flag(help: "Ask for each setting even when standard input is not a terminal (for scripted answers).")
        var interactive = false

        @Option(name: .customLong("replace-secret"), help: ArgumentHelp("Replace this secret although the box holds another value (repeatable).", valueName: "name"))
        var replaceSecrets: [String] = []

        @Flag(name: .customLong("new-signer"), help: "Accept a bundle signed by a different customer key than the box's earlier bundles.")
        var newSigner = false

        @Option(name: .customLong("device-key"), help: ArgumentHelp("How a new device key is kept: sealed with systemd-creds, a 0600 file, or auto (sealed when this machine can).", valueName: "auto|sealed|file"))
        var deviceKey: String = "auto"

        @Option(name: .customLong("unit-directory"), help: ArgumentHelp("Where the service's drop-in goes.", valueName: "path"))
        var unitDirectory: String = "/etc/systemd/system/hushbox.service.d"

        @Flag(name: .customLong("clock-checked"), help: "Apply although NTP has not synchronised the clock, because you checked the date yourself (a wrong clock would accept an expired bundle).")
        var clockChecked = false

        func run() async throws {
            guard let bundle else {
                guard interactive || isatty(STDIN_FILENO) == 1 else {
                    throw CommandFailure.failed("give the customer's bundle: hushbox provision --bundle FILE --signer KEY (or run it at a terminal to answer questions)")
                }
                let answers: ProvisionQuestions.Answers
                do {
                    answers = try ProvisionQuestions(now: Date()).run()
                } catch {
                    throw CommandFailure.failed("provisioning stopped before anything was changed (\(error))")
                }
                try await provision { provisioner in
                    try await provisioner.apply(answers: answers.contents, secrets: answers.secrets, environment: ProcessInfo.processInfo.environment, now: Date())
                }
                return
            }
            guard let signer else {
                throw CommandFailure.failed("--bundle needs --signer KEY: the customer's public key, as they gave it to you by another channel")
            }
            // A bundle's dates are only as good as this clock: a board without a real-time clock may think it is last year.
            if !clockChecked, let problem = ClockCheck.unsynchronised(now: Date()) {
                throw CommandFailure.failed("the clock \(problem): a wrong clock would accept an expired bundle. Let NTP synchronise it (timedatectl), or check `date` yourself and add --clock-checked")
            }
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
            print("bundle \(opened.contents.bundleID) from key \(SealedBundleSecrets.fingerprint(of: opened.signer))")
            try await provision { provisioner in
                try await provisioner.apply(opened, environment: ProcessInfo.processInfo.environment, now: Date())
            }
        }

        /// Applies the bundle or the answers with this command's options, and prints what happened.
        private func provision(_ apply: (BundleProvisioner) async throws -> BundleProvisioner.Outcome) async throws {
            guard let storage = BundleProvisioner.DeviceKeyStorage(rawValue: deviceKey) else {
                throw CommandFailure.failed("--device-key \(deviceKey): one of auto, sealed, file")
            }
            var options = BundleProvisioner.Options()
            options.deviceKeyStorage = storage
            options.replaceSecrets = Set(replaceSecrets)
            options.acceptNewSigner = newSigner
            var paths = BundleProvisioner.Paths.beside(configurationFile: config)
            paths.dropInDirectory = unitDirectory
            HushboxLogging.bootstrap(level: .warning)
            let outcome: BundleProvisioner.Outcome
            do {
                outcome = try await apply(BundleProvisioner(paths: paths, options: options, logger: .init(label: "hushbox")))
            } catch {
                throw CommandFailure.failed("provisioning stopped: \(error)")
            }
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
                let provisioner = DeviceProvisioner(configuration: loaded.configuration)
                let keys = try provisioner.provisionKeys()
                // The TLS files belong to whoever owns the data (hushbox on a packaged box), not to root.
                try ServiceAccount.adoptOwner(of: loaded.configuration.storage.dataDirectory)
                steps = keys + (try provisioner.provisionTLS(now: Date()))
            } catch {
                throw CommandFailure.failed("provisioning failed: \(error)")
            }
            for step in steps {
                print("\(step.outcome.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(step.item): \(step.path)")
            }
        }
    }

    struct SigningRequest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "csr",
            abstract: "Print a certificate signing request for the device's TLS key, for the customer's CA (the key stays on the box)."
        )

        @OptionGroup var options: ConfigurationOptions

        @Option(name: .customLong("name"), help: ArgumentHelp("Another host name or IP address the box is reached at (repeatable).", valueName: "name"))
        var names: [String] = []

        func run() async throws {
            let loaded = try await options.load()
            do {
                print(try DeviceCertificateRequest.make(configuration: loaded.configuration, names: names), terminator: "")
            } catch {
                throw CommandFailure.failed("cannot make the request: \(error)")
            }
        }
    }

    struct InstallCertificate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "certificate",
            abstract: "Install the certificate the customer's CA signed for this box's request; the current one is kept as .previous."
        )

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: ArgumentHelp("The signed certificate (PEM; a chain may follow it).", valueName: "file"))
        var file: String

        func run() async throws {
            let loaded = try await options.load()
            do {
                let pem: [UInt8]
                do { pem = try BoundedFile.read(file, limit: 64 * 1024) } catch { throw BundleError("\(file): \(error.reason)") }
                // The certificate is the service's to read: written as the owner of its directory (hushbox on a packaged box).
                try ServiceAccount.adoptOwner(of: PrivateFile.parentDirectory(of: loaded.configuration.tls.certificatePath))
                let fingerprint = try DeviceCertificateRequest.install(String(decoding: pem, as: UTF8.self), configuration: loaded.configuration, now: Date())
                print("installed: SHA-256 \(fingerprint); restart hushboxd (systemctl restart hushbox) to present it")
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }
}
