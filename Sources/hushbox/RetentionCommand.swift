import ArgumentParser
import Foundation
import HushboxService
import Privacy
import Vault

struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "How long the box keeps each kind of data for an organisation, and choosing among the allowed periods.",
        subcommands: [Show.self, Change.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Each kind of data: days kept, and the periods allowed.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            let policy: RetentionPolicy
            do { policy = RetentionPolicy(try tenant.retentionSettings()) } catch { throw CommandFailure.failed("\(error)") }
            for category in RetentionCategory.allCases {
                print("\(category.rawValue)  \(policy[category]) days  (allowed: \(category.allowedDays.description))")
            }
            print("audit_log  kept indefinitely  (who it names is crypto-shredded when their data is hard-deleted)")
        }
    }

    struct Change: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Keep one kind of data for DAYS days (see `hushbox retention show` for the allowed periods). Audited.",
            discussion: "Shortening a period takes effect at the next daily purge (03:00 UTC): what is older than the new period is removed then."
        )

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: ArgumentHelp("voicemail_audio, transcripts or call_metadata (the others are fixed).", valueName: "kind")) var kind: String
        @Argument(help: ArgumentHelp("The period in days.", valueName: "days")) var days: Int

        func run() async throws {
            guard let category = RetentionCategory(rawValue: kind) else {
                throw CommandFailure.failed("\(kind) is not a kind of data the box keeps; one of \(RetentionCategory.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let tenant = try await tenantOption.open(options)
            do {
                var policy = RetentionPolicy(try tenant.retentionSettings())
                let before = policy[category]
                try policy.set(category, to: days)
                try tenant.storeRetentionSettings(policy.stored)
                try tenant.audit(AuditEvent(
                    action: "retention.set", actor: CommandActor.current, details: ["kind": category.rawValue, "from_days": "\(before)", "to_days": "\(days)"]
                ))
            } catch {
                throw CommandFailure.failed("\(error)")
            }
            print("\(category.rawValue) kept \(days) days")
        }
    }
}
