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

    private func hushbox(_ arguments: [String], environment: [String: String] = [:], input: String? = nil) async throws -> (status: Int32, output: String, errors: String) {
        try await ChildProcess.run(
            try BuiltProducts.path(of: "hushbox"), arguments, directory: directory.path,
            environment: HushboxdLifecycleTests.environment(environment), input: input.map { Data($0.utf8) }
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

    @Test("provision at a terminal asks each setting with its default, asks again after a wrong answer, and provisions as a bundle would")
    func provisionByQuestions() async throws {
        let file = try configuration("device:\n  provisioned: false")
        let answers = [
            "praxis-9", "Praxis Süd", "030 123", "+4930123456", "", "pbx", "999.1.1.1", "192.0.2.20", "",
            "yes", "http://backend.example", "https://127.0.0.1:9443", "US", "DE", "", "", "", "not-a-secret", "whsec_dGVzdA==", "192.168.5.0/24", "no",
        ]
        let result = try await hushbox(
            ["provision", "--interactive", "--config", file, "--unit-directory", directory.child("unit"), "--device-key", "file"],
            input: answers.joined(separator: "\n") + "\n"
        )
        #expect(result.status == 0, "\(result.output)\n\(result.errors)")
        for question in ["Box name [", "The mailbox's number", "Prompt language (", "How calls reach the box", "The phone system's address", "Its signing secret (whsec_…): "] {
            #expect(result.errors.contains(question), "asked \(question)")
        }
        for again in ["is not an IP address or prefix", "an https URL", "outside the EU/EEA", "the whsec_… line hushbox-ingest keygen made"] {
            #expect(result.errors.contains(again), "a wrong answer is asked again, saying why: \(again)")
        }
        #expect(result.output.contains("created  organisation") && result.output.contains("created  mailbox"), "\(result.output)")
        #expect(!result.output.contains("API key"), "no API key was asked for")
        let written = try String(contentsOfFile: file, encoding: .utf8)
        #expect(written.contains("name: praxis-9") && written.contains("provisioned: true") && written.contains("operated_by: customer"), "\(written)")
        #expect(written.contains("192.0.2.20") && !written.contains("plaintext"))
        #expect(try String(contentsOfFile: directory.child("credentials/uplink-backend"), encoding: .utf8) == "whsec_dGVzdA==")
        let dropIn = try String(contentsOfFile: directory.child("unit/provisioning.conf"), encoding: .utf8)
        #expect(dropIn.contains("IPAddressAllow=192.168.5.0/24") && dropIn.contains("IPAddressAllow=192.0.2.20"))

        // Answers that end before the questions do change nothing.
        let other = try directory.write(
            "storage:\n  data_directory: \(directory.child("data2"))\nsecrets:\n  directory: \(directory.child("credentials2"))\ndevice:\n  provisioned: false\n", to: "other.yaml")
        let cut = try await hushbox(["provision", "--interactive", "--config", other, "--unit-directory", directory.child("unit2")], input: "box-2\n")
        #expect(cut.status == 1 && cut.errors.contains("before anything was changed"), "\(cut.errors)")
        #expect(!FileManager.default.fileExists(atPath: directory.child("unit2")) && !FileManager.default.fileExists(atPath: directory.child("data2")))
    }

    @Test("provision csr makes a request for the device's own key that a customer's CA signs; the signed certificate is installed, one for another key refused")
    func certificateFromTheCustomersCA() async throws {
        let file = try configuration("device:\n  name: praxis-7")
        #expect(try await hushbox(["provision", "init", "--config", file]).status == 0)
        let csr = try await hushbox(["provision", "csr", "--config", file, "--name", "192.0.2.5", "--name", "box7.praxis.example"])
        #expect(csr.status == 0 && csr.output.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----"), "\(csr.errors)")
        let request = try directory.write(csr.output + "\n", to: "box.csr")
        let tools = ["PATH": "/usr/bin:/bin"]
        let shown = try await ChildProcess.run("/usr/bin/openssl", ["req", "-in", request, "-noout", "-text", "-verify"], environment: tools)
        #expect(shown.errors.contains("verify OK") || shown.output.contains("verify OK"), "\(shown)")
        #expect(shown.output.contains("CN = praxis-7") && shown.output.contains("IP Address:192.0.2.5") && shown.output.contains("DNS:box7.praxis.example"), "\(shown.output)")

        // The customer's CA signs it.
        let caKey = directory.child("ca.key"), caCertificate = directory.child("ca.pem"), signed = directory.child("signed.pem")
        let ca = try await ChildProcess.run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", caKey, "-out", caCertificate,
            "-subj", "/CN=Praxis CA", "-days", "30",
        ], environment: tools)
        #expect(ca.status == 0, "\(ca.errors)")
        let signing = try await ChildProcess.run("/usr/bin/openssl", [
            "x509", "-req", "-in", request, "-CA", caCertificate, "-CAkey", caKey, "-CAcreateserial", "-out", signed, "-days", "30", "-copy_extensions", "copy",
        ], environment: tools)
        #expect(signing.status == 0, "\(signing.errors)")
        let installed = try await hushbox(["provision", "certificate", "--config", file, signed])
        #expect(installed.status == 0 && installed.output.hasPrefix("installed: SHA-256 "), "\(installed.errors)")
        #expect(FileManager.default.fileExists(atPath: directory.child("data/tls/certificate.pem.previous")))
        let selftest = try await hushbox(["selftest", "--config", file])
        #expect(selftest.output.contains("PASS  TLS certificate:") && selftest.output.contains(/(29|30) days left/), "\(selftest.output)")

        // The CA's own certificate is for another key: refused, and the installed one stays.
        let refused = try await hushbox(["provision", "certificate", "--config", file, caCertificate])
        #expect(refused.status == 1 && refused.errors.contains("for another key"), "\(refused.errors)")
        #expect(try String(contentsOfFile: directory.child("data/tls/certificate.pem"), encoding: .utf8) == String(contentsOfFile: signed, encoding: .utf8))
    }
}
