import Crypto
import Foundation
import HushboxService
import HushboxTestSupport
import Logging
import Testing
import Vault

/// `hushbox provision --bundle` on a box in a temporary directory: everything a
/// bundle asks, written once, checked before anything is written, and never a
/// secret replaced unasked.
@Suite("Applying a provisioning bundle")
struct BundleProvisionerTests {
    let directory: TemporaryDirectory
    let configurationPath: String
    let customer = Curve25519.Signing.PrivateKey()
    let boxKey: Curve25519.KeyAgreement.PrivateKey
    let logger = Logger(label: "test")

    init() throws {
        directory = try TemporaryDirectory()
        configurationPath = try directory.write(
            """
            device:
              provisioned: false
            storage:
              data_directory: \(directory.child("data"))
              prompts_directory: \(TestBox.renderedPrompts)
            secrets:
              directory: \(directory.child("credentials"))

            """, to: "hushbox.yaml", permissions: 0o644)
        boxKey = try BoxProvisioningKey.loadOrCreate(in: directory.child("credentials"))
    }

    func contents(
        _ id: String, secrets: [String: String], created: Date = Date(), extra: [String: BundleSetting] = [:], box: Curve25519.KeyAgreement.PublicKey? = nil
    ) throws -> BundleContents {
        var configuration: [String: BundleSetting] = [
            "device.name": .text("praxis-7"),
            "sip.peers.carrier.kind": .text("trunk"),
            "sip.peers.carrier.sources": .list(["192.0.2.10", "198.51.100.0/24"]),
            "sip.peers.carrier.registrar": .text("sip:127.0.0.1:5061"),
            "sip.peers.carrier.registration_username": .text("4930111222"),
            "uplink.destinations.backend.url": .text("https://127.0.0.1:9443"),
            "uplink.destinations.backend.region": .text("DE"),
            "sip.dns_server": .text("127.0.0.53"),
        ]
        configuration.merge(extra) { $1 }
        return BundleContents(
            bundleID: id, createdAt: created, expiresAt: created.addingTimeInterval(3_600), configuration: configuration, lan: ["192.168.7.0/24"],
            organisation: .init(name: "Praxis Nord"), mailboxes: [.init(sipUser: "100", language: "de"), .init(number: "+4930111222", name: "Empfang")],
            retention: ["voicemail_audio": 90], subProcessors: [.init(name: "backend", purpose: "archive", region: "DE")], apiKey: .init(label: "scripts"),
            secrets: try SealedBundleSecrets.seal(secrets, to: box ?? boxKey.publicKey, bundleID: id)
        )
    }

    func apply(_ contents: BundleContents, signer: Curve25519.Signing.PrivateKey? = nil, configure: (inout BundleProvisioner.Options) -> Void = { _ in }) async throws -> BundleProvisioner.Outcome {
        let key = signer ?? customer
        let bundle = try ProvisioningBundle.open(try ProvisioningBundle.sign(contents, with: key), trusting: key.publicKey, now: Date())
        var options = BundleProvisioner.Options()
        options.deviceKeyStorage = .file
        configure(&options)
        var paths = BundleProvisioner.Paths.beside(configurationFile: configurationPath)
        paths.dropInDirectory = directory.child("hushbox.service.d")
        return try await BundleProvisioner(paths: paths, options: options, logger: logger).apply(bundle, environment: [:], now: Date())
    }

    func refusal(_ contents: BundleContents, signer: Curve25519.Signing.PrivateKey? = nil, configure: (inout BundleProvisioner.Options) -> Void = { _ in }) async -> String {
        do {
            _ = try await apply(contents, signer: signer, configure: configure)
            return "applied"
        } catch {
            return "\(error)"
        }
    }

