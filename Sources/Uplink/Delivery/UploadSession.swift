/// One object's way to the receiver (docs/uplink-protocol.md, "An upload"), as
/// a value: it names the next request and reads each answer. The worker does
/// the HTTP; this decides. It never believes more of the object arrived than
/// the receiver's `Upload-Offset` says, so a cut connection resumes, at worst,
/// a chunk early, never with a gap.
public struct UploadSession: Sendable, Hashable {
    public enum Request: Sendable, Hashable {
        /// `POST /v1/uploads`.
        case create
        /// `HEAD <upload>`: where to resume.
        case probe(upload: String)
        /// `PATCH <upload>` with bytes `offset ..< offset + length`.
        case send(upload: String, offset: Int, length: Int)
    }

    /// What came back.
    public enum Answer: Sendable, Hashable {
        case response(Response)
        /// No answer: refused, reset, timed out.
        case unreachable
    }

    public struct Response: Sendable, Hashable {
        public var status: Int
        /// The upload's path (from `POST`'s JSON).
        public var upload: String?
        /// `Upload-Offset`, or the JSON `offset`.
        public var offset: Int?
        public var complete: Bool
        public var retryAfter: Duration?

        public init(status: Int, upload: String? = nil, offset: Int? = nil, complete: Bool = false, retryAfter: Duration? = nil) {
            self.status = status
            self.upload = upload
            self.offset = offset
            self.complete = complete
            self.retryAfter = retryAfter
        }
    }

    public enum RetryReason: Sendable, Hashable {
        case unreachable
        /// 408, 429, 5xx: busy or down.
        case busy(status: Int)
        /// 401, 403: a certificate, secret or clock to fix; kept and retried.
        case refused(status: Int)
    }

    public enum Next: Sendable, Hashable {
        case request(Request)
        case delivered
        /// Try again later; the worker waits by its schedule, at least `after`.
        case retry(after: Duration?, because: RetryReason)
        /// An answer retrying will not change; the entry is kept for a person to look at.
        case needsAttention(String)
    }

    public let entryID: String
    public let length: Int
    public let chunkSize: Int
    public private(set) var upload: String?
    /// Bytes the receiver said it holds.
    public private(set) var committed = 0
    /// Bumped when the receiver rejects the whole (422): the next upload needs a new key.
    public private(set) var generation = 0
    static let generationsBeforeGivingUp = 3

    public init(entryID: String, length: Int, chunkSize: Int = 256 * 1024) {
        self.entryID = entryID
        self.length = length
        self.chunkSize = chunkSize
    }

    /// The first request, also after a restart or a failed attempt: the
    /// receiver, not this box, knows how much arrived.
    public func resume() -> Next {
        .request(upload.map { .probe(upload: $0) } ?? .create)
    }

    /// The `Idempotency-Key` (and `webhook-id`) of a request: the same on every retry of it.
    public func idempotencyKey(for request: Request) -> String {
        switch request {
        case .create, .probe: "\(entryID).\(generation)"
        case .send(_, let offset, _): "\(entryID).\(generation):\(offset)"
        }
    }

    public mutating func read(_ answer: Answer, to request: Request) -> Next {
        guard case .response(let response) = answer else { return .retry(after: nil, because: .unreachable) }
        switch response.status {
        case 408, 429, 500...599:
            return .retry(after: response.retryAfter, because: .busy(status: response.status))
        case 401, 403:
            return .retry(after: response.retryAfter, because: .refused(status: response.status))
        default:
            break
        }
        switch request {
        case .create:
            return created(response)
        case .probe:
            if response.status == 404 {
                // The receiver forgot it (or never finished creating it): ask again under the same key.
                upload = nil
                return .request(.create)
            }
            guard (200...299).contains(response.status), let offset = response.offset else { return unexpected(response, to: "HEAD") }
            return continueFrom(offset)
        case .send:
            switch response.status {
            case 201:
                return .delivered
            case 204, 200:
                guard let offset = response.offset else { return resume() }
                return continueFrom(offset)
            case 409:
                guard let offset = response.offset else { return resume() }
                return continueFrom(offset)
            case 404:
                upload = nil
                return .request(.create)
            case 422:
                generation += 1
                upload = nil
                committed = 0
                guard generation < Self.generationsBeforeGivingUp else {
                    return .needsAttention("the receiver rejected the whole object \(generation) times (its SHA-256 did not match)")
                }
                return .request(.create)
            default:
                return unexpected(response, to: "PATCH")
            }
        }
    }

    private mutating func created(_ response: Response) -> Next {
        guard response.status == 200 || response.status == 201 else { return unexpected(response, to: "POST") }
        if response.complete { return .delivered }
        guard let path = response.upload else { return .needsAttention("the receiver created an upload without saying where it is") }
        // The box sends signed, certificate-authenticated requests to base URL + this path: anything but
        // /v1/uploads/<id> ("@10.0.0.5/x", "//other.host/", "/../") could point them at another host.
        guard Self.isUploadPath(path) else {
            return .needsAttention("the receiver named the upload location \"\(path.prefix(80))\", which is not /v1/uploads/<id>; nothing was sent there")
        }
        upload = path
        return continueFrom(response.offset ?? 0)
    }

    /// `/v1/uploads/` and an id of 1 to 128 letters, digits or hyphens: the only
    /// locations a box follows.
    public static func isUploadPath(_ path: String) -> Bool {
        let prefix = "/v1/uploads/"
        guard path.hasPrefix(prefix) else { return false }
        let id = path.utf8.dropFirst(prefix.utf8.count)
        return (1...128).contains(id.count) && id.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D
        }
    }

    private mutating func continueFrom(_ offset: Int) -> Next {
        guard let upload, (0...length).contains(offset) else {
            return .needsAttention("the receiver reported offset \(offset) for an object of \(length) bytes")
        }
        committed = offset
        // At the end without a 201: an empty PATCH asks the receiver to check and finish.
        return .request(.send(upload: upload, offset: offset, length: min(chunkSize, length - offset)))
    }

    private func unexpected(_ response: Response, to method: String) -> Next {
        .needsAttention("the receiver answered \(method) with \(response.status)")
    }
}
