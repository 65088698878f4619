import Foundation
import Testing
@testable import Vault
import GRDB

/// A mailbox's own greetings: standard, busy and unavailable, each sealed,
/// each replaced or removed on its own, all gone with the mailbox.
@Suite("Greetings")
struct GreetingTests {
    @Test("Each purpose is stored, replaced and removed on its own; the standard one is the mailbox's greeting; a deleted mailbox leaves no greeting file")
    func purposes() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        let mailbox = Mailbox(sipUser: "100")
        try tenant.insert(mailbox)
        let standard = Array("standard greeting".utf8), busy = Array("busy greeting".utf8), unavailable = Array("unavailable greeting".utf8)
        try tenant.setGreeting(standard, forMailbox: mailbox.id, actor: "test")
        try tenant.setGreeting(Array("first busy".utf8), forMailbox: mailbox.id, purpose: .busy, actor: "test")
        try tenant.setGreeting(busy, forMailbox: mailbox.id, purpose: .busy, actor: "test")
        try tenant.setGreeting(unavailable, forMailbox: mailbox.id, purpose: .unavailable, actor: "test")
        #expect(try tenant.greetingPurposes(forMailbox: mailbox.id) == [.standard, .busy, .unavailable])
        #expect(try tenant.greetingAudio(forMailbox: mailbox.id) == standard)
        #expect(try tenant.greetingAudio(forMailbox: mailbox.id, purpose: .busy) == busy, "the second busy greeting replaced the first")
        #expect(try tenant.mailbox(mailbox.id)?.greetingID != nil)
        #expect(try box.filesContaining(Data("busy greeting".utf8)).isEmpty, "sealed, not in clear")

        #expect(try tenant.removeGreeting(forMailbox: mailbox.id, purpose: .busy, actor: "test"))
        #expect(try tenant.greetingAudio(forMailbox: mailbox.id, purpose: .busy) == nil)
        #expect(try tenant.greetingAudio(forMailbox: mailbox.id) == standard, "removing the busy greeting keeps the standard one")
        #expect(try !tenant.removeGreeting(forMailbox: mailbox.id, purpose: .busy, actor: "test"))
        #expect(try tenant.removeGreeting(forMailbox: mailbox.id, actor: "test"))
        #expect(try tenant.mailbox(mailbox.id)?.greetingID == nil)
        #expect(try tenant.greetingAudio(forMailbox: mailbox.id, purpose: .unavailable) == unavailable)

        let objectsBefore = try box.storedBytes().filter { $0.file.hasPrefix("objects/") }.count
        #expect(try tenant.deleteMailbox(mailbox.id))
        #expect(try box.storedBytes().filter { $0.file.hasPrefix("objects/") }.count == objectsBefore - 1, "the unavailable greeting's file went with the mailbox")
    }

    @Test("Why a call was forwarded is stored with it and read back; a call that was not forwarded says so")
    func diversionReason() throws {
        let box = try TestVault()
        let tenant = try box.vault.createTenant(name: "A")
        try tenant.insert(Call(id: "forwarded", direction: .inbound, startedAt: Date(), counterparty: nil, divertedBecause: .noAnswer))
        try tenant.insert(Call(id: "direct", direction: .inbound, startedAt: Date(), counterparty: try PhoneNumber("+4930123456")))
        #expect(try tenant.call("forwarded")?.divertedBecause == .noAnswer)
        #expect(try tenant.call("direct")?.divertedBecause == nil)
        // The database refuses a reason the code does not know.
        #expect(throws: (any Error).self) {
            try box.vault.database.write { db in try db.execute(sql: "UPDATE calls SET diverted_because = 'bored' WHERE id = 'forwarded'") }
        }
    }
}
