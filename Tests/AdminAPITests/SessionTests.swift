import AdminAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import Vault

extension AdminAPISuite {
    /// Signing in: sessions that idle out, expire and end at sign-out; back-off
    /// after failures; every attempt in the audit log; API keys revoked at once.
    @Suite("Sessions and API keys")
    struct SessionTests {
        static func signIn(_ client: some TestClientProtocol, _ email: String, _ password: String = AdminFixture.password) async throws -> TestResponse {
            try await client.execute(
                uri: "/api/v1/session", method: .post, headers: AdminFixture.jsonHeaders,
                body: try AdminFixture.json(["email": email, "password": password])
            )
        }

        @Test("sign in, use the session, idle out after 30 minutes; a used session lasts until 12 hours; sign-out ends it at once")
        func lifetimes() async throws {
            let box = try AdminFixture(passwords: true)
            try await box.application().test(.router) { client in
                let first = try await Self.signIn(client, "admin@praxis.example")
                #expect(first.status == .created)
                let token = try #require(try AdminFixture.object(first)["token"] as? String)
                #expect(token.hasPrefix("hbs_"))
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(token)).status == .ok)
                box.time.advance(31 * 60)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(token)).status == .unauthorized, "idle 31 minutes")

                let second = try #require(try AdminFixture.object(try await Self.signIn(client, "admin@praxis.example"))["token"] as? String)
                for _ in 0..<24 {
                    box.time.advance(29 * 60)
                    #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(second)).status == .ok)
                }
                box.time.advance(29 * 60)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(second)).status == .unauthorized, "past 12 hours")

                let third = try #require(try AdminFixture.object(try await Self.signIn(client, "admin@praxis.example"))["token"] as? String)
                #expect(try await client.execute(uri: "/api/v1/session", method: .delete, headers: AdminFixture.bearer(third)).status == .noContent)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(third)).status == .unauthorized)
            }
            let actions = try AdminFixture.actions(box.own.tenant)
            #expect(actions.filter { $0 == "user.signed_in" }.count == 3)
            #expect(actions.contains("user.signed_out"))
        }

        @Test("five wrong passwords are answered 401; the sixth attempt waits (429, Retry-After) even with the right password; all are audited")
        func lockout() async throws {
            let box = try AdminFixture(passwords: true)
            try await box.application().test(.router) { client in
                for _ in 0..<4 {
                    #expect(try await Self.signIn(client, "owner@praxis.example", "wrong password 123").status == .unauthorized)
                }
                let fifth = try await Self.signIn(client, "owner@praxis.example", "wrong password 123")
                #expect(fifth.status == .tooManyRequests)
                #expect(fifth.headers[.retryAfter] == "30")
                let right = try await Self.signIn(client, "owner@praxis.example")
                #expect(right.status == .tooManyRequests, "the right password waits too: no guess is checked while locked")
                box.time.advance(31)
                #expect(try await Self.signIn(client, "owner@praxis.example").status == .created)
                // An address no organisation has is refused the same way, and audited without naming it.
                #expect(try await Self.signIn(client, "nobody@nowhere.example").status == .unauthorized)
            }
            let failures = try box.own.tenant.auditEntries().filter { $0.action == "user.sign_in_failed" }
            #expect(failures.count == 5)
            #expect(failures.allSatisfy { $0.actor == "user:\(box.own.users[.owner]!.id)" })
            #expect(try box.own.tenant.auditEntries().contains { $0.action == "user.signed_in" })
        }

        @Test("a bad body is a problem that says what to fix; an oversized one is refused before it is read")
        func badBodies() async throws {
            let box = try AdminFixture()
            try await box.application().test(.router) { client in
                let missing = try await client.execute(
                    uri: "/api/v1/session", method: .post, headers: AdminFixture.jsonHeaders, body: try AdminFixture.json(["email": "a@b.example"])
                )
                #expect(missing.status == .badRequest)
                #expect(String(buffer: missing.body).contains("password"))
                let huge = try await client.execute(
                    uri: "/api/v1/session", method: .post, headers: AdminFixture.jsonHeaders, body: ByteBuffer(repeating: UInt8(ascii: "a"), count: 100_000)
                )
                #expect(huge.status == .contentTooLarge)
                let form = try await client.execute(uri: "/api/v1/session", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "x"))
                #expect(form.status == .unsupportedMediaType)
                let wrongToken = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Bearer hbs_" + String(repeating: "A", count: 43)])
                #expect(wrongToken.status == .unauthorized)
                let junk = try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: "Basic " + String(repeating: "A", count: 5000)])
                #expect(junk.status == .unauthorized)
                let unknown = try await client.execute(uri: "/api/v1/nothing-here", method: .get)
                #expect(unknown.status == .notFound)
                #expect(unknown.headers[.contentType] == "application/problem+json")
                #expect(unknown.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
            }
        }

        @Test("an API key made in the API is shown once, works with its role, records its last use, and is refused the moment it is revoked")
        func apiKeys() async throws {
            let box = try AdminFixture()
            let owner = try #require(box.own.keys[.owner]).token
            try await box.application().test(.router) { client in
                var headers = AdminFixture.bearer(owner)
                headers[.contentType] = "application/json"
                let created = try await client.execute(
                    uri: "/api/v1/api-keys", method: .post, headers: headers, body: try AdminFixture.json(["label": "backup script", "role": "read-only"])
                )
                #expect(created.status == .created)
                #expect(created.headers[.cacheControl] == "no-store")
                let body = try AdminFixture.object(created)
                let token = try #require(body["token"] as? String), id = try #require(body["id"] as? String)
                let me = try AdminFixture.object(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(token)))
                #expect(me["role"] as? String == "read-only")
                let listed = String(buffer: try await client.execute(uri: "/api/v1/api-keys", method: .get, headers: AdminFixture.bearer(owner)).body)
                #expect(!listed.contains(token), "a list never shows a token")
                #expect(try box.own.tenant.apiKeys().first { $0.id == id }?.lastUsedAt != nil)
                #expect(try await client.execute(uri: "/api/v1/api-keys/\(id)", method: .delete, headers: AdminFixture.bearer(owner)).status == .noContent)
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(token)).status == .unauthorized)
            }
        }
    }
}
