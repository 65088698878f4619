import GRDB

extension TenantVault {
    /// Sets a mailbox's PIN (4 to 10 digits), stored as an Argon2id hash.
    public func setPIN(_ pin: String, forMailbox mailboxID: String, actor: String) throws(VaultError) {
        guard (4...10).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw VaultError(.invalidInput, "a PIN is 4 to 10 digits")
        }
        try write("setting a mailbox PIN") { db, _ throws(VaultError) in
            guard try exists(MailboxRecord.self, mailboxID, in: db) else {
                throw VaultError(.notFound, "there is no mailbox \(mailboxID) for this tenant")
            }
            let hash = try vault.hasher(in: db).hash(pin)
            try VaultError.guarding("storing the PIN") {
                try db.execute(sql: "UPDATE mailboxes SET pin_hash = ? WHERE id = ? AND tenant_id = ?", arguments: [hash, mailboxID, tenantID])
            }
            _ = try audit(AuditEvent(action: "mailbox.pin_set", actor: actor, details: ["mailbox_id": mailboxID]), in: db)
        }
    }

    /// Whether `pin` is the mailbox's PIN. A mailbox without a PIN accepts none.
    public func verifyPIN(_ pin: String, forMailbox mailboxID: String) throws(VaultError) -> Bool {
        try read("checking a mailbox PIN") { db, _ throws(VaultError) in
            let hasher = try vault.hasher(in: db)
            guard let hash = try fetchMailbox(mailboxID, in: db)?.pinHash else { return false }
            return hasher.verify(pin, against: hash)
        }
    }
}
