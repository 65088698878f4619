import Foundation
import HushboxTestSupport
import Privacy
import Testing
import Vault

/// Correcting what is stored about a person, and restricting a user without losing anything.
@Suite("Rectification and restriction")
struct RectificationTests {
    @Test("A restricted user's sessions end and they cannot sign in or use their API key; their data stays; lifting lets them start a new session")
    func restriction() throws {
        let box = try PurgeFixture()
        let user = try box.tenant.createUser(email: "erika@praxis.example", displayName: "Erika", role: .admin, password: "correct horse battery", actor: "owner")
        let session = try box.tenant.createSession(userID: user.id)
        let key = try box.tenant.createAPIKey(label: "laptop", userID: user.id, actor: "owner")
        #expect(try box.vault.authenticate(sessionToken: session.token)?.userID == user.id)

        #expect(try box.tenant.restrict(user: "erika@praxis.example", actor: "owner") == 1)
        #expect(try box.vault.authenticate(sessionToken: session.token) == nil)
        #expect(try box.vault.authenticate(apiKey: key.token) == nil)
        #expect(try box.tenant.verifyPassword(email: "erika@praxis.example", password: "correct horse battery") == nil)
        #expect(throws: VaultError.self) { try box.tenant.createSession(userID: user.id) }
        let kept = try box.tenant.subjectRecords(.user(email: "erika@praxis.example"))
        #expect(kept.user?.displayName == "Erika" && kept.sessions.count == 1 && kept.apiKeys.count == 1, "restricted, not deleted")

        try box.tenant.liftRestriction(user: "erika@praxis.example", actor: "owner")
        #expect(try box.tenant.verifyPassword(email: "erika@praxis.example", password: "correct horse battery") != nil)
        #expect(try box.vault.authenticate(sessionToken: session.token) == nil, "an ended session stays ended")
        #expect(try box.vault.authenticate(sessionToken: try box.tenant.createSession(userID: user.id).token) != nil)
        #expect(try box.vault.authenticate(apiKey: key.token) != nil)
        let actions = try box.tenant.auditEntries().map(\.action)
        #expect(actions.contains("user.restricted") && actions.contains("user.sessions_revoked") && actions.contains("user.restriction_lifted"))
    }

    @Test("A user's corrected address and name are what sign-in, export and erasure then use; the old address finds nothing")
    func user() throws {
        let box = try PurgeFixture()
        _ = try box.tenant.createUser(email: "erika@praxis.example", displayName: "Erika Musterman", role: .viewer, password: "correct horse battery", actor: "owner")
        let fields = try box.tenant.rectify(user: "erika@praxis.example", newEmail: "e.mustermann@praxis.example", newDisplayName: "Erika Mustermann", actor: "owner")
        #expect(fields == ["display_name", "email"])
        #expect(try box.tenant.verifyPassword(email: "e.mustermann@praxis.example", password: "correct horse battery")?.displayName == "Erika Mustermann")
        #expect(try box.tenant.verifyPassword(email: "erika@praxis.example", password: "correct horse battery") == nil)
        #expect(try box.tenant.subjectRecords(.user(email: "e.mustermann@praxis.example")).user?.email == "e.mustermann@praxis.example")
        _ = try box.tenant.createUser(email: "other@praxis.example", displayName: nil, role: .viewer, password: nil, actor: "owner")
        #expect(throws: VaultError.self, "an address another user has") {
            try box.tenant.rectify(user: "other@praxis.example", newEmail: "e.mustermann@praxis.example", newDisplayName: nil, actor: "owner")
        }
        let entry = try #require(try box.tenant.auditEntries().last { $0.action == "user.rectified" })
        if case .readable(let details) = entry.details {
            #expect(details["fields"] == "display_name,email" && !details.values.contains { $0.contains("@") }, "fields named, values not")
        }
    }

    @Test("A caller's corrected number files their calls under it: listing, export and erasure by the new number find them")
    func caller() async throws {
        let box = try PurgeFixture()
        let left = try box.message(from: "+49 151 11111111", at: box.day(0))
        let corrected = try PhoneNumber("+49 151 22222222")
        #expect(try box.tenant.rectify(caller: try PhoneNumber("+49 151 11111111"), to: corrected, actor: "owner") == 1)
        #expect(try box.tenant.calls(counterparty: corrected).map(\.id) == [left.call.id])
        #expect(try box.tenant.call(left.call.id)?.counterparty == corrected)
        #expect(try box.tenant.calls(counterparty: PhoneNumber("+49 151 11111111")).isEmpty)
        #expect(try box.tenant.subjectRecords(.caller(corrected)).subjectIDs == [left.subjectID])
        #expect(try box.tenant.requestErasure(of: .caller(corrected), actor: "owner").voicemails == 1)
        #expect(throws: VaultError.self, "a number with no calls") { try box.tenant.rectify(caller: try PhoneNumber("+49 151 33333333"), to: corrected, actor: "owner") }
    }

    @Test("A revoked session is kept 90 days, then purged")
    func sessionsPurged() async throws {
        let box = try PurgeFixture()
        let user = try box.tenant.createUser(email: "erika@praxis.example", displayName: nil, role: .viewer, password: nil, actor: "owner")
        _ = try box.tenant.createSession(userID: user.id, lifetime: 3600)
        box.time.set(box.day(0.5))
        try box.tenant.revokeSessions(userID: user.id, actor: "owner")
        let purge = RetentionPurge(vault: box.vault)
        box.time.set(box.day(90.4))
        #expect(try await purge.run(actor: "hushboxd", at: box.time.now).runs[box.tenant.tenantID]?.removed[.endedSessions] == nil)
        box.time.set(box.day(90.5))
        #expect(try await purge.run(actor: "hushboxd", at: box.time.now).runs[box.tenant.tenantID]?.removed[.endedSessions] == 1)
        #expect(try box.tenant.subjectRecords(.user(email: "erika@praxis.example")).sessions.isEmpty)
    }
}
