import ArgumentParser
import HushboxService

/// The `hushbox` command for technicians and customers. Each concern is a
/// subcommand group in its own file; later capabilities (mailboxes, voicemail,
/// audit, export, erasure, keys) add their groups to `subcommands`.
@main
struct Hushbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hushbox",
        abstract: "Manage a Hushbox voice appliance.",
        discussion: "Exit status: 0 on success, 1 when a check fails, 78 when the configuration is invalid.",
        version: HushboxVersion.current,
        subcommands: [
            ConfigCommand.self, ProvisionCommand.self, SelftestCommand.self, TenantCommand.self, KeysCommand.self,
            AuditCommand.self, BackupCommand.self, MailboxCommand.self, VoicemailCommand.self, UplinkCommand.self, RetentionCommand.self,
            PurgeCommand.self, EraseCommand.self, ExportCommand.self, RectifyCommand.self, RestrictCommand.self,
            SubProcessorCommand.self, IncidentCommand.self, BundleCommand.self, FactoryResetCommand.self, UserCommand.self, APIKeyCommand.self,
        ]
    )

    /// Core dumps off before any subcommand reads a key (``CoreDumps``).
    static func main() async {
        CoreDumps.disable(program: "hushbox")
        await main(nil)
    }
}
