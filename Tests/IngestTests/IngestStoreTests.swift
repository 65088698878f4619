import Crypto
import Foundation
import HushboxTestSupport
import Ingest
import PrivateFiles
import Testing
import Uplink

/// The reference receiver's storage, on a real directory: what arrives twice is
/// stored once, a cut upload resumes, and a sealed object opens as the box sent it.
@Suite("Ingest store: dedupe, resumption, sealed objects")
struct IngestStoreTests {
    let directory: TemporaryDirectory
    let customer = Curve25519.KeyAgreement.PrivateKey()
    let audio = Data((0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
    let metadata = Data(#"{"voicemail_id":"v1","caller":"+4930901820"}"#.utf8)

    init() throws {
        directory = try TemporaryDirectory(prefix: "hushbox-ingest")
    }

    func sealedObject(_ objectID: String) throws -> (Data, NewUpload) {
        let payload = try PayloadSealing.seal(
            UplinkPayload.compose(metadata: metadata, audio: audio), to: customer.publicKey,
            info: UplinkPayload.sealingInfo(kind: "voicemail", objectID: objectID)
        )
        let digest = SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined()
        return (payload, NewUpload(objectID: objectID, kind: "voicemail", length: payload.count, sha256: digest, sealing: .hpke))
    }

    @Test("A sealed object sent in chunks, cut and resumed, is stored once and opens to the metadata and audio sent")
    func resumedSealedUpload() async throws {
        let store = try IngestStore(directory: directory.path, recipientKey: customer)
        let (payload, announcement) = try sealedObject("obj-1")
        let (status, created) = try await store.create(idempotencyKey: "entry-1.0", announcement)
        #expect(created && status.offset == 0)
        let bytes = [UInt8](payload)
        #expect(try await store.append(to: status.id, at: 0, Array(bytes[0..<20_000])) == .stored(offset: 20_000))
        // The box lost the answer and resends the same chunk: the receiver points it on.
        #expect(try await store.append(to: status.id, at: 0, Array(bytes[0..<20_000])) == .conflict(committed: 20_000))
        // A restart of the receiver keeps what it committed.
        let restarted = try IngestStore(directory: directory.path, recipientKey: customer)
        #expect(try await restarted.status(of: status.id)?.offset == 20_000)
        let again = try await restarted.create(idempotencyKey: "entry-1.0", announcement)
        #expect(!again.created && again.0.id == status.id && again.0.offset == 20_000, "the same key finds the same upload")
        #expect(try await restarted.append(to: status.id, at: 20_000, Array(bytes[20_000...])) == .complete)
        #expect(try await restarted.append(to: status.id, at: 20_000, Array(bytes[20_000...])) == .complete, "a repeat of the last chunk changes nothing")

        let object = directory.child("objects/obj-1")
        #expect(FileManager.default.contents(atPath: object + "/audio.opus") == audio)
        #expect(FileManager.default.contents(atPath: object + "/metadata.json") == metadata)
        #expect(FileManager.default.contents(atPath: object + "/payload") == payload)
        #expect(try await restarted.create(idempotencyKey: "entry-1.0", announcement).0.complete)
    }

    @Test("A key sent again for other bytes (a payload made anew) is refused, so the box starts over under a new key")
    func keyReusedForOtherBytes() async throws {
        let store = try IngestStore(directory: directory.path, recipientKey: customer)
        let (_, first) = try sealedObject("obj-9")
        let (_, remade) = try sealedObject("obj-9")
        #expect(first != remade, "sealing again picks a new ephemeral key: other bytes, same length")
        _ = try await store.create(idempotencyKey: "entry-9.0", first)
        #expect(try await store.create(idempotencyKey: "entry-9.0", first).created == false, "the same announcement: the same upload")
        await #expect(throws: IngestError.self) { try await store.create(idempotencyKey: "entry-9.0", remade) }
        #expect(try await store.create(idempotencyKey: "entry-9.1", remade).created)
    }

    @Test("A whole that does not match its SHA-256 is rejected and nothing is stored")
    func corruptedWhole() async throws {
        let store = try IngestStore(directory: directory.path, recipientKey: customer)
        var (payload, announcement) = try sealedObject("obj-2")
        payload[100] ^= 0xFF
        let status = try await store.create(idempotencyKey: "entry-2.0", announcement).0
        guard case .rejected(let why) = try await store.append(to: status.id, at: 0, [UInt8](payload)) else {
            Issue.record("accepted a corrupted object")
            return
        }
        #expect(why.contains("hash"))
        #expect(!FileManager.default.fileExists(atPath: directory.child("objects/obj-2/payload")))
        #expect(try await store.status(of: status.id)?.offset == 0, "starts again from nothing")
    }

    @Test("A payload sealed to another key, or announced for another object, does not open and is not stored")
    func wrongKeyOrObject() async throws {
        let store = try IngestStore(directory: directory.path, recipientKey: Curve25519.KeyAgreement.PrivateKey())
        let (payload, announcement) = try sealedObject("obj-3")
        let status = try await store.create(idempotencyKey: "entry-3.0", announcement).0
        if case .rejected = try await store.append(to: status.id, at: 0, [UInt8](payload)) {} else { Issue.record("opened with the wrong key") }

        let honest = try IngestStore(directory: directory.child("other"), recipientKey: customer)
        var relabelled = announcement
        relabelled.objectID = "obj-4"
        let swapped = try await honest.create(idempotencyKey: "entry-4.0", relabelled).0
        if case .rejected = try await honest.append(to: swapped.id, at: 0, [UInt8](payload)) {} else { Issue.record("opened as another object") }
    }

    @Test("Bad announcements and bytes past the length are refused; an unknown upload is not found")
    func refusals() async throws {
        let store = try IngestStore(directory: directory.path, recipientKey: nil)
        let bad = NewUpload(objectID: "../etc", kind: "voicemail", length: 10, sha256: String(repeating: "0", count: 64), sealing: .none)
        await #expect(throws: IngestError.self) { try await store.create(idempotencyKey: "k", bad) }
        let plain = NewUpload(objectID: "obj-5", kind: "voicemail", length: 4, sha256: String(repeating: "0", count: 64), sealing: .none)
        let status = try await store.create(idempotencyKey: "k5", plain).0
        await #expect(throws: IngestError.badRequest("the bytes run past the announced length 4")) { try await store.append(to: status.id, at: 0, [1, 2, 3, 4, 5]) }
        await #expect(throws: IngestError.notFound) { try await store.append(to: UUID().uuidString.lowercased(), at: 0, [1]) }
    }

    @Test("An unfinished upload idle past the stale age is removed and frees its box's quota; the box's key then starts anew; finished and recent ones stay")
    func staleUploadsExpire() async throws {
        let store = try IngestStore(directory: directory.path, recipientKey: nil, boxQuota: 1_000)
        func plain(_ objectID: String, _ bytes: [UInt8]) -> NewUpload {
            NewUpload(objectID: objectID, kind: "voicemail", length: bytes.count, sha256: SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined(), sealing: .none)
        }
        let stalled = [UInt8](repeating: 1, count: 600)
        let abandoned = try await store.create(idempotencyKey: "dead.0", plain("dead", stalled), box: "box-a").0
        _ = try await store.append(to: abandoned.id, at: 0, Array(stalled[0..<100]))
        let finishedBytes = [UInt8](repeating: 2, count: 100)
        let finished = try await store.create(idempotencyKey: "done.0", plain("done", finishedBytes), box: "box-a").0
        #expect(try await store.append(to: finished.id, at: 0, finishedBytes) == .complete)
        // Before the fix the quota stayed taken by the upload that never finished.
        await #expect(throws: IngestError.self) { try await store.create(idempotencyKey: "next.0", plain("next", [UInt8](repeating: 3, count: 400)), box: "box-a") }

        // A week and a day later, no byte added:
        let now = Int64(Date().timeIntervalSince1970)
        #expect(await store.expireStaleUploads(olderThan: .seconds(7 * 86_400), now: now) == 0, "a recent upload stays")
        #expect(await store.expireStaleUploads(olderThan: .seconds(7 * 86_400), now: now + 8 * 86_400) == 1)
        #expect(try await store.status(of: abandoned.id) == nil)
        #expect(try await store.status(of: finished.id)?.complete == true, "a finished upload is not touched")
        #expect(await store.bytesHeld(by: "box-a") == 100)
        #expect(try await store.create(idempotencyKey: "next.0", plain("next", [UInt8](repeating: 3, count: 400)), box: "box-a").created)
        let again = try await store.create(idempotencyKey: "dead.0", plain("dead", [UInt8](repeating: 1, count: 400)), box: "box-a")
        #expect(again.created && again.0.id != abandoned.id && again.0.offset == 0, "the box that comes back starts its upload again")
    }

    @Test("An upload a crash left without its bytes file is gone, not stuck: the sweep removes it at once and its key starts anew; a temporary a crash left is removed at start")
    func halfRemovedUpload() async throws {
        let store = try IngestStore(directory: directory.path, recipientKey: nil)
        let bytes = [UInt8](repeating: 4, count: 10)
        let announcement = NewUpload(objectID: "half", kind: "voicemail", length: 10, sha256: SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined(), sealing: .none)
        let first = try await store.create(idempotencyKey: "half.0", announcement).0
        // The crash: the bytes file went, the announcement stayed.
        unlink(directory.child("uploads/\(first.id).part"))
        // Before the fix status said offset 0, create handed back this upload, and every PATCH failed for good.
        #expect(try await store.status(of: first.id) == nil)
        #expect(await store.expireStaleUploads(olderThan: .seconds(7 * 86_400), now: Int64(Date().timeIntervalSince1970)) == 1)
        let again = try await store.create(idempotencyKey: "half.0", announcement)
        #expect(again.created && again.0.id != first.id)
        #expect(try await store.append(to: again.0.id, at: 0, bytes) == .complete)

        let leftover = directory.child("uploads/" + PrivateFile.temporaryName(for: "x.json"))
        #expect(FileManager.default.createFile(atPath: leftover, contents: Data("half".utf8)))
        _ = try IngestStore(directory: directory.path, recipientKey: nil)
        #expect(!FileManager.default.fileExists(atPath: leftover))
    }
}
