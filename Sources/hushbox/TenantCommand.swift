import ArgumentParser
import HushboxService
import Vault

struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant",
        abstract: "Manage the organisations whose data the box keeps.",
        subcommands: [Create.self, List.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an organisation with its own keys; prints its id.")

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "The organisation's name (stored sealed).")
        var name: String

        func run() async throws {
            let loaded = try await options.load()
            let vault = try await VaultOpening.open(loaded.configuration, logger: options.logger)
            do {
                let tenant = try vault.createTenant(name: name)
                try tenant.audit(AuditEvent(action: "tenant.created", actor: CommandActor.current))
                print(tenant.tenantID)
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List organisations: id and name.")

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let loaded = try await options.load()
            let vault = try await VaultOpening.open(loaded.configuration, logger: options.logger)
            do {
                for id in try vault.tenantIDs() {
                    print("\(id)  \(try vault.tenant(id).name())")
                }
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }
}
