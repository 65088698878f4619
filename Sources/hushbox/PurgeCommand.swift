import ArgumentParser
import Foundation
import HushboxService
import Privacy
import Vault

struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Remove what every organisation's retention periods say has expired, now (hushboxd does this daily at 03:00 UTC).",
        discussion: """
            For a systemd timer or a technician. Safe to run while hushboxd runs and to run again: \
            what is gone is not found again, and a run cut off earlier is resumed and counted once. \
            Each organisation's run writes one audit entry with its counts.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Show what would be removed, and change nothing.")
    var dryRun = false

    func run() async throws {
        let loaded = try await options.load()
        let vault = try await VaultOpening.open(loaded.configuration, logger: options.logger)
        let purge = RetentionPurge(vault: vault)
        let now = Date()
        do {
            if dryRun {
                let preview = try purge.preview(at: now)
                for tenantID in try vault.tenantIDs() {
                    print("organisation \(tenantID): would remove")
                    for kind in ExpiredData.allCases {
                        print("  \(kind.rawValue)  \(preview.tenants[tenantID]?[kind] ?? 0)  (older than \(try retentionDays(kind, vault.tenant(tenantID))) days)")
                    }
                }
                print("backups  \(preview.backups)  (older than \(RetentionCategory.backups.defaultDays) days)")
                print("dry run: nothing was changed")
                return
            }
            let outcome = try await purge.run(actor: CommandActor.current, at: now)
            for tenantID in try vault.tenantIDs() {
                guard let run = outcome.runs[tenantID] else {
                    print("organisation \(tenantID): completed by another process at the same time")
                    continue
                }
                print("organisation \(tenantID): removed\(run.resumed ? " (resumed a run cut off earlier)" : "")")
                for kind in ExpiredData.allCases {
                    print("  \(kind.rawValue)  \(run.removed[kind] ?? 0)")
                }
            }
            print("backups  \(outcome.backupsRemoved)")
        } catch {
            throw CommandFailure.failed("\(error)")
        }
    }

    private func retentionDays(_ kind: ExpiredData, _ tenant: TenantVault) throws -> Int {
        RetentionPolicy(try tenant.retentionSettings())[kind.category]
    }
}
