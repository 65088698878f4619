import Foundation
import GRDB
import Testing
@testable import Vault

@Suite("Sealed columns and blind indexes")
struct SealedColumnTests {
    @Test("numbers are normalised to E.164 however they are written", arguments: [
        ("+49 30 1234567", "+49301234567"),
        ("0049 (0)30-1234567", "+49301234567"),
        ("+49 (0)30 / 123 45 67", "+49301234567"),
        ("030 1234567", "+49301234567"),
        ("+43 1 5355555", "+4315355555"),
    ])
    func normalisation(raw: String, e164: String) throws {
        #expect(try PhoneNumber(raw, defaultCountryCode: "49").e164 == e164)
    }

    @Test("malformed numbers are refused with a reason", arguments: ["12345", "+49 30 12a4567", "0301234567", "+0 123456789", "+1234567890123456"])
    func malformedNumbers(raw: String) {
        #expect {
            try PhoneNumber(raw)
        } throws: { error in
            (error as? VaultError)?.code == .invalidPhoneNumber
        }
    }

    @Test("a phone number prints masked")
    func maskedDescription() throws {
        let number = try PhoneNumber("+49 151 12345678")
        #expect("\(number)" == "+49•••••••••78")
        #expect(!"\(number)".contains("12345678"))
    }

    @Test("the numbers stored are sealed and found by blind index from any spelling")
    func blindIndexLookup() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "Praxis")
        let number = try PhoneNumber("+49 30 1234567")
        try tenant.insert(Call(direction: .inbound, startedAt: Date(), counterparty: number))
        try tenant.insert(Call(direction: .inbound, startedAt: Date(), counterparty: try PhoneNumber("+49 30 7654321")))
        let found = try tenant.calls(counterparty: try PhoneNumber("030 123 45 67", defaultCountryCode: "49"))
        #expect(found.count == 1)
        #expect(found.first?.counterparty == number)
        try box.vault.checkpointAndTruncateWAL()
        #expect(try box.filesContaining(Data("+49301234567".utf8)).isEmpty)
        #expect(try box.filesContaining(Data("1234567".utf8)).isEmpty)
    }

    @Test("two tenants' blind indexes of the same number differ")
    func indexesDifferPerTenant() throws {
        let box = try TestVault()
        let number = try PhoneNumber("+49 30 1234567")
        let first = try box.vault.createTenant(name: "A")
        let second = try box.vault.createTenant(name: "B")
        try first.insert(Call(direction: .inbound, startedAt: Date(), counterparty: number))
        try second.insert(Call(direction: .inbound, startedAt: Date(), counterparty: number))
        let indexes = try box.vault.database.read { db in try Data.fetchAll(db, sql: "SELECT counterparty_index FROM calls") }
        #expect(indexes.count == 2)
        #expect(indexes[0] != indexes[1])
    }

    @Test("a ciphertext moved to another row, column or tenant, or with a flipped bit, fails to open by name")
    func sealedValuesBoundToTheirPlace() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let other = try box.vault.createTenant(name: "B")
        let victim = Call(direction: .inbound, startedAt: Date(), counterparty: try PhoneNumber("+4930111111"))
        let target = Call(direction: .inbound, startedAt: Date(), counterparty: try PhoneNumber("+4930222222"))
        try tenant.insert(victim)
        try tenant.insert(target)
        try tenant.insert(Mailbox(number: try PhoneNumber("+4930333333")))
        let foreign = Call(direction: .inbound, startedAt: Date(), counterparty: try PhoneNumber("+4930444444"))
        try other.insert(foreign)

        func expectTampered(_ sql: String, arguments: StatementArguments, read: () throws -> Void) throws {
            try box.vault.database.write { db in try db.execute(sql: sql, arguments: arguments) }
            do {
                try read()
                Issue.record("a misplaced ciphertext opened: \(sql)")
            } catch let error as VaultError {
                #expect(error.code == .tampered)
            }
        }
        // Another row of the same column.
        try expectTampered(
            "UPDATE calls SET counterparty_sealed = (SELECT counterparty_sealed FROM calls WHERE id = ?) WHERE id = ?",
            arguments: [victim.id, target.id]
        ) { _ = try tenant.call(target.id) }
        // Another column.
        try expectTampered(
            "UPDATE mailboxes SET number_sealed = (SELECT counterparty_sealed FROM calls WHERE id = ?)",
            arguments: [victim.id]
        ) { _ = try tenant.mailboxes() }
        // Another tenant's ciphertext.
        try expectTampered(
            "UPDATE calls SET counterparty_sealed = (SELECT counterparty_sealed FROM calls WHERE id = ?) WHERE id = ?",
            arguments: [foreign.id, victim.id]
        ) { _ = try tenant.call(victim.id) }
        // A flipped bit in the ciphertext of an untouched row.
        var flipped = try #require(try box.vault.database.read { db in
            try Data.fetchOne(db, sql: "SELECT counterparty_sealed FROM calls WHERE id = ?", arguments: [foreign.id])
        })
        flipped[20] ^= 0x01
        try expectTampered("UPDATE calls SET counterparty_sealed = ? WHERE id = ?", arguments: [flipped, foreign.id]) {
            _ = try other.call(foreign.id)
        }
    }

    @Test("every _sealed column of the schema is registered, and every registered one exists")
    func registryMatchesSchema() throws {
        let box = try TestVault()
        let columns = try box.vault.database.read { db in
            var found: Set<SealedColumn> = []
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                for column in try db.columns(in: table) where column.name.hasSuffix("_sealed") {
                    found.insert(SealedColumn(table, column.name))
                }
            }
            return found
        }
        #expect(columns == Set(SealedColumn.all))
    }
}
