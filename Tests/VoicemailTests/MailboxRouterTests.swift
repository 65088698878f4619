import Foundation
import HushboxTestSupport
import Logging
import Testing
import Vault
import Voicemail

/// Which mailbox a dialled user or number reaches, across the organisations on a box.
@Suite("Mailbox routing")
struct MailboxRouterTests {
    @Test("A SIP user or an E.164 number reaches its mailbox in whichever organisation has it; anything else reaches none")
    func routes() throws {
        let directory = try TemporaryDirectory()
        let vault = try Vault.open(directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, logger: Logger(label: "test"))
        let practice = try vault.createTenant(name: "Praxis")
        let office = try vault.createTenant(name: "Kanzlei")
        let reception = Mailbox(sipUser: "100")
        try practice.insert(reception)
        var partner = Mailbox(sipUser: "200")
        partner.number = try PhoneNumber("+4930111222")
        try office.insert(partner)
        let router = MailboxRouter(vault: vault)

        #expect(try router.mailbox(dialled: "100")?.mailbox.id == reception.id)
        let byNumber = try #require(try router.mailbox(dialled: "+4930111222"))
        #expect(byNumber.mailbox.id == partner.id && byNumber.tenant.tenantID == office.tenantID)
        #expect(try router.mailbox(dialled: "004930111222")?.mailbox.id == partner.id, "the international prefix is the same number")
        #expect(try router.mailbox(dialled: "300") == nil)
        #expect(try router.mailbox(dialled: "") == nil)

        // A peer bound to one organisation reaches only its mailboxes, whatever its callers name.
        let partnerCall = CalledParty(user: "200", number: try PhoneNumber("+4930111222"))
        #expect(try router.mailbox(partnerCall, in: practice.tenantID) == nil, "the Kanzlei's mailbox is out of the Praxis trunk's reach")
        #expect(try router.mailbox(partnerCall, in: office.tenantID)?.mailbox.id == partner.id)
        #expect(try router.mailbox(CalledParty(user: "100", number: nil), in: office.tenantID) == nil)
    }
}
