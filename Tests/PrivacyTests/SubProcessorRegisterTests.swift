import Foundation
import HushboxTestSupport
import Testing
import Vault

/// The sub-processor register: customers get 30 days' notice before a new one may receive data.
@Suite("Sub-processor register")
struct SubProcessorRegisterTests {
    @Test("Go-live is 30 days after the notice at the earliest; an earlier one, a notice in the future and a second entry of a name are refused; each change is audited")
    func register() throws {
        let box = try PurgeFixture()
        let added = try box.tenant.registerSubProcessor(name: "backend", purpose: "voicemail backend", region: "DE", actor: "owner")
        #expect(added.noticeAt == box.day(0) && added.goLiveAt == box.day(30))
        #expect(!added.isLive(at: box.day(29.99)) && added.isLive(at: box.day(30)))
        #expect(throws: VaultError.self) {
            try box.tenant.registerSubProcessor(name: "archive", purpose: "archive", region: "IE", goLive: box.day(29), actor: "owner")
        }
        #expect(throws: VaultError.self) {
            try box.tenant.registerSubProcessor(name: "archive", purpose: "archive", region: "IE", noticeGiven: box.day(1), actor: "owner")
        }
        #expect(throws: VaultError.self) { try box.tenant.registerSubProcessor(name: "backend", purpose: "again", region: "DE", actor: "owner") }
        #expect(throws: VaultError.self) { try box.tenant.registerSubProcessor(name: "back end", purpose: "x", region: "DE", actor: "owner") }
        let told = try box.tenant.registerSubProcessor(
            name: "archive", purpose: "long-term archive", region: "IE", goLive: box.day(60), noticeGiven: box.day(-10), actor: "owner"
        )
        #expect(told.goLiveAt == box.day(60))
        #expect(try box.tenant.subProcessors().map(\.name) == ["backend", "archive"])
        try box.tenant.removeSubProcessor(named: "archive", actor: "owner")
        #expect(try box.tenant.subProcessor(named: "archive") == nil)
        #expect(throws: VaultError.self) { try box.tenant.removeSubProcessor(named: "archive", actor: "owner") }
        let actions = try box.tenant.auditEntries().map(\.action)
        #expect(actions.filter { $0 == "subprocessor.registered" }.count == 2 && actions.contains("subprocessor.removed"))
    }
}
