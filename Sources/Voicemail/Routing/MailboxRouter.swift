public import Vault

/// Which mailbox a call reaches, whatever carried it: the dialled SIP user
/// or number (a trunk's DID, a desk phone's extension) is looked up by blind
/// index in every organisation on the box, a SIP user first, then the number
/// as E.164. Transport-neutral: SIP hands it the Request-URI's user, a local
/// line its configured mailbox's number.
public struct MailboxRouter: Sendable {
    public let vault: Vault

    public init(vault: Vault) {
        self.vault = vault
    }

    /// The organisation and mailbox `dialled` reaches, or nil when none does.
    public func mailbox(dialled: String) throws(VaultError) -> (tenant: TenantVault, mailbox: Mailbox)? {
        guard !dialled.isEmpty else { return nil }
        let number = try? PhoneNumber(dialled)
        for tenantID in try vault.tenantIDs() {
            let tenant = try vault.tenant(tenantID)
            if let mailbox = try tenant.mailbox(sipUser: dialled) { return (tenant, mailbox) }
            if let number, let mailbox = try tenant.mailbox(number: number) { return (tenant, mailbox) }
        }
        return nil
    }
}
