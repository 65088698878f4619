import Foundation
import GRDB
import Testing
@testable import Vault

@Suite("Passwords, PINs and API keys")
struct SecretsTests {
    @Test("Argon2id hashes are PHC strings with OWASP's parameters and verify only the right secret")
    func argon2id() throws {
        let box = try TestVault()
        let hasher = try box.vault.database.read { db in try box.vault.hasher(in: db) }
        let hash = try hasher.hash("correct horse battery staple")
        #expect(hash.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        #expect(hasher.verify("correct horse battery staple", against: hash))
        #expect(!hasher.verify("correct horse battery stapler", against: hash))
        #expect(!hasher.verify("correct horse battery staple", against: "$argon2id$v=19$m=19456,t=2,p=1$garbage"))
        #expect(try hasher.hash("same") != hasher.hash("same"), "salts must differ")
        // Another box's pepper: the same password and hash do not verify.
        let other = try TestVault()
        let otherHasher = try other.vault.database.read { db in try other.vault.hasher(in: db) }
        #expect(!otherHasher.verify("correct horse battery staple", against: hash))
    }

    @Test("an API key is shown once, stored only as a hash, and authenticates until revoked")
    func apiKeys() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let created = try tenant.createAPIKey(label: "Praxis-Software", actor: "owner-1")
        #expect(created.token.hasPrefix("hbx_"))
        #expect(created.token.count == 4 + 16 + 1 + 43)
        try box.vault.checkpointAndTruncateWAL()
        let secret = String(created.token.dropFirst(21))
        #expect(try box.filesContaining(Data(created.token.utf8)).isEmpty)
        #expect(try box.filesContaining(Data(secret.utf8)).isEmpty)

        #expect(try box.vault.authenticate(apiKey: created.token) == APIKeyIdentity(keyID: created.id, tenantID: tenant.tenantID, userID: nil, role: .owner))
        var altered = Array(created.token)
        altered[altered.count - 1] = altered.last == "A" ? "B" : "A"
        #expect(try box.vault.authenticate(apiKey: String(altered)) == nil)
        #expect(try box.vault.authenticate(apiKey: "hbx_0000000000000000_" + secret) == nil)
        #expect(try box.vault.authenticate(apiKey: "not a key") == nil)

        #expect(try tenant.revokeAPIKey(created.id, actor: "owner-1"))
        #expect(try box.vault.authenticate(apiKey: created.token) == nil)
    }

    @Test("a key stored by an older Hushbox as an Argon2id hash still works once, and is then kept as SHA-256 with its last use")
    func legacyAPIKeyHash() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let created = try tenant.createAPIKey(label: nil, role: .viewer, actor: "owner-1")
        let argon = try box.vault.database.read { db in try box.vault.hasher(in: db) }.hash(created.token)
        try box.vault.database.write { db in try db.execute(sql: "UPDATE api_keys SET key_hash = ? WHERE id = ?", arguments: [argon, created.id]) }
        #expect(try box.vault.authenticate(apiKey: created.token)?.role == .viewer)
        let stored = try box.vault.database.read { db in try String.fetchOne(db, sql: "SELECT key_hash FROM api_keys WHERE id = ?", arguments: [created.id]) }
        #expect(stored?.hasPrefix("sha256$") == true)
        #expect(try tenant.apiKeys().first?.lastUsedAt != nil)
        #expect(try box.vault.authenticate(apiKey: created.token)?.keyID == created.id)
    }

    @Test("a key acts with its own role, never above its user's role now: an owner's key of a user made admin acts as admin; a key neither role covers stops")
    func keyRoleFollowsItsUser() {
        #expect(Vault.effectiveRole(key: "owner", user: "owner", hasUser: true) == .owner)
        #expect(Vault.effectiveRole(key: "owner", user: "admin", hasUser: true) == .admin)
        #expect(Vault.effectiveRole(key: "viewer", user: "admin", hasUser: true) == .viewer)
        #expect(Vault.effectiveRole(key: "technician", user: "viewer", hasUser: true) == nil)
        #expect(Vault.effectiveRole(key: "viewer", user: "technician", hasUser: true) == nil)
        #expect(Vault.effectiveRole(key: nil, user: "technician", hasUser: true) == .technician)
        #expect(Vault.effectiveRole(key: nil, user: nil, hasUser: false) == .owner, "the provisioning key")
        #expect(Vault.effectiveRole(key: "admin", user: nil, hasUser: true) == nil, "a key whose user is gone")
    }

    @Test("mailbox PINs and user passwords verify through Argon2id")
    func pinsAndPasswords() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let mailbox = Mailbox(sipUser: "100")
        try tenant.insert(mailbox)
        #expect(try !tenant.verifyPIN("1234", forMailbox: mailbox.id), "a mailbox without a PIN accepts none")
        try tenant.setPIN("4711", forMailbox: mailbox.id, actor: "owner-1")
        #expect(try tenant.verifyPIN("4711", forMailbox: mailbox.id))
        #expect(try !tenant.verifyPIN("4712", forMailbox: mailbox.id))
        #expect(throws: VaultError.self) { try tenant.setPIN("12", forMailbox: mailbox.id, actor: "owner-1") }
        #expect(try box.vault.database.read { db in try String.fetchOne(db, sql: "SELECT pin_hash FROM mailboxes") }?.contains("4711") == false)

        let user = try tenant.createUser(email: "Anna.Schmidt@praxis.example", displayName: "Anna", role: .owner, password: "lange geheime Passphrase", actor: "setup")
        #expect(try tenant.verifyPassword(email: "anna.schmidt@praxis.example", password: "lange geheime Passphrase") == user)
        #expect(try tenant.verifyPassword(email: "anna.schmidt@praxis.example", password: "falsch") == nil)
        #expect(try tenant.verifyPassword(email: "nobody@praxis.example", password: "lange geheime Passphrase") == nil)
        #expect(throws: VaultError.self) {
            try tenant.createUser(email: "b@praxis.example", displayName: nil, role: .viewer, password: "short", actor: "setup")
        }
    }
}
