public import Hummingbird
import Foundation
import NIOCore
import Vault

/// An error as the admin API answers it: an RFC 9457 problem+json body whose
/// `detail` says what was wrong and what to do. Nothing in it names a caller,
/// a number or a secret.
public struct Problem: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    /// A stable, machine-readable name (`type` is `urn:hushbox:problem:<slug>`).
    public let slug: String
    public let title: String
    public let detail: String
    /// Seconds the client should wait (`Retry-After`), when it must.
    public var retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ slug: String, _ title: String, _ detail: String, retryAfter: Int? = nil) {
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.retryAfter = retryAfter
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: any Sendable] = ["type": "urn:hushbox:problem:\(slug)", "title": title, "status": Int(status.code), "detail": detail]
        if let retryAfter { body["retry_after"] = retryAfter }
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        var headers: HTTPFields = [.contentType: "application/problem+json", .cacheControl: "no-store"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="hushbox""# }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

extension Problem {
    static let signInRequired = Problem(
        .unauthorized, "sign-in-required", "Sign-in required",
        "send Authorization: Bearer with a session token (POST /api/v1/session) or an API key (`hushbox apikey create`); a session ends 30 minutes after its last request and 12 hours after sign-in"
    )

    static func forbidden(_ permission: AdminPermission, role: User.Role) -> Problem {
        Problem(
            .forbidden, "forbidden", "Not allowed for this role",
            "the \(role.name) role may not do this (it needs \(permission.rawValue)); ask an owner or admin"
        )
    }

    static func onlyOwner(_ userID: String) -> Problem {
        Problem(.conflict, "conflict", "Conflict", "user \(userID) is the organisation's only owner who can sign in: make another user owner first")
    }

    static func notFound(_ what: String) -> Problem {
        Problem(.notFound, "not-found", "Not found", "there is no \(what) in this organisation")
    }

    static func invalid(_ detail: String) -> Problem {
        Problem(.badRequest, "invalid-request", "Invalid request", detail)
    }

    /// A vault error as the client may see it: what they can fix is said; a
    /// failure of the box itself is only named (its text goes to the log).
    static func from(_ error: VaultError) -> Problem {
        switch error.code {
        case .notFound, .crossTenant: Problem(.notFound, "not-found", "Not found", error.description)
        case .invalidInput, .invalidPhoneNumber: invalid(error.description)
        case .conflict: Problem(.conflict, "conflict", "Conflict", error.description)
        default:
            Problem(.internalServerError, "vault-failure", "The box could not do this", "the vault failed (\(error.code)); the box's log says why")
        }
    }
}
