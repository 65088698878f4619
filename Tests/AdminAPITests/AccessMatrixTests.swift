import AdminAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import Vault

extension AdminAPISuite {
    /// Every route, with every role's API key, on the caller's own ids and on
    /// another organisation's: a role gets what the matrix grants (else 403), and
    /// another organisation's ids are never found (404) and never changed.
    @Suite("Who may do what")
    struct AccessMatrixTests {
        struct Route: Sendable, CustomStringConvertible {
            let method: HTTPRequest.Method
            /// The path for an organisation's ids.
            let path: @Sendable (AdminFixture.Organisation) -> String
            let permission: AdminPermission?
            let body: [String: any Sendable]?
            /// Ids from another organisation are refused as not found (routes without ids answer for the caller's own).
            let scopedByID: Bool
            let name: String
            var description: String { name }
        }

        static let routes: [Route] = [
            Route(method: .get, path: { _ in "/api/v1/me" }, permission: nil, body: nil, scopedByID: false, name: "GET me"),
            Route(method: .get, path: { _ in "/api/v1/mailboxes" }, permission: .readConfiguration, body: nil, scopedByID: false, name: "GET mailboxes"),
            Route(method: .get, path: { "/api/v1/mailboxes/\($0.mailbox.id)/messages" }, permission: .readPersonalData, body: nil, scopedByID: true, name: "GET messages"),
            Route(method: .get, path: { "/api/v1/messages/\($0.message.id)" }, permission: .readPersonalData, body: nil, scopedByID: true, name: "GET message"),
            Route(method: .get, path: { "/api/v1/messages/\($0.message.id)/audio" }, permission: .readPersonalData, body: nil, scopedByID: true, name: "GET audio"),
            Route(method: .post, path: { "/api/v1/messages/\($0.message.id)/heard" }, permission: .changePersonalData, body: nil, scopedByID: true, name: "POST heard"),
            Route(method: .get, path: { _ in "/api/v1/audit?limit=5" }, permission: .readAudit, body: nil, scopedByID: false, name: "GET audit"),
            Route(method: .get, path: { _ in "/api/v1/audit/chain" }, permission: .readAudit, body: nil, scopedByID: false, name: "GET chain"),
            Route(method: .get, path: { _ in "/api/v1/api-keys" }, permission: .manageAPIKeys, body: nil, scopedByID: false, name: "GET api-keys"),
            Route(method: .post, path: { _ in "/api/v1/api-keys" }, permission: .manageAPIKeys, body: ["label": "cron", "role": "read-only"], scopedByID: false, name: "POST api-keys"),
            Route(method: .get, path: { _ in "/api/v1/users" }, permission: .manageUsers, body: nil, scopedByID: false, name: "GET users"),
            Route(method: .patch, path: { "/api/v1/users/\($0.users[.viewer]!.id)" }, permission: .manageUsers, body: ["role": "read-only"], scopedByID: true, name: "PATCH user"),
            Route(method: .get, path: { _ in "/api/v1/retention" }, permission: .readConfiguration, body: nil, scopedByID: false, name: "GET retention"),
            Route(method: .get, path: { _ in "/api/v1/retention/purge-preview" }, permission: .readConfiguration, body: nil, scopedByID: false, name: "GET purge preview"),
            Route(method: .put, path: { _ in "/api/v1/retention/transcripts" }, permission: .manageCompliance, body: ["days": 30], scopedByID: false, name: "PUT retention"),
            Route(method: .get, path: { _ in "/api/v1/incidents" }, permission: .manageCompliance, body: nil, scopedByID: false, name: "GET incidents"),
            Route(method: .post, path: { _ in "/api/v1/incidents" }, permission: .manageCompliance, body: ["severity": "low", "summary": "test"], scopedByID: false, name: "POST incidents"),
            Route(method: .get, path: { _ in "/api/v1/sub-processors" }, permission: .readConfiguration, body: nil, scopedByID: false, name: "GET sub-processors"),
            Route(method: .get, path: { _ in "/api/v1/uplink/queue" }, permission: .readConfiguration, body: nil, scopedByID: false, name: "GET uplink queue"),
            Route(method: .post, path: { _ in "/api/v1/privacy/restrictions/lift" }, permission: .changePersonalData, body: ["subject": "viewer@praxis.example"], scopedByID: false, name: "POST lift"),
            Route(method: .delete, path: { "/api/v1/api-keys/\($0.keys[.technician]!.id)" }, permission: .manageAPIKeys, body: nil, scopedByID: true, name: "DELETE api-key"),
            Route(method: .delete, path: { "/api/v1/messages/\($0.message.id)" }, permission: .changePersonalData, body: nil, scopedByID: true, name: "DELETE message"),
        ]

