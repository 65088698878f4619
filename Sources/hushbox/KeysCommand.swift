import ArgumentParser
import Foundation
import HushboxService
import Vault

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Rotate the device key or a tenant's data key.",
        subcommands: [RotateKEK.self, RotateDEK.self]
    )

    struct RotateKEK: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-kek",
            abstract: "Replace the device key: every tenant key is re-wrapped in one transaction; no data is touched.",
            discussion: """
                Stop hushboxd first. The new key is staged as device-kek.next, the keys are re-wrapped, \
                then device-kek is replaced; a crash at any point leaves a key that opens the vault. \
                With encrypted systemd credentials, re-seal the new device-kek with systemd-creds afterwards.
                """
        )

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let loaded = try await options.load()
            do {
                let outcome = try await DeviceKeyRotation.rotate(loaded.configuration, actor: CommandActor.current, logger: options.logger)
                print("device key rotated: \(outcome.keysRewrapped) keys re-wrapped; the new key is \(outcome.keyFile)")
            } catch {
                throw CommandFailure.failed("device key rotation failed, the old key still applies: \(error)")
            }
        }
    }

    struct RotateDEK: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-dek",
            abstract: "Rotate a tenant's data key and re-seal its values under the new one.",
            discussion: "New values use the new key at once; existing ones are re-sealed in batches. Interrupted, the command resumes where it stopped when run again."
        )

        @OptionGroup var options: ConfigurationOptions

        @Option(help: "The tenant whose data key to rotate.")
        var tenant: String

        @Option(help: "Values re-sealed per transaction.")
        var batch: Int = 500

        func run() async throws {
            let loaded = try await options.load()
            let vault = try await VaultOpening.open(loaded.configuration, logger: options.logger)
            do {
                let handle = try vault.tenant(tenant)
                var status = try handle.continueDataKeyRotation(batchSize: 0)
                if status == nil {
                    let started = try handle.startDataKeyRotation(actor: CommandActor.current)
                    print("data key version \(started.activeVersion) is active; \(started.remaining) values to re-seal")
                    status = started
                } else {
                    print("resuming the rotation to data key version \(status?.activeVersion ?? 0)")
                }
                while let current = status, !current.isFinished {
                    status = try handle.continueDataKeyRotation(batchSize: max(1, batch))
                    print("\(status?.remaining ?? 0) values left")
                }
                print("data key rotated; the old key is destroyed")
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }
}
