import Foundation
import HushboxTestSupport
import Testing

/// The `hushbox` command as a technician runs it: output and exit status.
@Suite("The hushbox command")
struct HushboxCLITests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
    }

    private func hushbox(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String, errors: String) {
        try await ChildProcess.run(
            try BuiltProducts.path(of: "hushbox"), arguments, directory: directory.path,
            environment: HushboxdLifecycleTests.environment(environment)
        )
    }

    private func configuration(_ extra: String = "") throws -> String {
        try directory.write(
            """
            storage:
              data_directory: \(directory.child("data"))
            secrets:
              directory: \(directory.child("credentials"))
            \(extra)
            """,
            to: "hushbox.yaml"
        )
    }

    @Test("--version prints the version")
    func version() async throws {
        let result = try await hushbox(["--version"])
        #expect(result.status == 0)
        #expect(result.output.range(of: #"^\d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
    }

    @Test("config check refuses a bad file with status 78 and names the key", arguments: [
        ("ops:\n  prot: 9000\n", "unknown key \"ops.prot\""),
        ("ops:\n  port: \"nine\"\n", "ops.port = \"nine\""),
        ("ops:\n  port: 70000\n", "ops.port = \"70000\""),
        ("ops:\n  enabled: 3\n", "ops.enabled = \"3\""),
    ])
    func checkRefusesBadFile(yaml: String, named: String) async throws {
        let file = try directory.write(yaml, to: "bad.yaml")
        let result = try await hushbox(["config", "check", "--config", file])
        #expect(result.status == 78)
        #expect(result.errors.contains(named), "stderr: \(result.errors)")
        #expect(result.errors.hasPrefix("hushbox: configuration error: "))
    }

    @Test("config check on a provisioned box prints the effective configuration with the device key masked")
    func checkPrintsEffectiveConfiguration() async throws {
        let file = try configuration("ops:\n  port: 9100\n")
        #expect(try await hushbox(["provision", "init", "--config", file]).status == 0)
        let result = try await hushbox(["config", "check", "--config", file], environment: ["HUSHBOX_LOG_LEVEL": "debug"])
        #expect(result.status == 0, "stderr: \(result.errors)")
        #expect(result.output.contains("ops.port"))
        #expect(result.output.contains("9100"))
        #expect(result.output.contains("# \(file)"))
        #expect(result.output.contains("# environment variable HUSHBOX_LOG_LEVEL"))
        #expect(result.output.contains("device-kek"))
        #expect(result.output.contains("<masked>"))
        let key = try Data(contentsOf: URL(fileURLWithPath: directory.child("credentials/device-kek")))
        #expect(!result.output.contains(key.map { String(format: "%02x", $0) }.joined()))
        #expect(result.output.contains("Configuration is valid."))
    }

    @Test("config check on a box without its device key fails and says how to make one")
    func checkWithoutKey() async throws {
        let file = try configuration()
        let result = try await hushbox(["config", "check", "--config", file])
        #expect(result.status == 1)
        #expect(result.errors.contains("hushbox provision init"))
    }

    @Test("provision init creates what is missing and keeps it on the next run")
    func provisionTwice() async throws {
        let file = try configuration()
        let first = try await hushbox(["provision", "init", "--config", file])
        #expect(first.status == 0)
        #expect(first.output.contains("created  device key"))
        let second = try await hushbox(["provision", "init", "--config", file])
        #expect(second.status == 0)
        #expect(second.output.contains("kept     device key"))
        #expect(!second.output.contains("created"))
    }

    @Test("selftest passes on a provisioned box but for an unsynchronised clock, reports every native library, and says the same in JSON")
    func selftest() async throws {
        let file = try configuration()
        #expect(try await hushbox(["provision", "init", "--config", file]).status == 0)
        let result = try await hushbox(["selftest", "--config", file])
        for check in ["configuration", "disk", "database", "device key", "TLS certificate", "prompts", "libsrtp2", "libopus", "libasound2", "libargon2", "libspandsp"] {
            #expect(result.output.contains("PASS  \(check):"), "missing \(check) in \(result.output)")
        }
        // This machine's clock may have no NTP: then the clock is the one failure, with what to do, and the exit status says so.
        let failures = result.output.split(separator: "\n").filter { $0.hasPrefix("FAIL") }
        let unsynchronised = result.output.contains("FAIL  clock: not synchronised")
        #expect(failures.count == (unsynchronised ? 1 : 0), "\(result.output)")
        #expect(result.status == (unsynchronised ? 1 : 0), "output: \(result.output) stderr: \(result.errors)")
        if unsynchronised { #expect(result.output.contains("what to do: the clock must be synchronised")) }

        let json = try await hushbox(["selftest", "--json", "--config", file])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        let checks = try #require(report["checks"] as? [[String: Any]])
        #expect(report["passed"] as? Bool == !unsynchronised)
        #expect(checks.count == result.output.split(separator: "\n").filter { $0.hasPrefix("PASS") || $0.hasPrefix("FAIL") }.count)
        #expect(checks.first { $0["name"] as? String == "database" }?["passed"] as? Bool == true)
    }

    @Test("selftest fails on a box that is not provisioned")
    func selftestUnprovisioned() async throws {
        let result = try await hushbox(["selftest", "--config", try configuration()])
        #expect(result.status == 1)
        #expect(result.output.contains("FAIL"))
    }
}