        @Test("each role, each route, own ids and another organisation's", arguments: User.Role.allCases)
        func matrix(role: User.Role) async throws {
            let box = try AdminFixture()
            let key = try #require(box.own.keys[role]).token
            try await box.application().test(.router) { client in
                for route in Self.routes {
                    let allowed = route.permission.map(role.permits) ?? true
                    let body = try route.body.map { try AdminFixture.json($0) }
                    var headers = AdminFixture.bearer(key)
                    if body != nil { headers[.contentType] = "application/json" }
                    if route.scopedByID {
                        let foreign = try await client.execute(uri: route.path(box.other), method: route.method, headers: headers, body: body)
                        #expect(foreign.status == (allowed ? .notFound : .forbidden), "\(role) \(route) with another organisation's id")
                        #expect(foreign.headers[.contentType] == "application/problem+json")
                    }
                    let own = try await client.execute(uri: route.path(box.own), method: route.method, headers: headers, body: body)
                    if allowed {
                        #expect((200..<300).contains(own.status.code), "\(role) \(route): \(own.status) \(String(buffer: own.body))")
                    } else {
                        #expect(own.status == .forbidden, "\(role) \(route)")
                        #expect(String(buffer: own.body).contains(role.name), "the refusal names the role")
                    }
                    let anonymous = try await client.execute(uri: route.path(box.own), method: route.method, headers: [:], body: body)
                    #expect(anonymous.status == .unauthorized, "anonymous \(route)")
                }
            }
            // Nothing of the other organisation changed or was read.
            let untouched = try #require(try box.other.tenant.voicemail(box.other.message.id))
            #expect(untouched.state == .active && !untouched.heard)
            #expect(try box.other.tenant.apiKeys().allSatisfy { $0.revokedAt == nil })
            #expect(try !AdminFixture.actions(box.other.tenant).contains { $0.hasPrefix("voicemail.") })
        }

        @Test("an admin may not make or change an owner; a key is never made above its maker's role")
        func escalation() async throws {
            let box = try AdminFixture()
            let admin = try #require(box.own.keys[.admin]).token
            let owner = try #require(box.own.users[.owner])
            try await box.application().test(.router) { client in
                var headers = AdminFixture.bearer(admin)
                headers[.contentType] = "application/json"
                let key = try await client.execute(uri: "/api/v1/api-keys", method: .post, headers: headers, body: try AdminFixture.json(["role": "owner"]))
                #expect(key.status == .forbidden)
                let user = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: headers,
                    body: try AdminFixture.json(["email": "new@praxis.example", "role": "owner", "password": AdminFixture.password])
                )
                #expect(user.status == .forbidden)
                let demote = try await client.execute(
                    uri: "/api/v1/users/\(owner.id)", method: .patch, headers: headers, body: try AdminFixture.json(["disabled": "true"].mapValues { _ in true })
                )
                #expect(demote.status == .forbidden)
            }
            #expect(try box.own.tenant.user(owner.id)?.disabledAt == nil)
        }

        @Test("an address already in use and a change that would leave no owner are conflicts (409), and such a change alters nothing")
        func conflicts() async throws {
            let box = try AdminFixture(passwords: true)
            let owner = try #require(box.own.users[.owner])
            var bearer = AdminFixture.bearer(try #require(box.own.keys[.owner]).token)
            bearer[.contentType] = "application/json"
            let headers = bearer
            try await box.application().test(.router) { client in
                let duplicate = try await client.execute(
                    uri: "/api/v1/users", method: .post, headers: headers,
                    body: try AdminFixture.json(["email": "ADMIN@praxis.example", "role": "read-only", "password": AdminFixture.password])
                )
                #expect(duplicate.status == .conflict, "addresses are compared without case")
                let lastOwner = try await client.execute(
                    uri: "/api/v1/users/\(owner.id)", method: .patch, headers: headers,
                    body: ByteBuffer(string: #"{"password":"a new password 4567","disabled":true}"#)
                )
                #expect(lastOwner.status == .conflict)
            }
            #expect(try box.own.tenant.verifyPassword(email: "owner@praxis.example", password: AdminFixture.password) != nil, "the password was not changed either")
        }
    }
}
