import HushboxTestSupport
import Logging
import Vault

/// A fresh vault with one organisation and its mailbox "100", in a private
/// directory: where the voicemail tests' calls and messages go.
enum MailboxVault {
    static func make() throws -> (directory: TemporaryDirectory, vault: Vault, tenant: TenantVault, mailbox: Mailbox) {
        let directory = try TemporaryDirectory()
        let vault = try Vault.open(directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, logger: Logger(label: "test"))
        let tenant = try vault.createTenant(name: "Test")
        let mailbox = Mailbox(sipUser: "100")
        try tenant.insert(mailbox)
        return (directory, vault, tenant, mailbox)
    }
}
