import ArgumentParser
import Foundation
import HushboxService
import Vault

struct RectifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rectify",
        abstract: "Correct what the box stores about a person: a user's address or name, or the number a caller's calls are filed under. Audited.",
        discussion: "The audit entry names the fields corrected, never their old or new values."
    )

    @OptionGroup var options: ConfigurationOptions
    @OptionGroup var tenantOption: TenantOption

    @OptionGroup var subjectOption: SubjectOption

    @Option(help: ArgumentHelp("A user's corrected e-mail address.", valueName: "email"))
    var email: String?

    @Option(help: ArgumentHelp("A user's corrected display name.", valueName: "name"))
    var displayName: String?

    @Option(help: ArgumentHelp("A caller's corrected number.", valueName: "phone"))
    var number: String?

    func run() async throws {
        let person = try subjectOption.person()
        switch person {
        case .caller where email != nil || displayName != nil, .user where number != nil:
            throw CommandFailure.failed("--number corrects a caller; --email and --display-name correct a user")
        case .caller where number == nil, .user where email == nil && displayName == nil:
            throw CommandFailure.failed("say what to correct: --number for a caller, --email and/or --display-name for a user")
        default:
            break
        }
        let tenant = try await tenantOption.open(options)
        do {
            switch person {
            case .caller(let old):
                let calls = try tenant.rectify(caller: old, to: try PhoneNumber(number ?? ""), actor: CommandActor.current)
                print("corrected the number of \(calls) calls")
            case .user(let address):
                let fields = try tenant.rectify(user: address, newEmail: email, newDisplayName: displayName, actor: CommandActor.current)
                print("corrected: \(fields.joined(separator: ", "))")
            }
        } catch {
            throw CommandFailure.failed("\(error)")
        }
    }
}
