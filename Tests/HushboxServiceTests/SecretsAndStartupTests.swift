import Foundation
import HushboxService
import HushboxTestSupport
import Logging
import Testing
import Vault

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
        let checks = try await StartupChecks.run(loaded.configuration, logger: Logger(label: "test"))
        #expect(checks.deviceKeyPath == keyPath)
        let key = try await SecretsDirectory(path: directory.child("credentials")).read(.deviceKEK)
        #expect(key == Array(try Data(contentsOf: URL(fileURLWithPath: keyPath))))
    }

    @Test("a device key other users can read is refused with the chmod that fixes it")
    func readableKeyRefused() async throws {
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: keyPath)
        await #expect {
            try await StartupChecks.run(loaded.configuration, logger: Logger(label: "test"))
        } throws: { error in
            "\(error)".contains("mode 0644") && "\(error)".contains("chmod 600 \(keyPath)")
        }
    }

    @Test("a device key of the wrong length is refused")
    func shortKeyRefused() async throws {
        try FileManager.default.removeItem(atPath: keyPath)
        try directory.write(String(repeating: "ab", count: 32) + "\n", to: "credentials/device-kek")
        await #expect {
            try await StartupChecks.run(loaded.configuration, logger: Logger(label: "test"))
        } throws: { error in
            "\(error)".contains("holds 65 bytes") && "\(error)".contains("exactly 32 raw bytes")
        }
    }

    @Test("a missing data directory names the provisioning command")
    func missingDataDirectory() async throws {
        try FileManager.default.removeItem(atPath: directory.child("data"))
        await #expect {
            try await StartupChecks.run(loaded.configuration, logger: Logger(label: "test"))
        } throws: { error in
            "\(error)".contains("hushbox provision init")
        }
    }

    @Test("a private key that belongs to another certificate is refused")
    func mismatchedKeyRefused() async throws {
        let other = try TemporaryDirectory()
        var otherConfiguration = loaded.configuration
        otherConfiguration.storage.dataDirectory = other.child("data")
        otherConfiguration.secrets.directory = other.child("credentials")
        otherConfiguration.tls = .init(certificatePath: other.child("c.pem"), privateKeyPath: other.child("k.pem"))
        _ = try DeviceProvisioner(configuration: otherConfiguration).provision(now: Date())
        try FileManager.default.removeItem(atPath: loaded.configuration.tls.privateKeyPath)
        try FileManager.default.copyItem(atPath: other.child("k.pem"), toPath: loaded.configuration.tls.privateKeyPath)
        await #expect {
            try await StartupChecks.run(loaded.configuration, logger: Logger(label: "test"))
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

@Suite("Device key rotation")
struct DeviceKeyRotationTests {
    @Test("rotation replaces the key file; the vault opens with the new key only")
    func rotation() async throws {
        let box = try await TestBox(provisioned: true)
        let logger = Logger(label: "test")
        let vault = try await VaultAccess.open(box.configuration, logger: logger)
        let tenantID = try vault.createTenant(name: "Praxis").tenantID
        let keyPath = box.directory.child("credentials/device-kek")
        let before = try Data(contentsOf: URL(fileURLWithPath: keyPath))
        let outcome = try await DeviceKeyRotation.rotate(box.configuration, actor: "test", logger: logger)
        #expect(outcome.keysRewrapped == 4)
        #expect(try Data(contentsOf: URL(fileURLWithPath: keyPath)) != before)
        #expect(try await VaultAccess.open(box.configuration, logger: logger).tenant(tenantID).name() == "Praxis")
    }

    @Test("a rotation cut off after its commit but before the key file moved is finished on the next open")
    func interruptedRotationFinished() async throws {
        let box = try await TestBox(provisioned: true)
        let logger = Logger(label: "test")
        let vault = try await VaultAccess.open(box.configuration, logger: logger)
        let tenantID = try vault.createTenant(name: "Praxis").tenantID
        // Steps 1 and 2 of the rotation, then the "crash".
        let next = DeviceKEK.generate()
        let staged = box.directory.child("credentials/device-kek.next")
        try PrivateFile.create(staged, contents: next.bytes)
        try vault.rotateDeviceKEK(to: next.kek, actor: "test")

        let reopened = try await VaultAccess.open(box.configuration, logger: logger)
        #expect(try reopened.tenant(tenantID).name() == "Praxis")
        #expect(try Data(contentsOf: URL(fileURLWithPath: box.directory.child("credentials/device-kek"))) == Data(next.bytes))
        #expect(FileStatus.of(staged) == nil)
    }

    @Test("a staged key from a rotation that never committed is ignored and replaced")
    func uncommittedRotationIgnored() async throws {
        let box = try await TestBox(provisioned: true)
        let logger = Logger(label: "test")
        let tenantID = try await VaultAccess.open(box.configuration, logger: logger).createTenant(name: "Praxis").tenantID
        try PrivateFile.create(box.directory.child("credentials/device-kek.next"), contents: DeviceKEK.generate().bytes)
        #expect(try await VaultAccess.open(box.configuration, logger: logger).tenant(tenantID).name() == "Praxis")
        _ = try await DeviceKeyRotation.rotate(box.configuration, actor: "test", logger: logger)
        #expect(try await VaultAccess.open(box.configuration, logger: logger).tenant(tenantID).name() == "Praxis")
    }
}
