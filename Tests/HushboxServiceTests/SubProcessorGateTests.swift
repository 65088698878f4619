import Foundation
import HushboxTestSupport
import Logging
import Testing
import Vault

@testable import HushboxService

/// The uplink sends an organisation's messages only to a registered, live sub-processor in the region configured.
@Suite("Sub-processor gate")
struct SubProcessorGateTests {
    @Test("Unregistered, still in its notice period, or registered for another region: held back with the reason; live and agreeing: delivered")
    func gate() throws {
        let directory = try TemporaryDirectory()
        let vault = try Vault.open(directory: directory.child("vault"), deviceKEK: DeviceKEK.generate().kek, logger: Logger(label: "test"))
        let tenant = try vault.createTenant(name: "Praxis")
        let destination = HushboxConfiguration.Destination(
            name: "backend", url: "https://127.0.0.1:1", region: "DE", publicKey: nil, pinSHA256: nil, caFile: nil, maxConcurrentUploads: 1
        )
        let now = Date()
        #expect(SubProcessorGate.refusal(of: destination, registered: nil, at: now)?.contains("not on the organisation's sub-processor register") == true)
        let pending = try tenant.registerSubProcessor(name: "backend", purpose: "backend", region: "DE", actor: "owner")
        #expect(SubProcessorGate.refusal(of: destination, registered: pending, at: now)?.contains("may receive data from") == true)
        #expect(SubProcessorGate.refusal(of: destination, registered: pending, at: pending.goLiveAt) == nil)
        try tenant.removeSubProcessor(named: "backend", actor: "owner")
        let elsewhere = try tenant.registerSubProcessor(
            name: "backend", purpose: "backend", region: "FR", noticeGiven: now.addingTimeInterval(-31 * 86_400), actor: "owner"
        )
        #expect(SubProcessorGate.refusal(of: destination, registered: elsewhere, at: now)?.contains("registered as processing in FR") == true)

        // The customer's own receiver is their system, not a sub-processor: delivered at once, registered or not.
        var own = destination
        own.operatedByCustomer = true
        #expect(SubProcessorGate.refusal(of: own, registered: nil, at: now) == nil)
    }
}
