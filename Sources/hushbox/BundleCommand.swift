import ArgumentParser
import Crypto
import Foundation
import HushboxService
import PrivateFiles

/// The customer's side of provisioning: a signing key, and bundles signed with
/// it (docs/provisioning-bundle.md). Run on the customer's machine, not the box.
struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Make provisioning bundles for technicians (run by the customer, on their own machine).",
        subcommands: [KeyGeneration.self, Sign.self]
    )

    struct KeyGeneration: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen",
            abstract: "Make an Ed25519 signing key: the private key into a new 0600 file, the public key printed for the technician."
        )

        @Option(name: .customLong("private-key"), help: ArgumentHelp("The new file for the private key (refused if it exists).", valueName: "file"))
        var privateKey: String

        func run() async throws {
            let key = Curve25519.Signing.PrivateKey()
            do {
                try PrivateFile.create(privateKey, contents: Array(key.rawRepresentation.base64EncodedString().utf8))
            } catch {
                throw CommandFailure.failed("--private-key \(privateKey): \(error)")
            }
            let publicKey = key.publicKey.rawRepresentation.base64EncodedString()
            print("signer: \(publicKey)")
            print("fingerprint: \(SealedBundleSecrets.fingerprint(of: publicKey))")
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign a bundle's contents (JSON, docs/provisioning-bundle.md), sealing its secrets to one box."
        )

        @Option(name: .customLong("private-key"), help: ArgumentHelp("The signing key `hushbox bundle keygen` made.", valueName: "file"))
        var privateKey: String
        @Option(help: ArgumentHelp("The bundle's contents, without signature or secrets.", valueName: "file.json"))
        var contents: String
        @Option(help: ArgumentHelp("A JSON object of secret name → value (uplink-<name>, sip-peer-<name>, incident-webhook).", valueName: "file.json"))
        var secrets: String?
        @Option(help: ArgumentHelp("The box's provisioning key, as `hushbox provision request` printed it; required with --secrets.", valueName: "key"))
        var box: String?
        @Option(help: ArgumentHelp("The new bundle file.", valueName: "file"))
        var out: String

        func run() async throws {
            do {
                let keyText = try Self.read(privateKey, what: "--private-key")
                guard let raw = Data(base64Encoded: String(decoding: keyText, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
                    let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw)
                else { throw BundleError("--private-key \(privateKey): not a key `hushbox bundle keygen` made") }
                let decoder = JSONDecoder()
                decoder.dateDecodingStrategy = .iso8601
                var bundle = try decoder.decode(BundleContents.self, from: Data(try Self.read(contents, what: "--contents")))
                if let secrets {
                    guard let box, let boxRaw = Data(base64Encoded: box), let boxKey = try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: boxRaw) else {
                        throw BundleError("--secrets needs --box: the box's key from `hushbox provision request` (32 bytes, base64)")
                    }
                    let values = try JSONDecoder().decode([String: String].self, from: Data(try Self.read(secrets, what: "--secrets")))
                    bundle.secrets = try SealedBundleSecrets.seal(values, to: boxKey, bundleID: bundle.bundleID)
                }
                try PrivateFile.create(out, contents: try ProvisioningBundle.sign(bundle, with: key))
                print("signed bundle \(bundle.bundleID) into \(out) with key \(SealedBundleSecrets.fingerprint(of: key.publicKey.rawRepresentation.base64EncodedString()))")
            } catch let failure as ExitCode {
                throw failure
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }

        private static func read(_ path: String, what: String) throws -> [UInt8] {
            do {
                return try BoundedFile.read(path, limit: ProvisioningBundle.maximumBytes)
            } catch {
                throw BundleError("\(what) \(path): \(error.reason)")
            }
        }
    }
}
