import ArgumentParser
import Foundation
import HushboxService
import Vault

/// The people who sign in to the console: the first owner, and recovery when
/// no one can sign in. Everything here is audited as the administrator.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Add, list, disable users of the admin console, and reset their passwords.",
        discussion: "Roles: owner (everything), admin (everything but owners), technician (configuration, no personal data), read-only. See docs/admin.md.",
        subcommands: [Add.self, List.self, Disable.self, ResetPassword.self]
    )

    /// Where a password comes from: a file's first line, or standard input ("-": a hidden prompt at a terminal).
    struct PasswordOption: ParsableArguments {
        @Option(help: ArgumentHelp("Read the password from FILE's first line, or \"-\" for standard input (hidden at a terminal). At least 12 characters.", valueName: "file"))
        var passwordFile = "-"

        func read() throws -> String {
            do {
                return try PINInput.read(passwordFile, prompt: "Password (at least 12 characters): ", limit: 1024)
            } catch {
                throw CommandFailure.failed("cannot read the password from \(passwordFile == "-" ? "standard input" : passwordFile): \(error)")
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user who signs in with an e-mail address and password; prints their id.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Option(help: ArgumentHelp("Their e-mail address: their sign-in name (stored sealed).", valueName: "address")) var email: String
        @Option(help: ArgumentHelp("owner, admin, technician or read-only.", valueName: "role")) var role: String
        @Option(help: ArgumentHelp("A name to show (stored sealed).", valueName: "name")) var name: String?
        @OptionGroup var password: PasswordOption

        func run() async throws {
            guard let role = User.Role(name: role) else { throw CommandFailure.failed("--role \(role): choose owner, admin, technician or read-only") }
            let secret = try password.read()
            let tenant = try await tenantOption.open(options)
            do {
                let user = try tenant.createUser(email: email, displayName: name, role: role, password: secret, actor: CommandActor.current)
                print(user.id)
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users: id, role, e-mail address, and whether they are disabled.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do {
                for summary in try tenant.users() {
                    print([summary.user.id, summary.user.role.name, summary.user.email, summary.disabledAt == nil ? "active" : "disabled"].joined(separator: "  "))
                }
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a user signing in; ends their sessions and their API keys at once.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: "The user's id (see `hushbox user list`).") var id: String

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do {
                guard try tenant.disableUser(id, actor: CommandActor.current) else {
                    throw CommandFailure.failed("there is no active user \(id); see `hushbox user list`")
                }
            } catch let error as VaultError {
                throw CommandFailure.failed("\(error)")
            }
            print("disabled \(id)")
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password",
            abstract: "Set a user's password and end their sessions. A disabled or restricted user stays so (`hushbox restrict --subject EMAIL --lift` lets them back)."
        )

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: "The user's id (see `hushbox user list`).") var id: String
        @OptionGroup var password: PasswordOption

        func run() async throws {
            let secret = try password.read()
            let tenant = try await tenantOption.open(options)
            do {
                try tenant.resetPassword(userID: id, to: secret, actor: CommandActor.current)
            } catch {
                throw CommandFailure.failed("\(error)")
            }
            print("password set for \(id)")
        }
    }
}