    @Test("a bundle provisions the box: configuration, secrets, organisation, mailboxes, retention, register, API key and drop-in; a re-run keeps all of it")
    func provisionsAndReprovisions() async throws {
        let secrets = ["uplink-backend": "whsec_" + String(repeating: "A", count: 43), "sip-peer-carrier": "trunk password"]
        // One creation time for b1 however long the test takes: a replay is the same bundle, not a newer one.
        let created = Date()
        let outcome = try await apply(try contents("b1", secrets: secrets, created: created))
        let token = try #require(outcome.apiKeyToken)
        let tenantID = try #require(outcome.tenantID)

        let loaded = try await ConfigurationLoader.load(.init(filePath: configurationPath, profile: .production, environment: [:])).configuration
        #expect(loaded.device.provisioned && loaded.device.name == "praxis-7")
        #expect(loaded.storage.dataDirectory == directory.child("data"), "what the bundle did not name is kept")
        #expect(loaded.sip.peers.map(\.name) == ["carrier"] && loaded.uplink.destinations.map(\.name) == ["backend"])
        for (name, value) in secrets {
            let path = directory.child("credentials/\(name)")
            #expect(FileStatus.of(path)?.permissions == 0o600)
            #expect(String(decoding: try #require(FileManager.default.contents(atPath: path)), as: UTF8.self) == value)
        }

        let vault = try await VaultAccess.open(loaded, logger: logger)
        let tenant = try vault.tenant(tenantID)
        #expect(try tenant.name() == "Praxis Nord")
        #expect(try tenant.mailboxes().count == 2)
        #expect(try tenant.subProcessors().map(\.name) == ["backend"])
        #expect(try vault.authenticate(apiKey: token)?.tenantID == tenantID)

        let dropIn = try String(contentsOfFile: directory.child("hushbox.service.d/provisioning.conf"), encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(dropIn.contains("LoadCredential=device-kek:\(directory.child("credentials/device-kek"))"))
        #expect(dropIn.contains("LoadCredential=sip-peer-carrier:\(directory.child("credentials/sip-peer-carrier"))"))
        #expect(dropIn.contains("LoadCredential=uplink-backend:\(directory.child("credentials/uplink-backend"))"))
        #expect(!dropIn.contains { $0.contains(BoxProvisioningKey.fileName) }, "the provisioning key is not the service's")
        #expect(dropIn.filter { $0.hasPrefix("IPAddress") } == [
            "IPAddressDeny=any", "IPAddressAllow=localhost", "IPAddressAllow=192.168.7.0/24", "IPAddressAllow=192.0.2.10", "IPAddressAllow=198.51.100.0/24",
            "IPAddressAllow=127.0.0.1", "IPAddressAllow=127.0.0.53",
        ])
        #expect(dropIn.contains("PrivateDevices=yes"))

        // The same bundle again, and a newer one adding a key: nothing made twice, nothing replaced.
        let kek = FileManager.default.contents(atPath: directory.child("credentials/device-kek"))
        let again = try await apply(try contents("b1", secrets: secrets, created: created))
        #expect(again.apiKeyToken == nil, "the API key is made once")
        #expect(again.steps.filter { $0.outcome == .created }.isEmpty, "\(again.steps)")
        let newer = try await apply(try contents("b2", secrets: secrets, created: created.addingTimeInterval(1), extra: ["log.level": .text("debug")]))
        // The first bundle again, now older than the last one applied: it would roll log.level back.
        let replayed = await refusal(try contents("b1", secrets: secrets, created: created))
        #expect(replayed.contains("older than one this box already applied"), "\(replayed)")
        #expect(newer.tenantID == tenantID)
        #expect(FileManager.default.contents(atPath: directory.child("credentials/device-kek")) == kek)
        let reloaded = try await ConfigurationLoader.load(.init(filePath: configurationPath, profile: .production, environment: [:])).configuration
        #expect(reloaded.log.level == .debug && reloaded.device.name == "praxis-7")
        #expect(try vault.tenant(tenantID).mailboxes().count == 2)

        // A different trunk password is refused unless the technician says to replace it.
        var changed = secrets
        changed["sip-peer-carrier"] = "new password"
        let refused = await refusal(try contents("b3", secrets: changed, created: Date().addingTimeInterval(2)))
        #expect(refused.contains("--replace-secret sip-peer-carrier"), "\(refused)")
        #expect(String(decoding: FileManager.default.contents(atPath: directory.child("credentials/sip-peer-carrier")) ?? Data(), as: UTF8.self) == "trunk password")
        let replaced = try await apply(try contents("b3", secrets: changed, created: Date().addingTimeInterval(2))) { $0.replaceSecrets = ["sip-peer-carrier"] }
        #expect(replaced.steps.contains { $0.item == "secret sip-peer-carrier" && $0.outcome == .replaced })

