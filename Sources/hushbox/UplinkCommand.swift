import ArgumentParser
import Foundation
import HushboxService
import Vault

struct UplinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "uplink",
        abstract: "The queue of messages on their way to the customer's backend: what waits, and putting back what a receiver refused.",
        subcommands: [List.self, Retry.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queued deliveries, oldest first: entry id, destination, state, attempts, next attempt (UTC), last HTTP status, and the message.",
            discussion: "pending: waiting for its next attempt; delivering: under way (or when the box stopped); abandoned: the receiver refused it for good — look at the receiver, then `hushbox uplink retry ID`. --all adds delivered and withdrawn (deleted before delivery) entries."
        )

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Flag(help: "Also list delivered and withdrawn entries.") var all = false

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do {
                let formatter = ISO8601DateFormatter()
                for entry in try tenant.outboxEntries(includingClosed: all) {
                    let last = try tenant.deliveryLog(entry.id).last
                    let waiting = entry.state == .pending ? formatter.string(from: entry.nextAttemptAt) : "-"
                    print([
                        entry.id, entry.destination, entry.state.rawValue, "attempts=\(entry.attempts)", "next=\(waiting)",
                        "last=\(last.map { $0.statusCode.map(String.init) ?? $0.outcome.rawValue } ?? "-")", "\(entry.kind) \(entry.referenceID)",
                    ].joined(separator: "  "))
                }
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put an abandoned entry back in the queue; hushboxd sends it within seconds. Audited.",
            discussion: "Only abandoned entries: pending ones are retried on their own schedule, delivered ones are done."
        )

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: "The entry id (see `hushbox uplink list`).") var id: String

        func run() async throws {
            let loaded = try await options.load()
            let tenant = try await tenantOption.open(loaded, logger: options.logger)
            do {
                try tenant.requeue(id, actor: CommandActor.current)
            } catch {
                throw CommandFailure.failed("\(error)")
            }
            print("queued again: \(id)")
        }
    }
}
