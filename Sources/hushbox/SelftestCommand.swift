import ArgumentParser
import Foundation
import HushboxService

struct SelftestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "The technician's checklist: configuration, clock, disk, database, device key, TLS, prompts, trunks, uplinks, the line and native libraries.",
        discussion: "Each check prints PASS or FAIL with what was found and, for a failure, what to do. Exit status 1 when any check fails."
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Also play a 1 kHz tone through the line interface's loop-back plug and report level, noise floor and round trip (stop hushboxd first: it holds the card).")
    var line = false

    @Flag(help: "Print the checks as one JSON document, for scripts.")
    var json = false

    func run() async throws {
        let loaded = try await options.load()
        if line, loaded.configuration.line == nil {
            throw CommandFailure.failed("--line: no line is configured (line.enabled is false); see docs/line.md")
        }
        let checks = await TechnicianChecklist(configuration: loaded.configuration, logger: options.logger).run(now: Date(), line: line)
        let failures = checks.filter { !$0.passed }.count
        if json {
            struct Report: Encodable {
                let device: String
                let passed: Bool
                let checks: [TechnicianChecklist.Check]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let report = Report(device: loaded.configuration.device.name, passed: failures == 0, checks: checks)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            for check in checks {
                print("\(check.passed ? "PASS" : "FAIL")  \(check.name): \(check.detail)")
                if let remedy = check.remedy { print("      what to do: \(remedy)") }
            }
        }
        if failures > 0 {
            throw CommandFailure.failed("\(failures) check(s) failed")
        }
    }
}
