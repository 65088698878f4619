import AdminAPI
import CSndFile
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HushboxTestSupport
import Media
import NIOCore
import Testing
import Vault

extension AdminAPISuite {
    /// A greeting uploaded through the API is what the mailbox plays: stored
    /// sealed as Ogg Opus, played back for a check, removed to the default.
    @Suite("Greetings through the API")
    struct GreetingRoutesTests {
        @Test("a WAV uploaded by a technician becomes the mailbox's greeting; read-only may listen, not change; another organisation's mailbox is not found; not audio is 422")
        func uploadPlayRemove() async throws {
            let box = try AdminFixture()
            let directory = try TemporaryDirectory()
            let wav = try #require(try GreetingImportTests.file(
                format: SF_FORMAT_WAV | SF_FORMAT_PCM_16, rate: 44_100, channels: 2, seconds: 2, in: directory, name: "greeting.wav"
            ))
            let technician = try #require(box.own.keys[.technician]).token
            let viewer = try #require(box.own.keys[.viewer]).token
            let path = "/api/v1/mailboxes/\(box.own.mailbox.id)/greetings/standard"
            try await box.application().test(.router) { client in
                let uploaded = try await client.execute(uri: path, method: .put, headers: [.authorization: "Bearer \(technician)", .contentType: "audio/wav"], body: ByteBuffer(bytes: wav))
                #expect(uploaded.status == .ok, "\(String(buffer: uploaded.body))")
                #expect(try AdminFixture.object(uploaded)["seconds"] as? Double == 2.0)
                let played = try await client.execute(uri: path, method: .get, headers: AdminFixture.bearer(viewer))
                #expect(played.status == .ok)
                #expect(played.headers[.contentType] == "audio/ogg; codecs=opus")
                let stored = try #require(try box.own.tenant.greetingAudio(forMailbox: box.own.mailbox.id))
                #expect(Array(played.body.readableBytesView) == stored)
                #expect(abs(Double(try OggOpusReader.read(stored).decode(sampleRate: 16_000).count) / 16_000 - 2) < 0.05)
                #expect(try await client.execute(uri: path, method: .put, headers: AdminFixture.bearer(viewer), body: ByteBuffer(bytes: wav)).status == .forbidden)
                let foreign = "/api/v1/mailboxes/\(box.other.mailbox.id)/greetings/standard"
                #expect(try await client.execute(uri: foreign, method: .put, headers: AdminFixture.bearer(technician), body: ByteBuffer(bytes: wav)).status == .notFound)
                let text = try await client.execute(uri: path, method: .put, headers: AdminFixture.bearer(technician), body: ByteBuffer(string: "hello"))
                #expect(text.status == .unprocessableContent)
                #expect(String(buffer: text.body).contains("WAV"))
                #expect(try await client.execute(uri: path.replacingOccurrences(of: "standard", with: "party"), method: .get, headers: AdminFixture.bearer(viewer)).status == .notFound)
                #expect(try await client.execute(uri: path, method: .delete, headers: AdminFixture.bearer(technician)).status == .noContent)
                #expect(try await client.execute(uri: path, method: .get, headers: AdminFixture.bearer(viewer)).status == .notFound)
            }
            #expect(try box.other.tenant.greetingAudio(forMailbox: box.other.mailbox.id) == nil)
            #expect(try AdminFixture.actions(box.own.tenant).contains("mailbox.greeting_set"))
        }

        @Test("mailbox settings change with the command's checks: a technician may, read-only may not; a bad value names its field; no disclaimer only without recording; another organisation's SIP user is refused")
        func settings() async throws {
            let box = try AdminFixture()
            let path = "/api/v1/mailboxes/\(box.own.mailbox.id)"
            var technician = AdminFixture.bearer(try #require(box.own.keys[.technician]).token)
            technician[.contentType] = "application/json"
            let headers = technician
            try await box.application().test(.router) { client in
                let changed = try await client.execute(uri: path, method: .patch, headers: headers, body: try AdminFixture.json(["language": "de", "max_message_seconds": 300]))
                #expect(changed.status == .ok, "\(String(buffer: changed.body))")
                let tooShort = try await client.execute(uri: path, method: .patch, headers: headers, body: try AdminFixture.json(["max_message_seconds": 4]))
                #expect(tooShort.status == .badRequest)
                #expect(String(buffer: tooShort.body).contains("max_message_seconds"))
                #expect(try await client.execute(uri: path, method: .patch, headers: headers, body: try AdminFixture.json(["language": "tlh"])).status == .badRequest)
                let silent = try await client.execute(uri: path, method: .patch, headers: headers, body: try AdminFixture.json(["disclaimer": false]))
                #expect(silent.status == .badRequest, "recording is on: callers must hear the disclaimer")
                let greetingOnly = try await client.execute(
                    uri: path, method: .patch, headers: headers, body: try AdminFixture.json(["recording_enabled": false, "disclaimer": false])
                )
                #expect(greetingOnly.status == .ok)
                var viewer = AdminFixture.bearer(try #require(box.own.keys[.viewer]).token)
                viewer[.contentType] = "application/json"
                #expect(try await client.execute(uri: path, method: .patch, headers: viewer, body: try AdminFixture.json(["language": "en"])).status == .forbidden)
                let foreign = "/api/v1/mailboxes/\(box.other.mailbox.id)"
                #expect(try await client.execute(uri: foreign, method: .patch, headers: headers, body: try AdminFixture.json(["language": "en"])).status == .notFound)
                // Another organisation's SIP user would take its calls: refused without saying whose it is.
                var other = box.other.mailbox
                other.sipUser = "777"
                try box.other.tenant.update(other)
                let taken = try await client.execute(uri: path, method: .patch, headers: headers, body: try AdminFixture.json(["sip_user": "777"]))
                #expect(taken.status == .conflict)
                #expect(!String(buffer: taken.body).contains("Kanzlei"))
            }
            let stored = try #require(try box.own.tenant.mailbox(box.own.mailbox.id))
            #expect(stored.language == "de" && stored.maxMessageSeconds == 300 && !stored.recordingEnabled)
            #expect(try box.other.tenant.mailbox(box.other.mailbox.id)?.language == box.other.mailbox.language)
        }
    }
}
