import ArgumentParser
import Foundation
import HushboxService
import Vault

struct RestrictCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restrict",
        abstract: "Restrict a user: end their sessions and stop them signing in or using their API keys, keeping all their data. Audited.",
        discussion: "--lift lets them sign in again (refused while their erasure is under way)."
    )

    @OptionGroup var options: ConfigurationOptions
    @OptionGroup var tenantOption: TenantOption

    @Option(help: ArgumentHelp("The user's e-mail address.", valueName: "email"))
    var subject: String

    @Flag(help: "Lift the restriction instead.")
    var lift = false

    func run() async throws {
        guard subject.contains("@") else { throw CommandFailure.failed("restrict applies to users: give their e-mail address") }
        let tenant = try await tenantOption.open(options)
        do {
            if lift {
                try tenant.liftRestriction(user: subject, actor: CommandActor.current)
                print("restriction lifted: the user may sign in again")
            } else {
                let ended = try tenant.restrict(user: subject, actor: CommandActor.current)
                print("restricted: \(ended) sessions ended; the user cannot sign in; their data is kept")
            }
        } catch {
            throw CommandFailure.failed("\(error)")
        }
    }
}
