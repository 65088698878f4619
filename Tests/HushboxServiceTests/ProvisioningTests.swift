import Foundation
import HushboxService
import Vault
import HushboxTestSupport
import SwiftASN1
import Testing
import X509

@Suite("Provisioning a box")
struct ProvisioningTests {
    @Test("The startup summary names the certificate's last day in UTC, and says to renew it within 30 days and to replace it once expired")
    func certificateValidityLine() throws {
        // 00:30 UTC on 1 March is still 28 February west of Greenwich: the day shown is UTC's.
        let lastInstant = try #require(ISO8601DateFormatter().date(from: "2027-03-01T00:30:00Z"))
        #expect(StartupSummary.certificateValidity(notValidAfter: lastInstant, daysLeft: 400) == "valid until 2027-03-01")
        #expect(StartupSummary.certificateValidity(notValidAfter: lastInstant, daysLeft: 12) == "expires 2027-03-01, in 12 days: renew it")
        #expect(StartupSummary.certificateValidity(notValidAfter: lastInstant, daysLeft: -1) == "EXPIRED on 2027-03-01: replace it")
    }

    let box: TestBox
    var directory: TemporaryDirectory { box.directory }
    var configuration: HushboxConfiguration { box.configuration }

    init() async throws {
        box = try await TestBox(deviceName: "praxis-test")
    }

    @Test("creates private directories, a 32-byte device key and a matching self-signed certificate")
    func firstProvisioning() throws {
        let steps = try DeviceProvisioner(configuration: configuration).provision(now: Date())
        #expect(steps.allSatisfy { $0.outcome == .created })
        #expect(steps.map(\.item) == ["data directory", "secrets directory", "device key", "TLS certificate", "TLS private key"])

        for path in [directory.child("data"), directory.child("credentials"), directory.child("data/tls")] {
            let status = try #require(FileStatus.of(path))
            #expect(status.type == .directory)
            #expect(status.permissions == 0o700, "\(path) has \(status.octalPermissions)")
        }
        for path in [directory.child("credentials/device-kek"), configuration.tls.certificatePath, configuration.tls.privateKeyPath] {
            #expect(FileStatus.of(path)?.permissions == 0o600, "\(path)")
        }
        #expect(FileStatus.of(directory.child("credentials/device-kek"))?.size == 32)

        let identity = try DeviceTLSIdentity.load(certificatePath: configuration.tls.certificatePath, privateKeyPath: configuration.tls.privateKeyPath)
        #expect(identity.subject.contains("CN=praxis-test"))
        #expect(identity.fingerprint.split(separator: ":").count == 32)
        #expect((729...730).contains(identity.daysLeft(at: Date())))

        let certificate = try Certificate(pemEncoded: identity.certificatePEM)
        let names = try #require(try certificate.extensions.subjectAlternativeNames)
        #expect(names.contains(.dnsName("praxis-test")))
        #expect(names.contains(.dnsName("localhost")))
        #expect(names.contains(.ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))))
        #expect(try certificate.extensions.basicConstraints == .notCertificateAuthority)
    }

    @Test("provisioning again keeps every key byte for byte")
    func secondProvisioningKeepsKeys() throws {
        let provisioner = DeviceProvisioner(configuration: configuration)
        _ = try provisioner.provision(now: Date())
        let files = [directory.child("credentials/device-kek"), configuration.tls.certificatePath, configuration.tls.privateKeyPath]
        let before = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        let steps = try provisioner.provision(now: Date())
        #expect(steps.allSatisfy { $0.outcome == .kept })
        #expect(try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) } == before)
    }

    @Test("two boxes get different device keys")
    func keysAreRandom() throws {
        _ = try DeviceProvisioner(configuration: configuration).provision(now: Date())
        let other = try TemporaryDirectory()
        var otherConfiguration = configuration
        otherConfiguration.storage.dataDirectory = other.child("data")
        otherConfiguration.secrets.directory = other.child("credentials")
        otherConfiguration.tls = .init(certificatePath: other.child("data/tls/c.pem"), privateKeyPath: other.child("data/tls/k.pem"))
        _ = try DeviceProvisioner(configuration: otherConfiguration).provision(now: Date())
        let first = try Data(contentsOf: URL(fileURLWithPath: directory.child("credentials/device-kek")))
        let second = try Data(contentsOf: URL(fileURLWithPath: other.child("credentials/device-kek")))
        #expect(first != second)
    }

    @Test("a data directory other users can enter is refused, not used")
    func widePermissionsRefused() throws {
        try FileManager.default.createDirectory(atPath: directory.child("data"), withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        #expect {
            try DeviceProvisioner(configuration: configuration).provision(now: Date())
        } throws: { error in
            "\(error)".contains("mode 0755") && "\(error)".contains("chmod 700")
        }
        #expect(FileStatus.of(directory.child("credentials/device-kek")) == nil)
    }

    @Test("a certificate without its key is reported, not overwritten")
    func orphanCertificate() throws {
        _ = try DeviceProvisioner(configuration: configuration).provision(now: Date())
        try FileManager.default.removeItem(atPath: configuration.tls.privateKeyPath)
        #expect {
            try DeviceProvisioner(configuration: configuration).provision(now: Date())
        } throws: { error in
            "\(error)".contains("its private key does not")
        }
        #expect(FileStatus.of(configuration.tls.certificatePath) != nil)
    }
}
