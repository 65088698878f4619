import ArgumentParser
import Foundation
import HushboxService
import Vault

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Inspect the append-only audit log.",
        subcommands: [Verify.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Walk the audit chain from its first entry and name the first broken one.",
            discussion: "Exits 0 when every entry links to the one before and hashes to what it stores, 1 otherwise."
        )

        @OptionGroup var options: ConfigurationOptions

        func run() async throws {
            let loaded = try await options.load()
            let vault = try await VaultOpening.open(loaded.configuration, logger: options.logger)
            switch try vault.verifyAuditChain() {
            case .intact(let entries, let head):
                print("audit chain intact: \(entries) entries, head \(head.prefix(8).map { String(format: "%02x", $0) }.joined())")
            case .broken(let sequence, let reason):
                throw CommandFailure.failed("audit chain BROKEN at entry \(sequence): \(reason)")
            }
        }
    }
}
