import Testing
import Uplink

/// The upload as a script of answers, without a network: what the box asks
/// next after each answer a receiver can give.
@Suite("Upload session: chunks, resumption and the answers that stop it")
struct UploadSessionTests {
    typealias Response = UploadSession.Response

    /// A receiver that stores everything it is sent, in `chunk`-byte steps.
    func cleanUpload(length: Int, chunk: Int) -> (requests: [UploadSession.Request], next: UploadSession.Next) {
        var session = UploadSession(entryID: "e1", length: length, chunkSize: chunk)
        var requests: [UploadSession.Request] = []
        var next = session.resume()
        while case .request(let request) = next, requests.count < 100 {
            requests.append(request)
            let answer: Response = switch request {
            case .create: Response(status: 201, upload: "/v1/uploads/u1", offset: 0)
            case .probe: Response(status: 200, offset: session.committed)
            case .send(_, let offset, let count): offset + count == length ? Response(status: 201) : Response(status: 204, offset: offset + count)
            }
            next = session.read(.response(answer), to: request)
        }
        return (requests, next)
    }

    @Test("An object goes up in whole chunks from 0 to its end and is delivered on the receiver's 201")
    func chunks() {
        let (requests, next) = cleanUpload(length: 600_000, chunk: 262_144)
        #expect(requests == [
            .create, .send(upload: "/v1/uploads/u1", offset: 0, length: 262_144),
            .send(upload: "/v1/uploads/u1", offset: 262_144, length: 262_144), .send(upload: "/v1/uploads/u1", offset: 524_288, length: 75_712),
        ])
        #expect(next == .delivered)
    }

    @Test("A connection cut mid-chunk resumes where the receiver says it stopped, never further")
    func resumesAtReceiversOffset() {
        var session = UploadSession(entryID: "e1", length: 1000, chunkSize: 400)
        _ = session.read(.response(Response(status: 201, upload: "/v1/uploads/u", offset: 0)), to: .create)
        let first = UploadSession.Request.send(upload: "/v1/uploads/u", offset: 0, length: 400)
        #expect(session.read(.unreachable, to: first) == .retry(after: nil, because: .unreachable))
        #expect(session.resume() == .request(.probe(upload: "/v1/uploads/u")))
        // It kept 150 of the 400 bytes before the reset.
        #expect(session.read(.response(Response(status: 200, offset: 150)), to: .probe(upload: "/v1/uploads/u")) == .request(.send(upload: "/v1/uploads/u", offset: 150, length: 400)))
        #expect(session.read(.response(Response(status: 409, offset: 550)), to: .send(upload: "/v1/uploads/u", offset: 150, length: 400))
            == .request(.send(upload: "/v1/uploads/u", offset: 550, length: 400)), "a 409 moves to the receiver's offset")
        #expect(session.read(.response(Response(status: 204)), to: .send(upload: "/v1/uploads/u", offset: 550, length: 400)) == .request(.probe(upload: "/v1/uploads/u")),
                "an answer without an offset is not taken as progress")
    }

    @Test("Busy and refused answers retry (Retry-After passed on); nothing in them drops the entry")
    func retries() {
        var session = UploadSession(entryID: "e1", length: 10)
        #expect(session.read(.response(Response(status: 429, retryAfter: .seconds(90))), to: .create) == .retry(after: .seconds(90), because: .busy(status: 429)))
        #expect(session.read(.response(Response(status: 503)), to: .create) == .retry(after: nil, because: .busy(status: 503)))
        #expect(session.read(.response(Response(status: 401)), to: .create) == .retry(after: nil, because: .refused(status: 401)))
        #expect(session.resume() == .request(.create))
    }

    @Test("A key the receiver completed before is delivered without sending again; a forgotten upload is created again under the same key")
    func idempotency() {
        var session = UploadSession(entryID: "e1", length: 10)
        #expect(session.read(.response(Response(status: 200, upload: "/v1/uploads/u", offset: 10, complete: true)), to: .create) == .delivered)
        var other = UploadSession(entryID: "e2", length: 10)
        _ = other.read(.response(Response(status: 201, upload: "/v1/uploads/u2", offset: 0)), to: .create)
        let key = other.idempotencyKey(for: .create)
        #expect(other.read(.response(Response(status: 404)), to: .probe(upload: "/v1/uploads/u2")) == .request(.create))
        #expect(other.idempotencyKey(for: .create) == key)
        #expect(other.idempotencyKey(for: .send(upload: "/v1/uploads/u2", offset: 5, length: 5)) == key + ":5")
    }

    @Test("A whole the receiver rejects (422) starts again under a new key, three times at most")
    func rejectedWhole() {
        var session = UploadSession(entryID: "e1", length: 10)
        var keys: [String] = []
        var outcomes: [UploadSession.Next] = []
        for _ in 0..<3 {
            keys.append(session.idempotencyKey(for: .create))
            _ = session.read(.response(Response(status: 201, upload: "/v1/uploads/u", offset: 0)), to: .create)
            outcomes.append(session.read(.response(Response(status: 422)), to: .send(upload: "/v1/uploads/u", offset: 0, length: 10)))
        }
        #expect(Set(keys).count == 3, "each new start has its own key: \(keys)")
        #expect(outcomes.prefix(2) == [.request(.create), .request(.create)])
        if case .needsAttention(let why) = outcomes[2] { #expect(why.contains("3 times")) } else { Issue.record("\(outcomes[2])") }
    }

    @Test("Answers retrying cannot fix are kept for a person: 413, an offset beyond the object")
    func needsAttention() {
        var session = UploadSession(entryID: "e1", length: 10)
        if case .needsAttention(let why) = session.read(.response(Response(status: 413)), to: .create) { #expect(why.contains("413")) } else { Issue.record("413") }
        _ = session.read(.response(Response(status: 201, upload: "/v1/uploads/u", offset: 0)), to: .create)
        if case .needsAttention = session.read(.response(Response(status: 200, offset: 11)), to: .probe(upload: "/v1/uploads/u")) {} else { Issue.record("offset 11 of 10") }
    }

    @Test("An upload location other than /v1/uploads/<id> is refused before any request goes there: it could name another host")
    func uploadLocationStaysOnTheDestination() {
        for location in ["@10.0.0.5/x", "//10.0.0.5/x", "/v1/uploads/../../x", "/v1/uploads/a@b", "https://elsewhere.example/v1/uploads/u", "/v1/uploads/", "/v1/uploads/u?x=1",
            "/v1/uploads/" + String(repeating: "a", count: 129)]
        {
            var session = UploadSession(entryID: "e1", length: 10)
            let next = session.read(.response(Response(status: 201, upload: location, offset: 0)), to: .create)
            guard case .needsAttention(let why) = next else {
                Issue.record("\(location) was followed: \(next)")
                continue
            }
            #expect(why.contains("not /v1/uploads/<id>"))
            #expect(session.upload == nil)
        }
        var session = UploadSession(entryID: "e1", length: 10)
        #expect(session.read(.response(Response(status: 201, upload: "/v1/uploads/0f3c-AB", offset: 0)), to: .create)
            == .request(.send(upload: "/v1/uploads/0f3c-AB", offset: 0, length: 10)))
    }
}
