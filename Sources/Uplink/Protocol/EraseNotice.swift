/// What the box sends when a person's data must go from a receiver too
/// (`POST /v1/erasures`): the object, by the id it was uploaded under. The
/// receiver deletes everything it holds of that object and refuses it from
/// then on; an object it never had is no error.
public struct EraseNotice: Codable, Sendable, Hashable {
    public var objectID: String
    public var kind: String

    public init(objectID: String, kind: String = "voicemail") {
        self.objectID = objectID
        self.kind = kind
    }

    enum CodingKeys: String, CodingKey {
        case objectID = "object_id"
        case kind
    }

    /// Nil when the notice is acceptable; otherwise what is wrong with it.
    public var problem: String? {
        NewUpload(objectID: objectID, kind: kind, length: 1, sha256: String(repeating: "0", count: 64), sealing: .none).problem
    }

    /// How one attempt to deliver the notice ended. 200 and 204 are done
    /// (the receiver holds nothing of the object now); busy, down or refusing
    /// the box's credentials is retried like an upload; any other answer is
    /// for a person, and the notice stays queued.
    public static func result(of answer: UploadSession.Answer) -> UploadDriver.AttemptResult {
        guard case .response(let response) = answer else { return .retry(after: nil, because: .unreachable, status: nil) }
        switch response.status {
        case 200, 204:
            return .delivered
        case 408, 429, 500...599:
            return .retry(after: response.retryAfter, because: .busy(status: response.status), status: response.status)
        case 401, 403:
            return .retry(after: response.retryAfter, because: .refused(status: response.status), status: response.status)
        default:
            return .needsAttention("the receiver answered \(response.status) to an erase notice", status: response.status)
        }
    }
}