        // An older bundle cannot roll the box back; another signer needs --new-signer.
        let old = await refusal(try contents("b0", secrets: secrets, created: Date().addingTimeInterval(-600)))
        #expect(old.contains("older than one this box already applied"), "\(old)")
        let stranger = await refusal(try contents("b4", secrets: secrets, created: Date().addingTimeInterval(3)), signer: Curve25519.Signing.PrivateKey())
        #expect(stranger.contains("--new-signer"), "\(stranger)")
    }

    @Test("refused before anything is written: a path, an unknown key, a configuration that would not load, a missing or unused secret")
    func refusalsChangeNothing() async throws {
        let before = try String(contentsOfFile: configurationPath, encoding: .utf8)
        let secrets = ["uplink-backend": "whsec_x", "sip-peer-carrier": "pw"]
        #expect(await refusal(try contents("p", secrets: secrets, extra: ["storage.data_directory": .text("/tmp/elsewhere")])).contains("a bundle cannot set paths"))
        #expect(await refusal(try contents("p", secrets: secrets, extra: ["sip.peers.carrier.ca_file": .text("/etc/passwd")])).contains("a bundle cannot set paths"))
        #expect(await refusal(try contents("p", secrets: secrets, extra: ["device.provisioned": .flag(false)])).contains("set by provisioning itself"))
        #expect(await refusal(try contents("p", secrets: secrets, extra: ["sip.max_conections": .integer(3)])).contains("is not a configuration key"))
        #expect(await refusal(try contents("p", secrets: secrets, extra: ["uplink.destinations.backend.region": .text("US")])).contains("would not load"))
        #expect(await refusal(try contents("p", secrets: ["uplink-backend": "whsec_x"])).contains("names the secret sip-peer-carrier"))
        #expect(await refusal(try contents("p", secrets: secrets.merging(["incident-webhook": "x"]) { $1 })).contains("does not use"))
        // Checked before anything is written too: a mailbox's number, a retention period, a notice date.
        var badMailbox = try contents("p", secrets: secrets)
        badMailbox.mailboxes = [.init(number: "030 1234")]
        #expect(await refusal(badMailbox).contains("mailbox number"))
        var badRetention = try contents("p", secrets: secrets)
        badRetention.retention = ["voicemail_audio": 9999]
        #expect(await refusal(badRetention).contains("retention"))
        var badNotice = try contents("p", secrets: secrets)
        badNotice.subProcessors = [.init(name: "backend", purpose: "archive", region: "DE", noticeGiven: "last week")]
        #expect(await refusal(badNotice).contains("is not a date"))
        #expect(try String(contentsOfFile: configurationPath, encoding: .utf8) == before)
        #expect(FileStatus.of(directory.child("data")) == nil && FileStatus.of(directory.child("credentials/device-kek")) == nil)
        #expect(FileStatus.of(directory.child("hushbox.service.d")) == nil)
    }

    /// systemd-creds seals with the host key only as root (or with a TPM2).
    static let canSeal = getuid() == 0 && (try? SystemdCredentials().encrypt([1, 2, 3], name: "probe")) != nil

    @Test(
        "with systemd-creds, the device key exists only sealed to this machine, and the administrator's commands still open the vault",
        .enabled(if: canSeal, "systemd-creds cannot seal here (not root, or no systemd)")
    )
    func sealedDeviceKey() async throws {
        let secrets = ["uplink-backend": "whsec_x", "sip-peer-carrier": "pw"]
        let outcome = try await apply(try contents("s1", secrets: secrets)) { $0.deviceKeyStorage = .sealed }
        #expect(outcome.steps.contains { $0.item == "device key (sealed)" && $0.outcome == .created })
        #expect(FileStatus.of(directory.child("credentials/device-kek")) == nil, "never written in clear")
        #expect(FileStatus.of(directory.child("credentials/device-kek.cred"))?.permissions == 0o600)
        let dropIn = try String(contentsOfFile: directory.child("hushbox.service.d/provisioning.conf"), encoding: .utf8)
        #expect(dropIn.contains("LoadCredentialEncrypted=device-kek:\(directory.child("credentials/device-kek.cred"))"))
        let loaded = try await ConfigurationLoader.load(.init(filePath: configurationPath, profile: .production, environment: [:])).configuration
        let vault = try await VaultAccess.open(loaded, logger: logger)
        #expect(try vault.tenant(try #require(outcome.tenantID)).mailboxes().count == 2)
    }

    @Test("factory reset crypto-erases: a copy of the vault taken before cannot be opened with anything left on the box, and a fresh provision works")
    func factoryReset() async throws {
        let secrets = ["uplink-backend": "whsec_x", "sip-peer-carrier": "pw"]
        let first = try await apply(try contents("r1", secrets: secrets))
        let kek = try #require(FileManager.default.contents(atPath: directory.child("credentials/device-kek")))
        let copy = try TemporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.child("data")) where name.hasPrefix("hushbox.sqlite") {
            try FileManager.default.copyItem(atPath: directory.child("data/\(name)"), toPath: copy.child(name))
        }
        chmod(copy.path, 0o700)
        let configuration = try await ConfigurationLoader.load(.init(filePath: configurationPath, profile: .production, environment: [:])).configuration
        #expect(try Vault.deviceKEK(try DeviceKEK(bytes: Array(kek)), matchesVaultIn: copy.path), "the copy opens with the key the box had")

        var paths = BundleProvisioner.Paths.beside(configurationFile: configurationPath)
        paths.dropInDirectory = directory.child("hushbox.service.d")
        let steps = try FactoryReset(configuration: configuration, paths: paths).run()
        #expect(steps.first == "destroyed the device key \(directory.child("credentials/device-kek"))", "the device key goes first: \(steps)")
        #expect(steps.contains { $0.hasPrefix("destroyed") && $0.contains("wrapped keys") && !$0.hasPrefix("destroyed 0 ") })
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.child("credentials")).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.child("data")).isEmpty)
        #expect(FileStatus.of(directory.child("hushbox.service.d/provisioning.conf")) == nil && FileStatus.of(paths.record) == nil)
        let reset = try await ConfigurationLoader.load(.init(filePath: configurationPath, profile: .production, environment: [:])).configuration
        #expect(!reset.device.provisioned && reset.sip.peers.isEmpty && reset.storage.dataDirectory == directory.child("data"))
        // Not one byte sequence of the old key is left anywhere in the box's files.
        let enumerator = try #require(FileManager.default.enumerator(atPath: directory.path))
        while let relative = enumerator.nextObject() as? String {
            guard let bytes = FileManager.default.contents(atPath: directory.child(relative)) else { continue }
            #expect(bytes.firstRange(of: kek) == nil, "\(relative) holds the old device key")
        }

        // A new customer provisions the box; its key opens its own vault and not the old copy.
        let newCustomer = Curve25519.Signing.PrivateKey()
        let stale = await refusal(try contents("n0", secrets: secrets), signer: newCustomer)
        #expect(stale.contains("hushbox provision request"), "the old box key went with the reset: \(stale)")
        let newBox = try BoxProvisioningKey.loadOrCreate(in: directory.child("credentials"))
        let again = try await apply(try contents("n1", secrets: secrets, box: newBox.publicKey), signer: newCustomer)
        #expect(again.tenantID != first.tenantID)
        let newKEK = try DeviceKEK(bytes: Array(try #require(FileManager.default.contents(atPath: directory.child("credentials/device-kek")))))
        #expect(throws: VaultError.self) { try Vault.open(directory: copy.path, deviceKEK: newKEK, logger: logger) }
        #expect(!(try Vault.deviceKEK(newKEK, matchesVaultIn: copy.path)))
    }
}
