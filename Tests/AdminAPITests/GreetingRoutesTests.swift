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
    }
}
