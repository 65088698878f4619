import ArgumentParser
import HushboxService
import Vault

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent copy of the database while Hushbox runs.",
        discussion: """
            Uses SQLite's online backup. Personal values stay sealed in the copy, which is useless \
            without this box's device key: keep the key's own backup apart from it. Audio objects \
            are not in the copy.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: ArgumentHelp("The new file to write (never overwritten).", valueName: "file"))
    var out: String

    func run() async throws {
        let loaded = try await options.load()
        let vault = try await VaultOpening.open(loaded.configuration, logger: options.logger)
        do {
            try ServiceAccount.asAdministrator { try vault.backup(to: out, actor: CommandActor.current) }
            print("backup written to \(out) (0600)")
        } catch {
            throw CommandFailure.failed("\(error)")
        }
    }
}
