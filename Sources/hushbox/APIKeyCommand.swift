import ArgumentParser
import Foundation
import HushboxService
import Vault

/// API keys for the customer's scripts (`Authorization: Bearer hbx_…`).
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey",
        abstract: "Create, list and revoke API keys for scripts that use the admin API.",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API key and print it once: it is stored only as a hash and cannot be shown again.",
            discussion: "Pass it as `Authorization: Bearer KEY`. Anyone with it acts with its role until it is revoked."
        )

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Option(help: ArgumentHelp("owner, admin, technician or read-only.", valueName: "role")) var role: String
        @Option(help: ArgumentHelp("What it is for, shown in lists (stored sealed).", valueName: "text")) var label: String?

        func run() async throws {
            guard let role = User.Role(name: role) else { throw CommandFailure.failed("--role \(role): choose owner, admin, technician or read-only") }
            let tenant = try await tenantOption.open(options)
            do {
                let key = try tenant.createAPIKey(label: label, role: role, actor: CommandActor.current)
                print("id     \(key.id)")
                print("key    \(key.token)")
                print("Keep the key now: it is not shown again.")
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List API keys: id, role, label, created, last used (to the minute), revoked.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            let formatter = ISO8601DateFormatter()
            do {
                for key in try tenant.apiKeys() {
                    print([
                        key.id, key.role.name, key.label ?? "-", "created " + formatter.string(from: key.createdAt),
                        key.lastUsedAt.map { "used " + formatter.string(from: $0) } ?? "never used",
                        key.revokedAt.map { "revoked " + formatter.string(from: $0) } ?? "live",
                    ].joined(separator: "  "))
                }
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key: the next request with it is refused.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: "The key's id (see `hushbox apikey list`).") var id: String

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do {
                guard try tenant.revokeAPIKey(id, actor: CommandActor.current) else {
                    throw CommandFailure.failed("there is no live API key \(id); see `hushbox apikey list`")
                }
            } catch let error as VaultError {
                throw CommandFailure.failed("\(error)")
            }
            print("revoked \(id)")
        }
    }
}
