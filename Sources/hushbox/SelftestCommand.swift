import ArgumentParser
import Foundation
import HushboxService
import Vault

struct SelftestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check that this box can run Hushbox: configuration, directories, secrets, TLS, the line's sound card and native libraries."
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Also play a 1 kHz tone through the line interface's loop-back plug and report level, noise floor and round trip (stop hushboxd first: it holds the card).")
    var line = false

    func run() async throws {
        let loaded = try await options.load()
        var failures = 0
        func report(_ name: String, _ outcome: Result<String, StartupError>) {
            switch outcome {
            case .success(let detail):
                print("ok    \(name): \(detail)")
            case .failure(let error):
                failures += 1
                print("FAIL  \(name): \(error)")
            }
        }
        report("configuration", .success("loaded"))
        do {
            let checks = try await StartupChecks.run(loaded.configuration, logger: options.logger)
            report("data directory", .success(loaded.configuration.storage.dataDirectory))
            report("device key", .success(checks.deviceKeyPath))
            report("database", .success("\(checks.vault.databasePath): integrity ok, device key matches"))
            let daysLeft = checks.tlsIdentity.daysLeft(at: Date())
            report(
                "TLS certificate",
                daysLeft >= 0 ? .success("SHA-256 \(checks.tlsIdentity.fingerprint), \(daysLeft) days left") : .failure(StartupError("expired \(-daysLeft) days ago"))
            )
        } catch {
            report("start-up checks", .failure(error))
        }
        if let configured = loaded.configuration.line {
            for check in LineSelftest.run(configured, loopback: line) {
                report(check.name, check.passed ? .success(check.detail) : .failure(StartupError(check.detail)))
            }
        } else if line {
            report("line", .failure(StartupError("no line is configured (line.enabled is false); see docs/line.md")))
        }
        for library in NativeLibraries.check() {
            report(library.library, library.problem.map { .failure(StartupError($0)) } ?? .success(library.version ?? ""))
        }
        if failures > 0 {
            throw CommandFailure.failed("\(failures) check(s) failed")
        }
    }
}
