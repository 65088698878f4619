import AdminAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Media
import NIOCore
import Testing
import Vault

extension AdminAPISuite {
    /// Playing a message in a browser: ranges as RFC 9110 has them, the bytes
    /// exactly what was recorded, WAV for browsers without Opus, plays audited.
    @Suite("Message audio")
    struct MessageAudioTests {
        @Test("the whole message, Safari's bytes=0-1 probe, a middle range, an open range, a suffix and a range past the end")
        func ranges() async throws {
            let box = try AdminFixture()
            let key = try #require(box.own.keys[.viewer]).token
            let audio = box.own.audio
            let uri = "/api/v1/messages/\(box.own.message.id)/audio"
            #expect(audio.count > 4096 * 2, "the message spans several sealed chunks")
            try await box.application().test(.router) { client in
                func get(_ range: String?) async throws -> TestResponse {
                    var headers = AdminFixture.bearer(key)
                    if let range { headers[.range] = range }
                    return try await client.execute(uri: uri, method: .get, headers: headers)
                }
                let whole = try await get(nil)
                #expect(whole.status == .ok)
                #expect(Array(whole.body.readableBytesView) == audio)
                #expect(whole.headers[.contentType] == "audio/ogg; codecs=opus")
                #expect(whole.headers[.acceptRanges] == "bytes")
                #expect(whole.headers[.cacheControl] == "no-store")
                #expect(whole.headers[.contentLength] == String(audio.count))

                let cases: [(String, Range<Int>)] = [
                    ("bytes=0-1", 0..<2), ("bytes=5000-9999", 5000..<10_000), ("bytes=4095-4096", 4095..<4097),
                    ("bytes=\(audio.count - 10)-", audio.count - 10..<audio.count), ("bytes=-100", audio.count - 100..<audio.count),
                    ("bytes=100-99999999", 100..<audio.count),
                ]
                for (header, expected) in cases {
                    let response = try await get(header)
                    #expect(response.status == .partialContent, "\(header)")
                    #expect(response.headers[.contentRange] == "bytes \(expected.lowerBound)-\(expected.upperBound - 1)/\(audio.count)", "\(header)")
                    #expect(response.headers[.contentLength] == String(expected.count), "\(header)")
                    #expect(Array(response.body.readableBytesView) == Array(audio[expected]), "\(header)")
                }
                let past = try await get("bytes=\(audio.count)-")
                #expect(past.status == .rangeNotSatisfiable)
                #expect(past.headers[.contentRange] == "bytes */\(audio.count)")
            }
            // The probe and the ranges after the start are not plays: one for the whole, one for each range from 0 that is more than a probe.
            let plays = try box.own.tenant.auditEntries().filter { $0.action == "voicemail.played" }
            #expect(plays.count == 1)
            #expect(plays.first?.actor == "api-key:\(box.own.keys[.viewer]!.id)")
        }

        @Test("format=wav decodes to 16 kHz PCM the length of the message; a download is an attachment and audited as one")
        func wavAndDownload() async throws {
            let box = try AdminFixture()
            let key = try #require(box.own.keys[.admin]).token
            try await box.application().test(.router) { client in
                let wav = try await client.execute(uri: "/api/v1/messages/\(box.own.message.id)/audio?format=wav", method: .get, headers: AdminFixture.bearer(key))
                #expect(wav.status == .ok)
                #expect(wav.headers[.contentType] == "audio/wav")
                let bytes = Array(wav.body.readableBytesView)
                #expect(Array(bytes.prefix(4)) == Array("RIFF".utf8))
                let samples = (bytes.count - 44) / 2
                #expect(abs(samples - AdminFixture.seconds * 16_000) < 320, "the message at 16 kHz, give or take a frame")
                let download = try await client.execute(
                    uri: "/api/v1/messages/\(box.own.message.id)/audio?download=1", method: .get, headers: AdminFixture.bearer(key)
                )
                #expect(download.headers[.contentDisposition] == "attachment; filename=\"message-\(box.own.message.id).opus\"")
                let bad = try await client.execute(uri: "/api/v1/messages/\(box.own.message.id)/audio?format=mp3", method: .get, headers: AdminFixture.bearer(key))
                #expect(bad.status == .badRequest)
            }
            #expect(try AdminFixture.actions(box.own.tenant).contains("voicemail.downloaded"))
        }

        @Test("a deleted message is gone from the list, its audio and its details; heard is kept; the list pages")
        func listing() async throws {
            let box = try AdminFixture()
            for index in 0..<4 {
                _ = try AdminFixture.store(box.own.audio, from: "+49 30 555\(1000 + index)", in: box.own.tenant, mailbox: box.own.mailbox, at: box.vault)
            }
            let key = try #require(box.own.keys[.admin]).token
            try await box.application().test(.router) { client in
                let list = "/api/v1/mailboxes/\(box.own.mailbox.id)/messages"
                let first = try AdminFixture.object(try await client.execute(uri: list + "?limit=3", method: .get, headers: AdminFixture.bearer(key)))
                #expect((first["items"] as? [Any])?.count == 3)
                let cursor = try #require(first["next_cursor"] as? String)
                let second = try AdminFixture.object(try await client.execute(uri: list + "?limit=3&cursor=\(cursor)", method: .get, headers: AdminFixture.bearer(key)))
                #expect((second["items"] as? [Any])?.count == 2)
                #expect(second["next_cursor"] == nil || second["next_cursor"] is NSNull)
                let item = try #require((first["items"] as? [[String: Any]])?.first)
                #expect((item["caller"] as? String)?.contains("••") == true, "callers are masked")
                #expect(try await client.execute(uri: list + "?limit=0", method: .get, headers: AdminFixture.bearer(key)).status == .badRequest)
                #expect(try await client.execute(uri: list + "?cursor=zz", method: .get, headers: AdminFixture.bearer(key)).status == .badRequest)

                let message = "/api/v1/messages/\(box.own.message.id)"
                #expect(try await client.execute(uri: message + "/heard", method: .post, headers: AdminFixture.bearer(key)).status == .noContent)
                #expect(try AdminFixture.object(try await client.execute(uri: message, method: .get, headers: AdminFixture.bearer(key)))["heard"] as? Bool == true)
                #expect(try await client.execute(uri: message, method: .delete, headers: AdminFixture.bearer(key)).status == .noContent)
                #expect(try await client.execute(uri: message, method: .get, headers: AdminFixture.bearer(key)).status == .notFound)
                #expect(try await client.execute(uri: message + "/audio", method: .get, headers: AdminFixture.bearer(key)).status == .notFound)
                #expect(try await client.execute(uri: message, method: .delete, headers: AdminFixture.bearer(key)).status == .notFound)
            }
            let actions = try AdminFixture.actions(box.own.tenant)
            #expect(actions.contains("voicemail.marked_heard") && actions.contains("voicemail.deleted"))
        }
    }
}
