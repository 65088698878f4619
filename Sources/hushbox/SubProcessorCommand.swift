import ArgumentParser
import Foundation
import HushboxService
import Uplink
import Vault

struct SubProcessorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subprocessor",
        abstract: "The register of sub-processors: the destinations an organisation's messages may go to, and from when.",
        discussion: """
            A destination in uplink.destinations receives an organisation's messages only while it is on that \
            organisation's register, live (30 days after the customer notice) and registered for the region the \
            configuration names; until then its messages wait in the outbox.
            """,
        subcommands: [Add.self, List.self, Remove.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a sub-processor and schedule its go-live 30 days after the customer notice. Audited.",
            discussion: "Give --notice-given when customers were told earlier (by letter, in the contract); the go-live is then 30 days after that date."
        )

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: ArgumentHelp("Its destination's name in uplink.destinations.", valueName: "name")) var name: String
        @Option(help: ArgumentHelp("What it does with the data (customers are told).", valueName: "text")) var purpose: String
        @Option(help: ArgumentHelp("The country it processes the data in (ISO 3166, e.g. DE).", valueName: "code")) var region: String
        @Option(help: ArgumentHelp("When it may start receiving data (YYYY-MM-DD, UTC); 30 days after the notice at the earliest.", valueName: "date"))
        var goLive: String?
        @Option(help: ArgumentHelp("When customers were notified, if before today (YYYY-MM-DD, UTC).", valueName: "date")) var noticeGiven: String?

        func run() async throws {
            let loaded = try await options.load()
            let country: DataRegion
            do { country = try DataRegion(region) } catch { throw CommandFailure.failed("\(error)") }
            if let refusal = ResidencyPolicy(rawValue: loaded.configuration.uplink.residency)?.refusal(of: name, in: country) {
                throw CommandFailure.failed(refusal)
            }
            let tenant = try await tenantOption.open(loaded, logger: options.logger)
            do {
                let registered = try tenant.registerSubProcessor(
                    name: name, purpose: purpose, region: country.countryCode, goLive: try goLive.map(SubProcessorCommand.day),
                    noticeGiven: try noticeGiven.map(SubProcessorCommand.day), actor: CommandActor.current
                )
                print("\(registered.name) registered: customer notice \(SubProcessorCommand.day(registered.noticeAt)), may receive data from \(SubProcessorCommand.day(registered.goLiveAt))")
            } catch let failure as ExitCode {
                throw failure
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The register: name, purpose, region, notice, go-live, and whether it is live.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do {
                let now = Date()
                for entry in try tenant.subProcessors() {
                    let state = entry.isLive(at: now) ? "live" : "notice period"
                    print("\(entry.name)  \(entry.region)  \(state)  notice=\(SubProcessorCommand.day(entry.noticeAt))  go-live=\(SubProcessorCommand.day(entry.goLiveAt))  \(entry.purpose)")
                }
            } catch {
                throw CommandFailure.failed("\(error)")
            }
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Take a sub-processor off the register: nothing more is delivered to it. Audited.")

        @OptionGroup var options: ConfigurationOptions
        @OptionGroup var tenantOption: TenantOption
        @Argument(help: ArgumentHelp("Its name.", valueName: "name")) var name: String

        func run() async throws {
            let tenant = try await tenantOption.open(options)
            do { try tenant.removeSubProcessor(named: name, actor: CommandActor.current) } catch { throw CommandFailure.failed("\(error)") }
            print("\(name) removed from the register: its messages wait in the outbox")
        }
    }

    /// A UTC day, as the register shows and takes dates.
    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    static func day(_ text: String) throws -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        guard let date = formatter.date(from: text) else { throw CommandFailure.failed("\(text) is not a date: write YYYY-MM-DD") }
        return date
    }
}
