import Foundation
import HushboxService
import HushboxTestSupport
import Testing

@Suite("Secrets and start-up checks")
struct SecretsAndStartupTests {
    let box: TestBox
    var directory: TemporaryDirectory { box.directory }
    var loaded: LoadedConfiguration { box.loaded }

    init() async throws {
        box = try await TestBox(provisioned: true)
    }

    private var keyPath: String { directory.child("credentials/device-kek") }

    @Test("a provisioned box passes the start-up checks and its device key reads back")
    func provisionedBoxStarts() async throws {
        let checks = try StartupChecks.run(loaded.configuration)
        #expect(checks.deviceKeyPath == keyPath)
        let key = try await SecretsDirectory(path: directory.child("credentials")).read(.deviceKEK)
        #expect(key == Array(try Data(contentsOf: URL(fileURLWithPath: keyPath))))
    }

    @Test("a device key other users can read is refused with the chmod that fixes it")
    func readableKeyRefused() throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyPath)
        #expect {
            try StartupChecks.run(loaded.configuration)
        } throws: { error in
            "\(error)".contains("mode 0644") && "\(error)".contains("chmod 600 \(keyPath)")
        }
    }

    @Test("a device key of the wrong length is refused")
    func shortKeyRefused() throws {
        try FileManager.default.removeItem(atPath: keyPath)
        try directory.write(String(repeating: "ab", count: 32) + "\n", to: "credentials/device-kek")
        #expect {
            try StartupChecks.run(loaded.configuration)
        } throws: { error in
            "\(error)".contains("holds 65 bytes") && "\(error)".contains("exactly 32 raw bytes")
        }
    }

    @Test("a missing data directory names the provisioning command")
    func missingDataDirectory() throws {
        try FileManager.default.removeItem(atPath: directory.child("data"))
        #expect {
            try StartupChecks.run(loaded.configuration)
        } throws: { error in
            "\(error)".contains("hushbox provision init")
        }
    }

    @Test("a private key that belongs to another certificate is refused")
    func mismatchedKeyRefused() throws {
        let other = try TemporaryDirectory()
        var otherConfiguration = loaded.configuration
        otherConfiguration.storage.dataDirectory = other.child("data")
        otherConfiguration.secrets.directory = other.child("credentials")
        otherConfiguration.tls = .init(certificatePath: other.child("c.pem"), privateKeyPath: other.child("k.pem"))
        _ = try DeviceProvisioner(configuration: otherConfiguration).provision(now: Date())
        try FileManager.default.removeItem(atPath: loaded.configuration.tls.privateKeyPath)
        try FileManager.default.copyItem(atPath: other.child("k.pem"), toPath: loaded.configuration.tls.privateKeyPath)
        #expect {
            try StartupChecks.run(loaded.configuration)
        } throws: { error in
            "\(error)".contains("does not belong to the certificate")
        }
    }

    @Test("the configuration report masks the device key and names its problems")
    func reportMasksSecrets() throws {
        let key = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        let report = ConfigurationReport.render(loaded, secrets: ConfigurationReport.checkSecrets(in: directory.child("credentials")))
        #expect(report.contains("device-kek"))
        #expect(report.contains("<masked> 32 bytes"))
        let hex = key.map { String(format: "%02x", $0) }.joined()
        #expect(!report.contains(hex))
        #expect(!report.contains(key.base64EncodedString()))
        #expect(report.contains("storage.data_directory"))

        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: keyPath)
        let findings = ConfigurationReport.checkSecrets(in: directory.child("credentials"))
        #expect(findings.first?.problem?.contains("mode 0640") == true)
    }
}
