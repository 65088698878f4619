import Foundation
import HushboxTestSupport
import Logging
import Privacy
import Testing
import Vault

/// An organisation's retention periods in a real vault: defaults until set,
/// and each organisation its own.
@Suite("Retention periods in the vault")
struct StoredRetentionTests {
    @Test("An organisation starts with the defaults; what it sets is kept across reopening and does not touch another's")
    func stored() throws {
        let directory = try TemporaryDirectory()
        let kek = DeviceKEK.generate().kek
        let vault = try Vault.open(directory: directory.child("vault"), deviceKEK: kek, logger: Logger(label: "test"))
        let praxis = try vault.createTenant(name: "Praxis")
        let kanzlei = try vault.createTenant(name: "Kanzlei")
        #expect(RetentionPolicy(try praxis.retentionSettings()) == RetentionPolicy())

        var policy = RetentionPolicy(try praxis.retentionSettings())
        try policy.set(.voicemailAudio, to: 30)
        try policy.set(.transcripts, to: 14)
        try praxis.storeRetentionSettings(policy.stored)
        try policy.set(.callMetadata, to: 180)
        try praxis.storeRetentionSettings(policy.stored)

        let reopened = try Vault.open(directory: directory.child("vault"), deviceKEK: kek, logger: Logger(label: "test"))
        let read = RetentionPolicy(try reopened.tenant(praxis.tenantID).retentionSettings())
        #expect(read[.voicemailAudio] == 30 && read[.transcripts] == 14 && read[.callMetadata] == 180 && read[.deliveryLogs] == 30)
        #expect(RetentionPolicy(try reopened.tenant(kanzlei.tenantID).retentionSettings()) == RetentionPolicy())
    }
}
