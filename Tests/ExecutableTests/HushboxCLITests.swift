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

    @Test("selftest passes on a provisioned box and reports every native library")
    func selftest() async throws {
        let file = try configuration()
        #expect(try await hushbox(["provision", "init", "--config", file]).status == 0)
        let result = try await hushbox(["selftest", "--config", file])
        #expect(result.status == 0, "output: \(result.output) stderr: \(result.errors)")
        for library in ["libsrtp2", "libopus", "libasound2", "libargon2", "TLS certificate", "device key"] {
            #expect(result.output.contains("ok    \(library)"), "missing \(library) in \(result.output)")
        }
    }

    @Test("selftest fails on a box that is not provisioned")
    func selftestUnprovisioned() async throws {
        let result = try await hushbox(["selftest", "--config", try configuration()])
        #expect(result.status == 1)
        #expect(result.output.contains("FAIL"))
    }
}
