import Crypto
import Foundation
import HushboxService
import HushboxTestSupport
import Testing

/// A provisioning bundle as a box reads it: only the customer's signature on
/// exactly these bytes, within its dates, with nothing unknown in it, and
/// secrets only this box can open.
@Suite("Provisioning bundles")
struct ProvisioningBundleTests {
    static let now = Date(timeIntervalSince1970: 1_796_500_000)
    let customer = Curve25519.Signing.PrivateKey()

    static func contents(_ id: String = "bundle-1", created: Date = now, expires: Date = now.addingTimeInterval(86_400)) -> BundleContents {
        BundleContents(
            bundleID: id, createdAt: created, expiresAt: expires, configuration: ["device.name": .text("box-7"), "log.level": .text("info")],
            lan: ["192.168.1.0/24"], organisation: .init(name: "Praxis Nord"), mailboxes: [.init(sipUser: "100", language: "de")]
        )
    }

    func open(_ bytes: [UInt8], signer: Curve25519.Signing.PublicKey? = nil, at now: Date = now) -> Result<ProvisioningBundle, BundleError> {
        Result { () throws(BundleError) in try ProvisioningBundle.open(bytes, trusting: signer ?? customer.publicKey, now: now) }
    }

    func refusal(_ bytes: [UInt8], signer: Curve25519.Signing.PublicKey? = nil, at now: Date = now) -> String {
        switch open(bytes, signer: signer, at: now) {
        case .success: "accepted"
        case .failure(let error): error.description
        }
    }

    @Test("a bundle signed by the customer opens with their key, as signed")
    func signedBundleOpens() throws {
        let bytes = try ProvisioningBundle.sign(Self.contents(), with: customer)
        let opened = try open(bytes).get()
        #expect(opened.contents == Self.contents())
        #expect(opened.signer == customer.publicKey.rawRepresentation.base64EncodedString())
    }

