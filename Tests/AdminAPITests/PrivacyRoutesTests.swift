import AdminAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Privacy
import Testing
import Vault
import ZIPFoundation
import Crypto

extension AdminAPISuite {
    /// What the CLI does for customers, through the API with the same checks and
    /// audit entries: erasure, restriction, retention, incidents, sub-processors.
    @Suite("Privacy and compliance through the API")
    struct PrivacyRoutesTests {
        static func headers(_ token: String) -> HTTPFields {
            var headers = AdminFixture.bearer(token)
            headers[.contentType] = "application/json"
            return headers
        }

        @Test("a person's export downloads as one ZIP: their record, their audio byte for byte, a manifest whose SHA-256s match; audited; not for read-only")
        func export() async throws {
            let box = try AdminFixture()
            let headers = Self.headers(try #require(box.own.keys[.admin]).token)
            let body = try AdminFixture.json(["subject": "+49 30 5551234"])
            let zip = try await box.application().test(.router) { client in
                let viewer = try await client.execute(uri: "/api/v1/privacy/exports", method: .post, headers: Self.headers(box.own.keys[.viewer]!.token), body: body)
                #expect(viewer.status == .forbidden)
                let response = try await client.execute(uri: "/api/v1/privacy/exports", method: .post, headers: headers, body: body)
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/zip")
                #expect(response.headers[.contentDisposition]?.hasPrefix("attachment; filename=\"subject-export-") == true)
                return Data(response.body.readableBytesView)
            }
            let archive = try Archive(data: zip, accessMode: .read)
            func contents(_ path: String) throws -> Data {
                let entry = try #require(archive[path], "\(path) is in the archive")
                var data = Data()
                _ = try archive.extract(entry) { data.append($0) }
                return data
            }
            #expect(Array(try contents("audio/\(box.own.message.id).opus")) == box.own.audio)
            let manifest = try #require(try JSONSerialization.jsonObject(with: try contents("manifest.json")) as? [String: Any])
            let files = try #require(manifest["files"] as? [[String: Any]])
            #expect(files.count == 2)
            for file in files {
                let path = try #require(file["path"] as? String)
                #expect(SHA256.hash(data: try contents(path)).map { String(format: "%02x", $0) }.joined() == file["sha256"] as? String)
            }
            #expect(String(decoding: try contents("subject.json"), as: UTF8.self).contains("+49305551234"))
            #expect(try AdminFixture.actions(box.own.tenant).contains("subject.exported"))
        }

        @Test("an export's bad input: an oversized body is refused before it is read, a subject that is neither number nor address is named, and an export over the size cap is refused before anything is decrypted or audited")
        func exportLimits() async throws {
            let box = try AdminFixture()
            let headers = Self.headers(try #require(box.own.keys[.admin]).token)
            try await box.application().test(.router) { client in
                let huge = try await client.execute(uri: "/api/v1/privacy/exports", method: .post, headers: headers, body: ByteBuffer(repeating: UInt8(ascii: " "), count: 2048))
                #expect(huge.status == .contentTooLarge)
                let nobody = try await client.execute(uri: "/api/v1/privacy/exports", method: .post, headers: headers, body: try AdminFixture.json(["subject": "somebody"]))
                #expect(nobody.status == .badRequest)
            }
            // The route's cap is 128 MiB; the same check with a cap the 8 s recording exceeds.
            let before = try AdminFixture.actions(box.own.tenant).count
            let refused = #expect(throws: SubjectExportError.self) {
                try SubjectExport.build(.caller(try PhoneNumber("+49 30 5551234")), of: box.own.tenant, actor: "test", now: box.time.now, maximumBytes: 1024)
            }
            #expect((refused?.tooLargeBytes ?? 0) > 1024)
            #expect(try AdminFixture.actions(box.own.tenant).count == before, "nothing audited for an export not made")
        }

        @Test("an erasure asked for through the API hides the caller's messages at once and names its 30-day hard delete; it is audited")
        func erasure() async throws {
            let box = try AdminFixture()
            let headers = Self.headers(try #require(box.own.keys[.admin]).token)
            try await box.application().test(.router) { client in
                let asked = try await client.execute(
                    uri: "/api/v1/privacy/erasures", method: .post, headers: headers, body: try AdminFixture.json(["subject": "+49 30 5551234"])
                )
                #expect(asked.status == .accepted, "\(String(buffer: asked.body))")
                let body = try AdminFixture.object(asked)
                #expect(body["messages_hidden"] as? Int == 1)
                let due = try #require(body["hard_delete_due_at"] as? String)
                #expect(ISO8601DateFormatter().date(from: due) == box.time.now.addingTimeInterval(30 * 86_400))
                let message = try await client.execute(uri: "/api/v1/messages/\(box.own.message.id)", method: .get, headers: headers)
                #expect(message.status == .notFound)
                let bad = try await client.execute(uri: "/api/v1/privacy/erasures", method: .post, headers: headers, body: try AdminFixture.json(["subject": "nobody"]))
                #expect(bad.status == .badRequest)
            }
            #expect(try AdminFixture.actions(box.own.tenant).contains { $0.hasPrefix("erasure.") })
            #expect(try box.other.tenant.voicemail(box.other.message.id)?.state == .active, "another organisation's caller is untouched")
        }

        @Test("a restricted user stays restricted when their password is set; lifting lets them in; an admin neither restricts nor erases an owner, and the last owner is never shut out")
        func restrictionSurvivesPasswordReset() async throws {
            let box = try AdminFixture(passwords: true)
            let owner = try #require(box.own.keys[.owner]).token
            let admin = try #require(box.own.users[.admin])
            try await box.application().test(.router) { client in
                let restrict = try await client.execute(
                    uri: "/api/v1/privacy/restrictions", method: .post, headers: Self.headers(owner), body: try AdminFixture.json(["subject": "admin@praxis.example"])
                )
                #expect(restrict.status == .noContent)
                let reset = try await client.execute(
                    uri: "/api/v1/users/\(admin.id)", method: .patch, headers: Self.headers(owner), body: try AdminFixture.json(["password": "another long password"])
                )
                #expect(reset.status == .ok)
                let signIn = try await SessionTests.signIn(client, "admin@praxis.example", "another long password")
                #expect(signIn.status == .unauthorized, "the restriction holds")
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(box.own.keys[.admin]!.token)).status == .unauthorized)
                let byAdmin = try await client.execute(
                uri: "/api/v1/privacy/restrictions", method: .post, headers: Self.headers(try #require(box.other.keys[.admin]).token),
                body: try AdminFixture.json(["subject": "owner@kanzlei.example"])
            )
            #expect(byAdmin.status == .forbidden, "an admin does not restrict an owner")
            let erasingOwner = try await client.execute(
                uri: "/api/v1/privacy/erasures", method: .post, headers: Self.headers(try #require(box.other.keys[.admin]).token),
                body: try AdminFixture.json(["subject": "owner@kanzlei.example"])
            )
            #expect(erasingOwner.status == .forbidden, "nor erases one")
            let lastOwner = try await client.execute(
                uri: "/api/v1/privacy/restrictions", method: .post, headers: Self.headers(owner), body: try AdminFixture.json(["subject": "owner@praxis.example"])
            )
            #expect(lastOwner.status == .conflict, "the last owner who can sign in is never shut out")
            let lift = try await client.execute(
                    uri: "/api/v1/privacy/restrictions/lift", method: .post, headers: Self.headers(owner), body: try AdminFixture.json(["subject": "admin@praxis.example"])
                )
                #expect(lift.status == .noContent)
                #expect(try await SessionTests.signIn(client, "admin@praxis.example", "another long password").status == .created)
            }
        }

        @Test("retention: each kind with its allowed periods; an allowed change is kept and audited, any other refused with the allowed values")
        func retention() async throws {
            let box = try AdminFixture()
            let headers = Self.headers(try #require(box.own.keys[.owner]).token)
            try await box.application().test(.router) { client in
                let shown = String(buffer: try await client.execute(uri: "/api/v1/retention", method: .get, headers: headers).body)
                #expect(shown.contains(#""kind":"voicemail_audio""#) && shown.contains("30, 90, 180 or 365"))
                #expect(try await client.execute(uri: "/api/v1/retention/voicemail_audio", method: .put, headers: headers, body: try AdminFixture.json(["days": 30])).status == .noContent)
                let refused = try await client.execute(uri: "/api/v1/retention/voicemail_audio", method: .put, headers: headers, body: try AdminFixture.json(["days": 31]))
                #expect(refused.status == .badRequest)
                #expect(String(buffer: refused.body).contains("30, 90, 180 or 365"))
                #expect(try await client.execute(uri: "/api/v1/retention/backups", method: .put, headers: headers, body: try AdminFixture.json(["days": 60])).status == .badRequest)
                #expect(try await client.execute(uri: "/api/v1/retention/nonsense", method: .put, headers: headers, body: try AdminFixture.json(["days": 30])).status == .notFound)
            }
            #expect(try box.own.tenant.auditEntries().contains { $0.action == "retention.set" })
        }

        @Test("the purge preview counts what the next purge would remove from the caller's organisation only, and removes nothing")
        func purgePreview() async throws {
            let box = try AdminFixture()
            let own = Self.headers(try #require(box.own.keys[.technician]).token), other = Self.headers(try #require(box.other.keys[.owner]).token)
            try box.own.tenant.storeRetentionSettings({ var policy = RetentionPolicy(try box.own.tenant.retentionSettings()); try policy.set(.voicemailAudio, to: 30); return policy.stored }())
            box.time.advance(31 * 86_400)
            try await box.application().test(.router) { client in
                func count(_ headers: HTTPFields) async throws -> Int? {
                    let answer = try AdminFixture.object(try await client.execute(uri: "/api/v1/retention/purge-preview", method: .get, headers: headers))
                    let items = try #require(answer["items"] as? [[String: Any]])
                    #expect(items.count == 6)
                    return items.first { $0["kind"] as? String == "voicemail_audio" }?["count"] as? Int
                }
                let (ownCount, otherCount) = (try await count(own), try await count(other))
                #expect(ownCount == 1, "the message is 31 days old, its period 30")
                #expect(otherCount == 0, "another organisation's periods and messages are its own")
            }
            #expect(try box.own.tenant.voicemail(box.own.message.id)?.state == .active, "a preview removes nothing")
        }

        @Test("an incident shows its 72-hour clock; notifying stops it; sub-processors are listed with their notice dates")
        func incidentsAndSubProcessors() async throws {
            let box = try AdminFixture()
            let headers = Self.headers(try #require(box.own.keys[.admin]).token)
            try await box.application().test(.router) { client in
                let awareSince = ISO8601DateFormatter().string(from: box.time.now)
                let opened = try await client.execute(
                    uri: "/api/v1/incidents", method: .post, headers: headers,
                    body: try AdminFixture.json(["severity": "high", "summary": "A laptop with exports was stolen.", "aware_since": awareSince])
                )
                #expect(opened.status == .created)
                let incident = try AdminFixture.object(opened)
                let id = try #require(incident["id"] as? String)
                #expect(incident["seconds_left"] as? Int == 72 * 3600)
                box.time.advance(3600)
                let listed = String(buffer: try await client.execute(uri: "/api/v1/incidents", method: .get, headers: headers).body)
                #expect(listed.contains(#""seconds_left":\#(71 * 3600)"#))
                let notified = try AdminFixture.object(try await client.execute(
                    uri: "/api/v1/incidents/\(id)/notification", method: .post, headers: headers, body: try AdminFixture.json([:])
                ))
                #expect(notified["notified_at"] != nil && notified["seconds_left"] == nil)

                let added = try await client.execute(
                    uri: "/api/v1/sub-processors", method: .post, headers: headers,
                    body: try AdminFixture.json(["name": "transcriber", "purpose": "Transcribes messages", "region": "DE"])
                )
                #expect(added.status == .created)
                let processor = try AdminFixture.object(added)
                #expect(processor["live"] as? Bool == false, "live only 30 days after the customer notice")
                #expect(try await client.execute(uri: "/api/v1/sub-processors/transcriber", method: .delete, headers: headers).status == .noContent)
                let queue = try await client.execute(uri: "/api/v1/uplink/queue", method: .get, headers: headers)
                #expect(queue.status == .ok)
            }
            let actions = try AdminFixture.actions(box.own.tenant)
            #expect(actions.contains("incident.opened") && actions.contains("incident.notified"))
        }

        @Test("a key made by a user who is later demoted stops when the new role does not cover it; an admin cannot revoke an owner's key; a technician sees no mailbox numbers")
        func demotion() async throws {
            let box = try AdminFixture()
            let owner = try #require(box.own.keys[.owner]).token
            let adminUser = try #require(box.own.users[.admin])
            let adminKey = try #require(box.own.keys[.admin]).token
            try await box.application().test(.router) { client in
                let refused = try await client.execute(uri: "/api/v1/api-keys/\(box.own.keys[.owner]!.id)", method: .delete, headers: AdminFixture.bearer(adminKey))
                #expect(refused.status == .forbidden)
                #expect(try await client.execute(
                    uri: "/api/v1/users/\(adminUser.id)", method: .patch, headers: Self.headers(owner), body: try AdminFixture.json(["role": "read-only"])
                ).status == .ok)
                // An admin key of a user now read-only is covered by neither role: it stops, rather than keep powers the user lost.
                #expect(try await client.execute(uri: "/api/v1/me", method: .get, headers: AdminFixture.bearer(adminKey)).status == .unauthorized)
                #expect(try await client.execute(uri: "/api/v1/api-keys", method: .get, headers: AdminFixture.bearer(adminKey)).status == .unauthorized)
                let technician = String(buffer: try await client.execute(
                    uri: "/api/v1/mailboxes", method: .get, headers: AdminFixture.bearer(box.own.keys[.technician]!.token)
                ).body)
                #expect(!technician.contains("+4930") && !technician.contains("Empfang"))
            }
        }

        @Test("an address someone else's organisation also has does not keep its owner out")
        func shadowedAddress() async throws {
            let box = try AdminFixture(passwords: true)
            // An organisation older than the owner's, so it is the first one sign-in looks in.
            let now = box.time.now
            box.time.set(now.addingTimeInterval(-86_400))
            let older = try box.vault.createTenant(name: "Older")
            box.time.set(now)
            _ = try older.createUser(email: "owner@praxis.example", displayName: nil, role: .admin, password: "an attacker's own password", actor: "test")
            #expect(try box.vault.tenantIDs().first == older.tenantID)
            try await box.application().test(.router) { client in
                let signedIn = try await SessionTests.signIn(client, "owner@praxis.example")
                #expect(signedIn.status == .created)
            }
        }
    }
}
