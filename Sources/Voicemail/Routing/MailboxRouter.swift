public import Vault

/// Which mailbox a call reaches, whatever carried it: the person called (a
/// trunk's DID, a diverted user, a desk phone's extension) is looked up by
/// blind index in every organisation on the box, a SIP user first, then the
/// number as E.164. Transport-neutral: SIP hands it what ``CallRouting`` read
/// from the INVITE, a local line its configured mailbox.
public struct MailboxRouter: Sendable {
    public let vault: Vault

    public init(vault: Vault) {
        self.vault = vault
    }

    /// The organisation and mailbox `called` reaches (in `organisation` only,
    /// when given), or nil when none does.
    public func mailbox(_ called: CalledParty, in organisation: String? = nil) throws(VaultError) -> (tenant: TenantVault, mailbox: Mailbox)? {
        guard !called.user.isEmpty else { return nil }
        for tenantID in try vault.tenantIDs() where organisation == nil || tenantID == organisation {
            let tenant = try vault.tenant(tenantID)
            if let mailbox = try tenant.mailbox(sipUser: called.user) { return (tenant, mailbox) }
            if let number = called.number, let mailbox = try tenant.mailbox(number: number) { return (tenant, mailbox) }
        }
        return nil
    }

    /// The mailbox `dialled` reaches, written as a SIP user or as an E.164
    /// number (`+…` or `00…`): for a local line's configured mailbox.
    public func mailbox(dialled: String) throws(VaultError) -> (tenant: TenantVault, mailbox: Mailbox)? {
        try mailbox(CalledParty(user: dialled, number: CarrierNumberFormat.default.normalise(dialled)))
    }
}
