import Foundation
import HushboxTestSupport
import Testing

@testable import HushboxService

/// What hushboxd checks of each uplink destination before it starts.
@Suite("Uplink setup at start")
struct UplinkSetupTests {
    static let secret = "whsec_" + Data(repeating: 9, count: 32).base64EncodedString()

    /// A provisioned box whose destination "backend" trusts `caPEM` and pins `pin`.
    func prepare(caPEM: String, pin: String) async throws -> [UplinkSetup] {
        let certificates = try TemporaryDirectory()
        let caFile = try certificates.write(caPEM, to: "receiver.pem")
        let box = try await TestBox(provisioned: true, extra: """
            uplink:
              destinations:
                backend:
                  url: https://ingest.example.eu
                  region: DE
                  ca_file: \(caFile)
                  pin_sha256: \(pin)
            """)
        #expect(FileManager.default.createFile(
            atPath: box.configuration.secrets.directory + "/uplink-backend", contents: Data(Self.secret.utf8), attributes: [.posixPermissions: 0o600]
        ))
        let identity = try DeviceTLSIdentity.load(certificatePath: box.configuration.tls.certificatePath, privateKeyPath: box.configuration.tls.privateKeyPath)
        return try UplinkSetup.prepare(box.configuration, identity: identity)
    }

    @Test("A pin naming an anchor in ca_file is taken; one naming none stops the start, naming the destination and how to compute a pin")
    func pins() async throws {
        let receiver = try TestCertificate.selfSigned(commonName: "receiver")
        let other = try TestCertificate.selfSigned(commonName: "other")
        let bundle = receiver.certificatePEM + "\n" + other.certificatePEM
        let setups = try await prepare(caPEM: bundle, pin: try TestCertificate.spkiSHA256(ofPEM: other.certificatePEM))
        #expect(setups.count == 1)
        do {
            _ = try await prepare(caPEM: receiver.certificatePEM, pin: try TestCertificate.spkiSHA256(ofPEM: other.certificatePEM))
            Issue.record("a pin naming no anchor must stop the start")
        } catch let error as StartupError {
            #expect("\(error)".contains("uplink destination backend") && "\(error)".contains("pin_sha256") && "\(error)".contains("openssl"), "\(error)")
        }
    }
}