    @Test("one altered byte of the payload, another signer, or no envelope at all: refused, saying why")
    func tamperingIsRefused() throws {
        let bytes = try ProvisioningBundle.sign(Self.contents(), with: customer)
        var envelope = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String])
        let encodedPayload = try #require(envelope["payload"])
        var payload = try #require(Data(base64Encoded: encodedPayload))
        let found = try #require(payload.firstRange(of: Data("box-7".utf8)))
        let index = found.lowerBound
        payload[index] = UInt8(ascii: "B")
        envelope["payload"] = payload.base64EncodedString()
        let altered = Array(try JSONSerialization.data(withJSONObject: envelope))
        #expect(refusal(altered).contains("signature does not verify"))

        let stranger = Curve25519.Signing.PrivateKey()
        let forged = try ProvisioningBundle.sign(Self.contents(), with: stranger)
        let refused = refusal(forged)
        #expect(refused.contains("not by the customer key you gave"), "\(refused)")
        #expect(refused.contains(SealedBundleSecrets.fingerprint(of: stranger.publicKey.rawRepresentation.base64EncodedString())))
        // The stranger's bundle with the customer's key in its signer field still fails the signature.
        var swapped = try #require(try JSONSerialization.jsonObject(with: Data(forged)) as? [String: String])
        swapped["signer"] = customer.publicKey.rawRepresentation.base64EncodedString()
        #expect(refusal(Array(try JSONSerialization.data(withJSONObject: swapped))).contains("signature does not verify"))

        #expect(refusal(Array("not json".utf8)).contains("not a provisioning bundle"))
        #expect(refusal(Array(#"{"format":"hushbox-provisioning-bundle/9","signer":"","payload":"","signature":""}"#.utf8)).contains("this box reads"))
    }

    @Test("a file over 256 KiB is refused before it is parsed")
    func oversizeIsRefused() {
        let huge = [UInt8](repeating: UInt8(ascii: " "), count: ProvisioningBundle.maximumBytes + 1)
        #expect(refusal(huge).contains("larger than 256 KiB"))
    }

    @Test("expired, or made in the box's future: refused with what to check")
    func datesAreChecked() throws {
        let bytes = try ProvisioningBundle.sign(Self.contents(), with: customer)
        #expect(refusal(bytes, at: Self.now.addingTimeInterval(86_401)).contains("expired"))
        #expect(refusal(bytes, at: Self.now.addingTimeInterval(-3_600)).contains("check this box's clock"))
        #expect(refusal(bytes, at: Self.now.addingTimeInterval(-60)) == "accepted", "a clock a minute slow is tolerated")
    }

    @Test("an unknown field, even signed, is refused by name")
    func unknownFieldsAreRefused() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var object = try #require(try JSONSerialization.jsonObject(with: try encoder.encode(Self.contents())) as? [String: Any])
        object["mailbox"] = ["sip_user": "100"]
        let payload = try JSONSerialization.data(withJSONObject: object)
        let signature = try customer.signature(for: Data("hushbox-provisioning-bundle/1\n".utf8) + payload)
        let envelope: [String: String] = [
            "format": "hushbox-provisioning-bundle/1", "signer": customer.publicKey.rawRepresentation.base64EncodedString(),
            "payload": payload.base64EncodedString(), "signature": signature.base64EncodedString(),
        ]
        let refused = refusal(Array(try JSONSerialization.data(withJSONObject: envelope)))
        #expect(refused.contains("mailbox is not a field of a provisioning bundle"), "\(refused)")
    }

    @Test("a bundle id that could break a line, or a bundle valid for more than 30 days: not signed, and refused when signed by hand")
    func idsAndLifetime() throws {
        var broken = Self.contents()
        broken.bundleID = "x\n[Service]\nExecStartPre=+/bin/sh -c id\n#"
        #expect(throws: BundleError.self) { try ProvisioningBundle.sign(broken, with: customer) }
        let handSigned = try Self.signedByHand(broken, with: customer)
        #expect(refusal(handSigned).contains("bundle_id: 1 to 64 letters"), "\(refusal(handSigned))")

        let longLived = Self.contents(expires: Self.now.addingTimeInterval(31 * 86_400))
        #expect(throws: BundleError.self) { try ProvisioningBundle.sign(longLived, with: customer) }
        #expect(refusal(try Self.signedByHand(longLived, with: customer)).contains("more than 30 days"))
    }

    /// Signs contents the way `hushbox bundle sign` would, without its checks: what a careless tool could make.
    static func signedByHand(_ contents: BundleContents, with key: Curve25519.Signing.PrivateKey) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        let payload = try encoder.encode(contents)
        let signature = try key.signature(for: Data("hushbox-provisioning-bundle/1\n".utf8) + payload)
        let envelope: [String: String] = [
            "format": "hushbox-provisioning-bundle/1", "signer": key.publicKey.rawRepresentation.base64EncodedString(),
            "payload": payload.base64EncodedString(), "signature": signature.base64EncodedString(),
        ]
        return Array(try JSONSerialization.data(withJSONObject: envelope))
    }

    @Test("secrets open only on the box they were sealed to, and only for their bundle")
    func secretsAreForOneBox() throws {
        let box = Curve25519.KeyAgreement.PrivateKey()
        let sealed = try SealedBundleSecrets.seal(["uplink-backend": "whsec_abc"], to: box.publicKey, bundleID: "bundle-1")
        #expect(try sealed.opened(with: box, bundleID: "bundle-1").get() == ["uplink-backend": "whsec_abc"])
        #expect(throws: BundleError.self) { try sealed.open(with: Curve25519.KeyAgreement.PrivateKey(), bundleID: "bundle-1") }
        #expect(throws: BundleError.self) { try sealed.open(with: box, bundleID: "bundle-2") }
        let multiline = try SealedBundleSecrets.seal(["sip-peer-carrier": "a\nb"], to: box.publicKey, bundleID: "bundle-1")
        #expect(throws: BundleError.self) { try multiline.open(with: box, bundleID: "bundle-1") }
    }

    @Test("the drop-in loads each credential, allows only what the box must reach, and closes devices without a line")
    func dropInText() {
        let dropIn = ServiceDropIn(
            credentials: [.encrypted(name: "device-kek", path: "/etc/hushbox/credentials/device-kek.cred"), .file(name: "uplink-backend", path: "/etc/hushbox/credentials/uplink-backend")],
            allowedAddresses: ["192.0.2.10", "192.168.1.0/24", "192.0.2.10"], privateDevices: true, extraGroups: [], origin: "bundle b"
        )
        let lines = dropIn.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("LoadCredentialEncrypted=device-kek:/etc/hushbox/credentials/device-kek.cred"))
        #expect(lines.contains("LoadCredential=uplink-backend:/etc/hushbox/credentials/uplink-backend"))
        #expect(lines.filter { $0.hasPrefix("IPAddress") } == ["IPAddressDeny=any", "IPAddressAllow=localhost", "IPAddressAllow=192.0.2.10", "IPAddressAllow=192.168.1.0/24"])
        #expect(lines.contains("PrivateDevices=yes"))
    }
}

extension SealedBundleSecrets {
    /// `open`, as a Result for tests that compare values.
    func opened(with key: Curve25519.KeyAgreement.PrivateKey, bundleID: String) -> Result<[String: String], BundleError> {
        Result { () throws(BundleError) in try self.open(with: key, bundleID: bundleID) }
    }
}
